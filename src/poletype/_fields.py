"""What each spreadsheet column means, in French and English, derived from the model.

A funder's applicant spreadsheet has one column per fact of the interchange format,
nested keys flattened with dots. The list of columns, their kinds and their allowed
values are read from the `Initiative` model itself, so a field added to the model is a
column at once and no enumeration can drift from the spec. Only the words are written
by hand: a short label, a sentence of help, and the question a programme officer asks an
applicant whose answer is missing. A field without hand-written words still gets a
column with a label made from its path (and a test fails until someone writes them).
"""

from __future__ import annotations

import datetime
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from poletype._symbols import list_item, literal_values, model_of, unwrap
from poletype.model import Initiative, Member
from poletype.rulefile import Text

Kind = Literal["text", "integer", "number", "share", "boolean", "choice", "choices", "date"]


@dataclass(frozen=True)
class FieldDoc:
    """One input column: its dotted path, how a cell is read, and what to tell people.

    ``choices`` is a list of values; its ``allowed`` codes are empty for a list of free
    texts (``activities.sectors``).
    """

    path: str
    kind: Kind
    allowed: tuple[str, ...]
    label: Text
    help: Text
    question: Text


def header(key: str, doc: FieldDoc) -> str:
    """The column header the template writes: both labels, then the key in brackets."""
    return f"{doc.label.fr} / {doc.label.en} [{key}]"


# path: (label fr, label en, help fr, help en, question fr, question en)
_Words = tuple[str, str, str, str, str, str]

_APPLICANT_WORDS: dict[str, _Words] = {
    "id": (
        "Identifiant",
        "Identifier",
        "Votre propre référence de la candidature (numéro de dossier, SIRET…) ; "
        "elle relie les membres à la candidature.",
        "Your own reference for the application (file number, registry id); "
        "it links the members to the application.",
        "Quel est l'identifiant du dossier de candidature ?",
        "What is the application's identifier?",
    ),
    "name": (
        "Nom",
        "Name",
        "Nom de l'initiative. Seule colonne obligatoire.",
        "Name of the initiative. The only required column.",
        "Quel est le nom de l'initiative ?",
        "What is the initiative's name?",
    ),
    "country": (
        "Pays",
        "Country",
        "Code pays ISO 3166-1 à deux lettres majuscules, par exemple FR.",
        "ISO 3166-1 two-letter country code in capitals, for example FR.",
        "Dans quel pays l'initiative est-elle implantée ?",
        "In which country is the initiative based?",
    ),
    "founded": (
        "Année de création",
        "Year founded",
        "Année où la coopération entre les membres a commencé.",
        "Year the cooperation between the members started.",
        "En quelle année la coopération entre les membres a-t-elle commencé ?",
        "In which year did the cooperation between the members start?",
    ),
    "stage": (
        "Stade",
        "Stage",
        "Stade de développement : project (en projet), emerging (en émergence) "
        "ou consolidated (consolidé).",
        "Stage of development: project, emerging or consolidated.",
        "L'initiative est-elle en projet, en émergence ou consolidée ?",
        "Is the initiative a project, emerging or consolidated?",
    ),
    "scale": (
        "Échelle",
        "Scale",
        "Étendue géographique la plus large de son action : local, regional, national "
        "ou transnational.",
        "Widest geographic extent it operates at: local, regional, national or transnational.",
        "À quelle échelle géographique l'initiative agit-elle : locale, régionale, "
        "nationale ou transnationale ?",
        "At what geographic scale does the initiative operate: local, regional, "
        "national or transnational?",
    ),
    "sites": (
        "Nombre de sites",
        "Number of sites",
        "Nombre de sites distincts : locaux, centres de production ou de décision.",
        "Number of distinct sites: premises, production or decision centres.",
        "Sur combien de sites distincts (locaux, centres de production ou de décision) "
        "l'initiative est-elle implantée ?",
        "On how many distinct sites (premises, production or decision centres) does "
        "the initiative operate?",
    ),
    "voluntary": (
        "Regroupement volontaire",
        "Voluntary grouping",
        "Les membres ont rejoint l'initiative de leur propre choix.",
        "The members joined by their own choice.",
        "Les membres se sont-ils regroupés de leur propre choix, sans y être contraints ?",
        "Did the members join of their own choice, without being required to?",
    ),
    "strategy.shared": (
        "Stratégie commune",
        "Shared strategy",
        "Une stratégie commune de développement existe entre les membres.",
        "A common development strategy exists among the members.",
        "Les membres partagent-ils une stratégie commune de développement ?",
        "Do the members share a common development strategy?",
    ),
    "strategy.formalised": (
        "Stratégie formalisée",
        "Formalised strategy",
        "La stratégie commune est écrite : charte, convention, statuts ou programme.",
        "The common strategy is written down: charter, agreement, statutes or programme.",
        "La stratégie commune est-elle formalisée (charte, convention, statuts, programme) ?",
        "Is the common strategy written down (charter, agreement, statutes, programme)?",
    ),
    "strategy.territorial": (
        "Stratégie territoriale",
        "Territorial strategy",
        "La stratégie vise le développement durable de son territoire.",
        "The strategy aims at the lasting development of its territory.",
        "La stratégie commune vise-t-elle le développement durable du territoire ?",
        "Does the common strategy aim at the lasting development of the territory?",
    ),
    "commitment.long_term": (
        "Engagement durable",
        "Long-term commitment",
        "La coopération est formalisée pour plusieurs années ou sans terme fixé.",
        "The cooperation is formalised for several years or open-ended.",
        "La coopération est-elle formalisée pour plusieurs années ou sans terme fixé ?",
        "Is the cooperation formalised for several years or open-ended?",
    ),
    "commitment.single_project": (
        "Projet unique",
        "Single project",
        "L'initiative n'existe que pour porter un projet ponctuel ou créer une entreprise.",
        "The initiative exists only to carry one punctual project or to create one enterprise.",
        "L'initiative existe-t-elle seulement pour porter un projet ponctuel "
        "ou créer une entreprise ?",
        "Does the initiative exist only to carry one punctual project or to create one enterprise?",
    ),
    "local_integration.local_networks": (
        "Réseaux locaux",
        "Local networks",
        "Les membres participent aux réseaux et partenariats locaux.",
        "The members take part in local networks and partnerships.",
        "Les membres participent-ils à des réseaux et partenariats locaux ?",
        "Do the members take part in local networks and partnerships?",
    ),
    "local_integration.local_partnerships": (
        "Partenariats locaux formels",
        "Formal local partnerships",
        "Nombre de partenariats locaux formels.",
        "Number of formal local partnerships.",
        "Combien de partenariats locaux formels l'initiative a-t-elle conclus ?",
        "How many formal local partnerships has the initiative entered into?",
    ),
    "activities.social_utility_share": (
        "Part d'utilité sociale",
        "Social utility share",
        "Part des activités dont l'utilité sociale est reconnue (agrément ESUS, intérêt "
        "général, agrément d'insertion…), entre 0 et 1 ou en pourcentage.",
        "Share of the activities whose social utility is recognised (accreditation, "
        "public-interest status, work-integration approval…), from 0 to 1 or a percentage.",
        "Quelle part des activités a une utilité sociale reconnue (agrément ESUS, "
        "intérêt général, agrément d'insertion…) ?",
        "What share of the activities has a recognised social utility (accreditation, "
        "public-interest status, work-integration approval…)?",
    ),
    "activities.sectors": (
        "Secteurs",
        "Sectors",
        "Secteurs d'activité en texte libre, séparés par « ; ».",
        "Sectors of activity as free text, separated by ';'.",
        "Dans quels secteurs d'activité l'initiative intervient-elle ?",
        "In which sectors of activity does the initiative work?",
    ),
    "activities.multisectoral": (
        "Multisectorielle",
        "Multisectoral",
        "L'initiative intervient dans plusieurs secteurs d'activité.",
        "The initiative works in several sectors of activity.",
        "L'initiative intervient-elle dans plusieurs secteurs d'activité ?",
        "Does the initiative work in several sectors of activity?",
    ),
    "activities.functions": (
        "Fonctions",
        "Functions",
        "Ce que fait l'initiative : un ou plusieurs codes de fonction, séparés par « ; ».",
        "What the initiative does: one or more function codes, separated by ';'.",
        "Quelles fonctions l'initiative remplit-elle (production, accueil, mutualisation, "
        "formation, recherche…) ?",
        "Which functions does the initiative perform (production, hosting, pooling, "
        "training, research…)?",
    ),
    "activities.primary_function": (
        "Fonction principale",
        "Primary function",
        "Ce que l'initiative est avant tout : un seul code de fonction.",
        "What the initiative essentially is: a single function code.",
        "Quelle est la fonction principale de l'initiative, ce qu'elle est avant tout ?",
        "What is the initiative's primary function, what it essentially is?",
    ),
    "pooling.resources": (
        "Ressources mutualisées",
        "Pooled resources",
        "Ressources mises en commun : premises (locaux), staff (personnel), equipment "
        "(équipements), services, purchasing (achats), financing (financements), skills "
        "(compétences), communication.",
        "Resources the members pool: premises, staff, equipment, services, purchasing, "
        "financing, skills, communication.",
        "Quelles ressources les membres mutualisent-ils (locaux, personnel, équipements, "
        "achats, compétences…) ?",
        "Which resources do the members pool (premises, staff, equipment, purchasing, skills…)?",
    ),
    "pooling.joint_investments": (
        "Investissements communs",
        "Joint investments",
        "Investissements réalisés en commun : incubator (incubateur), distribution_network "
        "(réseau de distribution), research_partnership (partenariat de recherche), "
        "production_unit (unité de production), shared_company (société commune).",
        "Investments made jointly: incubator, distribution_network, research_partnership, "
        "production_unit, shared_company.",
        "Les membres ont-ils réalisé des investissements communs (incubateur, réseau de "
        "distribution, unité de production, société commune…) ?",
        "Have the members made joint investments (incubator, distribution network, "
        "production unit, shared company…)?",
    ),
    "place.shared_premises": (
        "Locaux partagés",
        "Shared premises",
        "Les membres partagent des locaux.",
        "The members share premises.",
        "Les membres partagent-ils des locaux ?",
        "Do the members share premises?",
    ),
    "place.activity_zone": (
        "Zone d'activité",
        "Activity zone",
        "L'initiative est implantée dans une zone d'activité identifiable.",
        "The initiative is located in an identifiable activity zone.",
        "L'initiative est-elle implantée dans une zone d'activité identifiable ?",
        "Is the initiative located in an identifiable activity zone?",
    ),
    "place.formal_network": (
        "Réseau formel",
        "Formal network",
        "Les membres forment un réseau formel et territorialisé d'entreprises.",
        "The members form a formal, territorialised network of enterprises.",
        "Les membres forment-ils un réseau formel et territorialisé d'entreprises ?",
        "Do the members form a formal, territorialised network of enterprises?",
    ),
    "research.programme": (
        "Programme d'expérimentation",
        "Experimentation programme",
        "L'initiative conduit un programme d'expérimentation ou de recherche et développement.",
        "The initiative runs an experimentation or research and development programme.",
        "L'initiative conduit-elle un programme d'expérimentation ou de recherche "
        "et développement ?",
        "Does the initiative run an experimentation or research and development programme?",
    ),
    "research.incubator": (
        "Incubateur",
        "Incubator",
        "L'initiative porte un incubateur.",
        "The initiative runs an incubator.",
        "L'initiative porte-t-elle un incubateur ?",
        "Does the initiative run an incubator?",
    ),
    "research.research_partners": (
        "Partenaires de recherche",
        "Research partners",
        "L'initiative travaille avec des centres de recherche ou des universités.",
        "The initiative works with research centres or universities.",
        "L'initiative travaille-t-elle avec des centres de recherche ou des universités ?",
        "Does the initiative work with research centres or universities?",
    ),
    "research.intensity": (
        "Intensité de R&D",
        "R&D intensity",
        "Poids de l'investissement en recherche et développement : none (nul), low "
        "(faible) ou high (élevé).",
        "Weight of research and development investment: none, low or high.",
        "Quel est le poids de l'investissement en recherche et développement : nul, "
        "faible ou élevé ?",
        "How much does the initiative invest in research and development: none, little or much?",
    ),
    "governance.democratic": (
        "Gouvernance démocratique",
        "Democratic governance",
        "Les statuts et le fonctionnement reposent sur une gouvernance démocratique.",
        "The statutes and functioning rest on democratic governance.",
        "Les statuts et le fonctionnement de l'initiative reposent-ils sur une "
        "gouvernance démocratique ?",
        "Do the initiative's statutes and functioning rest on democratic governance?",
    ),
    "governance.structure": (
        "Structure de pilotage",
        "Steering structure",
        "centralised : pilotée par une structure pivot ou un groupe ; decentralised : "
        "un réseau de pairs.",
        "centralised: steered by a pivot organisation or group; decentralised: a network of peers.",
        "L'initiative est-elle pilotée par une structure pivot (centralisée) ou "
        "fonctionne-t-elle en réseau de pairs (décentralisée) ?",
        "Is the initiative steered by a pivot organisation (centralised) or run as a "
        "network of peers (decentralised)?",
    ),
    "governance.leadership": (
        "Portage",
        "Leadership",
        "Qui porte l'initiative : public (acteurs publics), private (acteurs privés) "
        "ou mixed (les deux).",
        "Who leads the initiative: public actors, private actors or mixed.",
        "L'initiative est-elle portée par des acteurs publics, privés ou les deux ?",
        "Is the initiative led by public actors, private actors or both?",
    ),
    "governance.multi_stakeholder": (
        "Gouvernance multipartenariale",
        "Multi-stakeholder governance",
        "Plusieurs catégories de parties prenantes participent à la gouvernance.",
        "Several kinds of stakeholders take part in the governance.",
        "Plusieurs catégories de parties prenantes participent-elles à la gouvernance ?",
        "Do several kinds of stakeholders take part in the governance?",
    ),
    "governance.volunteer_board": (
        "Bénévolat politique",
        "Volunteer board",
        "Des bénévoles siègent dans l'instance stratégique.",
        "Volunteers sit on the strategic body.",
        "Des bénévoles siègent-ils dans l'instance stratégique de l'initiative ?",
        "Do volunteers sit on the initiative's strategic body?",
    ),
    "governance.user_involvement": (
        "Participation des usagers",
        "User involvement",
        "Des usagers ou des publics cibles participent aux comités et groupes de travail "
        "(bénévolat d'usager).",
        "Users or target groups take part in committees and work groups.",
        "Les usagers ou les publics cibles participent-ils aux comités et groupes de travail ?",
        "Do users or target groups take part in committees and work groups?",
    ),
    "governance.legal_form": (
        "Forme juridique",
        "Legal form",
        "Forme juridique de la structure porteuse, en texte libre (association, SCIC, GIE…).",
        "Legal form of the carrying structure, as free text (association, SCIC, GIE…).",
        "Quelle est la forme juridique de la structure porteuse (association, SCIC, GIE…) ?",
        "What is the legal form of the carrying structure (association, SCIC, GIE…)?",
    ),
    "ess_policy.in_local_policy": (
        "Politique ESS locale",
        "Local ESS policy",
        "L'initiative est inscrite dans la politique d'ESS de son territoire.",
        "The initiative is part of its territory's social and solidarity economy policy.",
        "L'initiative est-elle inscrite dans la politique d'économie sociale et solidaire "
        "de son territoire ?",
        "Is the initiative part of its territory's social and solidarity economy policy?",
    ),
    "ess_policy.in_local_ess_networks": (
        "Réseaux ESS locaux",
        "Local ESS networks",
        "L'initiative est rattachée aux réseaux locaux de l'ESS.",
        "The initiative is attached to local social and solidarity economy networks.",
        "L'initiative est-elle rattachée aux réseaux locaux de l'ESS (CRESS, réseaux "
        "territoriaux…) ?",
        "Is the initiative attached to local social and solidarity economy networks?",
    ),
    "evaluation": (
        "Démarche d'évaluation",
        "Evaluation",
        "L'initiative évalue son fonctionnement et ses résultats.",
        "The initiative evaluates its own process and results.",
        "L'initiative évalue-t-elle son fonctionnement et ses résultats ?",
        "Does the initiative evaluate its own process and results?",
    ),
    "jobs": (
        "Emplois",
        "Jobs",
        "Emplois (effectif) des membres attribuables aux activités de l'initiative.",
        "Jobs (headcount) in the member organisations attributable to the initiative's activities.",
        "Combien d'emplois, chez les membres, sont attribuables aux activités de l'initiative ?",
        "How many jobs in the member organisations are attributable to the initiative's "
        "activities?",
    ),
    "insertion_jobs": (
        "Emplois d'insertion",
        "Work-integration jobs",
        "Parmi ces emplois, le nombre d'emplois d'insertion.",
        "Of these jobs, the number of work-integration jobs.",
        "Parmi ces emplois, combien sont des emplois d'insertion ?",
        "Of these jobs, how many are work-integration jobs?",
    ),
    "origin": (
        "Origine",
        "Origin",
        "Qui a lancé l'initiative : entrepreneurial (des entreprises), citizen (des "
        "citoyens), local_authority (une collectivité), ess_network (un réseau de l'ESS) "
        "ou mixed (plusieurs). Déduite des membres fondateurs si la case est vide.",
        "Who started the initiative: entrepreneurial, citizen, local_authority, "
        "ess_network or mixed. Derived from the founder members when left empty.",
        "Qui est à l'origine de l'initiative : des entreprises, des citoyens, une "
        "collectivité, un réseau de l'ESS ou plusieurs d'entre eux ?",
        "Who started the initiative: enterprises, citizens, a local authority, "
        "a social economy network, or several of them?",
    ),
    "public_role": (
        "Rôle des pouvoirs publics",
        "Role of public authorities",
        "none (aucun), marginal, facilitator (facilitateur), service_delegator "
        "(délégataire de service) ou project_holder (porteur du projet). Déduit si vide.",
        "none, marginal, facilitator, service_delegator or project_holder. "
        "Derived when left empty.",
        "Quel rôle jouent les pouvoirs publics : aucun, marginal, facilitateur, "
        "délégataire de service ou porteur du projet ?",
        "What part do public authorities play: none, marginal, facilitator, "
        "service delegator or project holder?",
    ),
    "approach": (
        "Démarche",
        "Approach",
        "bottom_up (ascendante : issue des acteurs) ou top_down (descendante).",
        "bottom_up (from the actors themselves) or top_down.",
        "La démarche est-elle ascendante (issue des acteurs) ou descendante (impulsée d'en haut) ?",
        "Is the approach bottom-up (from the actors themselves) or top-down?",
    ),
    "finality": (
        "Finalité",
        "Purpose",
        "Finalité principale déclarée : growth (croissance), sustainable_local_development "
        "(développement local durable), social_needs (besoins sociaux) ou employment (emploi).",
        "Main declared purpose: growth, sustainable_local_development, social_needs or employment.",
        "Quelle est la finalité principale de l'initiative : croissance, développement "
        "local durable, réponse à des besoins sociaux ou emploi ?",
        "What is the initiative's main purpose: growth, sustainable local development, "
        "social needs or employment?",
    ),
    "market_reach": (
        "Débouchés",
        "Market reach",
        "Où sa production est vendue : local, national ou export.",
        "Where its output is sold: local, national or export.",
        "Où la production de l'initiative est-elle vendue : localement, dans tout le pays "
        "ou à l'export ?",
        "Where is the initiative's output sold: locally, nationally or abroad?",
    ),
    "industrial": (
        "Activité industrielle",
        "Industrial",
        "La production industrielle est au cœur de son activité.",
        "Industrial production is at the core of its activity.",
        "La production industrielle est-elle au cœur de l'activité de l'initiative ?",
        "Is industrial production at the core of the initiative's activity?",
    ),
    "profitable_activities": (
        "Activités lucratives",
        "Profit-making activities",
        "Des activités lucratives d'entreprises classiques font partie de son modèle économique.",
        "For-profit activities of conventional enterprises are part of its economic model.",
        "Des activités lucratives d'entreprises classiques font-elles partie du modèle "
        "économique de l'initiative ?",
        "Are for-profit activities of conventional enterprises part of the initiative's "
        "economic model?",
    ),
    "innovation": (
        "Innovation",
        "Innovation",
        "Types d'innovation poursuivis, séparés par « ; » : social (sociale), "
        "organisational (organisationnelle), technological (technologique), ecological "
        "(écologique), economic (économique), governance (de gouvernance).",
        "Kinds of innovation pursued, separated by ';': social, organisational, "
        "technological, ecological, economic, governance.",
        "Quels types d'innovation l'initiative poursuit-elle : sociale, organisationnelle, "
        "technologique, écologique, économique, de gouvernance ?",
        "Which kinds of innovation does the initiative pursue: social, organisational, "
        "technological, ecological, economic, governance?",
    ),
    "resources.market": (
        "Ressources marchandes",
        "Market income",
        "Part des ressources issue de la vente de biens et de services, entre 0 et 1 "
        "ou en pourcentage.",
        "Share of income from selling goods and services, from 0 to 1 or a percentage.",
        "Quelle part des ressources provient de la vente de biens et de services ?",
        "What share of income comes from selling goods and services?",
    ),
    "resources.non_market": (
        "Ressources non marchandes",
        "Non-market income",
        "Part des ressources issue de la redistribution publique : subventions, commande publique.",
        "Share of income from public redistribution: grants, public contracts.",
        "Quelle part des ressources provient de fonds publics (subventions, commande publique) ?",
        "What share of income comes from public funds (grants, public contracts)?",
    ),
    "resources.non_monetary": (
        "Ressources non monétaires",
        "Non-monetary resources",
        "Part des ressources non monétaires : bénévolat, réciprocité, apports en nature. "
        "Les trois parts ne dépassent pas 1 ensemble.",
        "Share of non-monetary resources: volunteering, reciprocity, in-kind "
        "contributions. The three shares add up to at most 1.",
        "Quelle part des ressources est non monétaire (bénévolat, réciprocité, apports "
        "en nature) ?",
        "What share of the resources is non-monetary (volunteering, reciprocity, "
        "in-kind contributions)?",
    ),
    "funding_levels": (
        "Financements publics",
        "Public funding levels",
        "Échelons des financements publics reçus, séparés par « ; » : local, regional "
        "(régional), national, european (européen).",
        "Levels of public funding received, separated by ';': local, regional, national, european.",
        "De quels échelons l'initiative reçoit-elle des financements publics : local, "
        "régional, national, européen ?",
        "From which levels does the initiative receive public funding: local, regional, "
        "national, European?",
    ),
    "legal_entity": (
        "Personnalité morale",
        "Legal entity",
        "L'initiative est-elle elle-même une personne morale : private_law (de droit "
        "privé), public_law (de droit public) ou none (non).",
        "Whether the initiative itself is a legal person: private_law, public_law or none.",
        "L'initiative a-t-elle elle-même la personnalité morale, de droit privé ou de "
        "droit public ?",
        "Is the initiative itself a legal person, under private or public law?",
    ),
    "territory_defined": (
        "Territoire défini",
        "Defined territory",
        "L'initiative agit sur un territoire d'action délimité.",
        "The initiative works on a defined territory.",
        "L'initiative agit-elle sur un territoire délimité ?",
        "Does the initiative work on a defined territory?",
    ),
    "prior_state_support": (
        "Soutien antérieur de l'État",
        "Prior State support",
        "L'initiative a déjà été soutenue par l'État comme PTCE lors d'un appel précédent.",
        "The initiative already received State support as a PTCE under an earlier call.",
        "L'initiative a-t-elle déjà été soutenue par l'État comme PTCE lors d'un appel "
        "à projets précédent ?",
        "Has the initiative already received State support as a PTCE under an earlier call?",
    ),
}

_MEMBER_WORDS: dict[str, _Words] = {
    "applicant_id": (
        "Identifiant de la candidature",
        "Application identifier",
        "L'identifiant (colonne id de la feuille des candidatures) de la candidature "
        "dont cette organisation est membre.",
        "The identifier (id column of the applications sheet) of the application this "
        "organisation is a member of.",
        "À quelle candidature ce membre appartient-il ?",
        "Which application does this member belong to?",
    ),
    "name": (
        "Nom du membre",
        "Member name",
        "Nom de l'organisation membre.",
        "Name of the member organisation.",
        "Quel est le nom de chacun des membres ?",
        "What is the name of each member?",
    ),
    "kind": (
        "Type de membre",
        "Member kind",
        "Type d'organisation : les codes ess_… sont des acteurs de l'ESS (association, "
        "coopérative, mutuelle, fondation, entreprise ESS, réseau de l'ESS) ; les autres "
        "ne le sont pas (sme, large_company, local_authority, research_centre…).",
        "Kind of organisation: the ess_… codes are social economy actors (association, "
        "cooperative, mutual, foundation, ESS company, ESS network); the others are not "
        "(sme, large_company, local_authority, research_centre…).",
        "De quel type est chacun des membres : association, coopérative, entreprise, "
        "collectivité, centre de recherche… ?",
        "What kind of organisation is each member: association, cooperative, company, "
        "local authority, research centre…?",
    ),
    "size": (
        "Taille",
        "Size",
        "Effectif salarié : micro (moins de 10), small (10 à 49), medium (50 à 249), "
        "large (250 et plus).",
        "Staff: micro (under 10), small (10 to 49), medium (50 to 249), large (250 or more).",
        "Quelle est la taille (effectif salarié) de chacun des membres ?",
        "How many staff does each member employ?",
    ),
    "founder": (
        "Fondateur",
        "Founder",
        "L'organisation fait partie de celles qui ont lancé l'initiative.",
        "The organisation is among those that started the initiative.",
        "Quels membres sont à l'origine de l'initiative ?",
        "Which members started the initiative?",
    ),
    "local": (
        "Implanté localement",
        "Local",
        "L'organisation est implantée sur le territoire de l'initiative.",
        "The organisation is based in the initiative's territory.",
        "Quels membres sont implantés sur le territoire de l'initiative ?",
        "Which members are based in the initiative's territory?",
    ),
    "work_integration": (
        "Structure d'insertion",
        "Work integration",
        "L'organisation est une structure d'insertion par l'activité économique (SIAE).",
        "The organisation is a work-integration structure.",
        "Quels membres sont des structures d'insertion par l'activité économique ?",
        "Which members are work-integration structures?",
    ),
}

_GROUP_WORDS: dict[str, _Words] = {
    "members": (
        "Membres",
        "Members",
        "Les organisations regroupées dans l'initiative, une par ligne de la feuille des membres.",
        "The organisations grouped in the initiative, one per row of the members sheet.",
        "Quelles organisations sont membres de l'initiative ? Pour chacune : son nom, son "
        "type, sa taille, si elle est fondatrice, implantée sur le territoire, structure "
        "d'insertion.",
        "Which organisations are members of the initiative? For each: its name, kind and "
        "size, whether it is a founder, based in the territory, a work-integration "
        "structure.",
    ),
    "strategy": (
        "Stratégie commune",
        "Common strategy",
        "La stratégie commune de développement.",
        "The common development strategy.",
        "Les membres ont-ils une stratégie commune de développement ? Est-elle "
        "formalisée et tournée vers le territoire ?",
        "Do the members have a common development strategy? Is it written down and "
        "aimed at the territory?",
    ),
    "commitment": (
        "Engagement",
        "Commitment",
        "La durée de la coopération.",
        "How lasting the cooperation is.",
        "La coopération est-elle durable ou limitée à un projet ponctuel ?",
        "Is the cooperation lasting or limited to one punctual project?",
    ),
    "local_integration": (
        "Ancrage local",
        "Local integration",
        "Les liens des membres avec les réseaux locaux.",
        "The members' ties to local networks.",
        "Comment les membres sont-ils insérés dans les réseaux et partenariats locaux ?",
        "How are the members involved in local networks and partnerships?",
    ),
    "activities": (
        "Activités",
        "Activities",
        "Ce que fait l'initiative.",
        "What the initiative does.",
        "Quelles sont les activités de l'initiative et leur utilité sociale ?",
        "What are the initiative's activities and their social utility?",
    ),
    "pooling": (
        "Mutualisation",
        "Pooling",
        "Les ressources mutualisées et les investissements communs.",
        "Pooled resources and joint investments.",
        "Que mutualisent les membres, et quels investissements ont-ils faits en commun ?",
        "What do the members pool, and which investments have they made jointly?",
    ),
    "place": (
        "Lieu",
        "Place",
        "Un lieu ou une zone identifiable.",
        "An identifiable place or area.",
        "L'initiative a-t-elle un lieu identifiable : locaux partagés, zone d'activité, "
        "réseau formel ?",
        "Does the initiative have an identifiable place: shared premises, activity zone, "
        "formal network?",
    ),
    "research": (
        "Recherche",
        "Research",
        "Recherche et développement.",
        "Research and development.",
        "L'initiative mène-t-elle des activités de recherche, d'expérimentation ou d'incubation ?",
        "Does the initiative carry out research, experimentation or incubation?",
    ),
    "governance": (
        "Gouvernance",
        "Governance",
        "Comment l'initiative est gouvernée.",
        "How the initiative is governed.",
        "Comment l'initiative est-elle gouvernée : instances, membres associés, forme juridique ?",
        "How is the initiative governed: bodies, who takes part, legal form?",
    ),
    "ess_policy": (
        "Politique ESS",
        "ESS policy",
        "L'inscription dans la politique et les réseaux de l'ESS du territoire.",
        "Inscription in the territory's social economy policy and networks.",
        "L'initiative est-elle inscrite dans la politique et les réseaux de l'ESS "
        "de son territoire ?",
        "Is the initiative part of its territory's social economy policy and networks?",
    ),
    "resources": (
        "Ressources",
        "Resources",
        "La répartition des ressources par principe économique.",
        "Income by economic principle.",
        "Comment se répartissent les ressources entre ventes, fonds publics et "
        "contributions non monétaires ?",
        "How is the income split between sales, public funds and non-monetary contributions?",
    ),
    "snapshots": (
        "Historique",
        "History",
        "Les états successifs de l'initiative, datés.",
        "The initiative's successive states, dated.",
        "Comment l'initiative a-t-elle évolué depuis sa création ?",
        "How has the initiative changed since it started?",
    ),
}


def _bounds(metadata: list[Any]) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    for extra in metadata:
        for item in [extra, *getattr(extra, "metadata", [])]:
            for bound in ("ge", "le"):
                if getattr(item, bound, None) is not None:
                    bounds[bound] = getattr(item, bound)
    return bounds


def _describe(annotation: Any) -> tuple[Kind, tuple[str, ...]]:
    base, metadata = unwrap(annotation)
    allowed = literal_values(base)
    if allowed is not None:
        return "choice", allowed
    if typing.get_origin(base) is list:
        (item,) = typing.get_args(base)
        kind, allowed = _describe(item)
        if kind not in ("choice", "text"):
            msg = f"no spreadsheet column for a list of {item!r}"
            raise TypeError(msg)
        return "choices", allowed
    if base is bool:
        return "boolean", ()
    if base is int:
        return "integer", ()
    if base is float:
        return ("share" if _bounds(metadata) == {"ge": 0.0, "le": 1.0} else "number"), ()
    if base is str:
        return "text", ()
    if base is datetime.date:
        return "date", ()
    msg = f"no spreadsheet column for {base!r}"
    raise TypeError(msg)


def _columns(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, FieldInfo]]:
    """Every scalar or list-of-values field, nested objects flattened, lists of objects left out."""
    for name, info in model.model_fields.items():
        base, _ = unwrap(info.annotation)
        nested = model_of(base)
        if nested is not None:
            yield from _columns(nested, f"{prefix}{name}.")
        elif model_of(list_item(base)) is None:
            yield f"{prefix}{name}", info


def _made_up(path: str) -> _Words:
    """Words for a field nobody has described yet: its path, so the column still exists."""
    return (path, path, path, path, f"Pouvez-vous préciser « {path} » ?", f"Please state {path}.")


def _doc(path: str, annotation: Any, words: _Words) -> FieldDoc:
    kind, allowed = _describe(annotation)
    label_fr, label_en, help_fr, help_en, question_fr, question_en = words
    return FieldDoc(
        path=path,
        kind=kind,
        allowed=allowed,
        label=Text(fr=label_fr, en=label_en),
        help=Text(fr=help_fr, en=help_en),
        question=Text(fr=question_fr, en=question_en),
    )


def _applicant_fields() -> dict[str, FieldDoc]:
    columns = dict(_columns(Initiative))
    # The two columns a reader looks for first.
    order = ["id", "name", *(p for p in columns if p not in ("id", "name"))]
    return {
        path: _doc(path, columns[path].annotation, _APPLICANT_WORDS.get(path) or _made_up(path))
        for path in order
    }


def _member_fields() -> dict[str, FieldDoc]:
    fields = {"applicant_id": _doc("applicant_id", str, _MEMBER_WORDS["applicant_id"])}
    for key, info in _columns(Member):
        path = f"members.{key}"
        fields[key] = _doc(path, info.annotation, _MEMBER_WORDS.get(key) or _made_up(path))
    return fields


APPLICANT_FIELDS: dict[str, FieldDoc] = _applicant_fields()
"""The applicant sheet's columns by dotted path, ``id`` and ``name`` first, then spec order."""

MEMBER_FIELDS: dict[str, FieldDoc] = _member_fields()
"""The members sheet's columns by member field name, after the key column ``applicant_id``."""


def label(path: str) -> Text:
    """A short bilingual label for any input path a verdict or a change can name."""
    written = _written(path, "label")
    return Text(fr=path, en=path) if written is None else written


def question(path: str) -> Text:
    """The question to ask an applicant for a missing fact, for any dotted input path.

    Paths without a hand-written question (a snapshot's field, a path a future typology
    reads) get one built from the column's label, so a report never lacks a question.
    """
    written = _written(path, "question")
    if written is not None:
        return written
    named = label(path)
    return Text(fr=f"Pouvez-vous préciser « {named.fr} » ?", en=f"Could you state “{named.en}”?")


def _written(path: str, words: Literal["label", "question"]) -> Text | None:
    """A column's or a group's hand-written label or question, if there is one.

    The key column ``applicant_id`` has a label but its question is put to whoever fills
    in the members sheet, never to an applicant about a missing fact.
    """
    key = path.removeprefix("members.")
    doc = APPLICANT_FIELDS.get(path)
    member = path.startswith("members.") and key in MEMBER_FIELDS
    if doc is None and member and (words == "label" or key != "applicant_id"):
        doc = MEMBER_FIELDS[key]
    if doc is not None:
        return doc.label if words == "label" else doc.question
    if path in _GROUP_WORDS:
        fr, en = (0, 1) if words == "label" else (4, 5)
        return Text(fr=_GROUP_WORDS[path][fr], en=_GROUP_WORDS[path][en])
    return None
