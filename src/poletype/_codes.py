"""Words for the interchange format's codes, for a reader who does not know them.

A programme officer reads "Type de membre : association (ess_association)" where the data
says ``ess_association``; an applicant filling the template reads what each code of a
drop-down list means. The code itself is always shown too: it is what the spreadsheet
holds and what the rules read. The meanings paraphrase ``spec/initiative-v1.md``.

Words are keyed by field path, not by code, because one code can mean different things
(``local`` is a scale, a market and a level of funding) and French agrees its adjectives
with the field's label (``Échelle : locale``, ``Débouchés : locaux``). No words hold a
comma or a bracket: they are shown in lists and followed by the code in brackets.
"""

from __future__ import annotations

from poletype._justify import Lang
from poletype.rulefile import Text

_Words = dict[str, tuple[str, str]]

_STAGE: _Words = {
    "project": ("en projet", "a project"),
    "emerging": ("en émergence", "emerging"),
    "consolidated": ("consolidé", "consolidated"),
}
_SCALE: _Words = {
    "local": ("locale", "local"),
    "regional": ("régionale", "regional"),
    "national": ("nationale", "national"),
    "transnational": ("transnationale", "transnational"),
}
_FUNCTION: _Words = {
    "production": ("production de biens ou de services", "production of goods or services"),
    "services_to_people": ("services aux personnes", "services to people"),
    "hosting": ("hébergement d'activités", "hosting activities"),
    "pooling": ("mutualisation", "pooling"),
    "incubation": ("incubation", "incubation"),
    "distribution": ("distribution et commercialisation", "distribution and marketing"),
    "training": ("formation", "training"),
    "research": ("recherche", "research"),
    "awareness": ("sensibilisation", "awareness raising"),
    "representation": ("représentation", "representation"),
    "business_support": ("accompagnement d'entreprises", "business support"),
    "observation": ("observation", "observation"),
    "resource_centre": ("centre de ressources", "resource centre"),
    "development_agency": ("agence de développement", "development agency"),
    "chamber_services": ("services consulaires", "chamber services"),
    "finance": ("financement", "finance"),
    "enterprise_creation": ("création d'entreprise", "creating an enterprise"),
}
_RESOURCE: _Words = {
    "premises": ("locaux", "premises"),
    "staff": ("personnel", "staff"),
    "equipment": ("équipements", "equipment"),
    "services": ("services", "services"),
    "purchasing": ("achats groupés", "joint purchasing"),
    "financing": ("financements", "financing"),
    "skills": ("compétences", "skills"),
    "communication": ("communication", "communication"),
}
_INVESTMENT: _Words = {
    "incubator": ("incubateur", "incubator"),
    "distribution_network": ("réseau de distribution", "distribution network"),
    "research_partnership": ("partenariat de recherche", "research partnership"),
    "production_unit": ("unité de production", "production unit"),
    "shared_company": ("société commune", "shared company"),
}
_INTENSITY: _Words = {
    "none": ("nulle", "none"),
    "low": ("faible", "low"),
    "high": ("forte", "high"),
}
_STRUCTURE: _Words = {
    "centralised": ("centralisée autour d'une structure pivot", "centralised around a pivot"),
    "decentralised": ("décentralisée en réseau de pairs", "decentralised among peers"),
}
_LEADERSHIP: _Words = {
    "public": ("public", "public"),
    "private": ("privé", "private"),
    "mixed": ("mixte", "mixed"),
}
_ORIGIN: _Words = {
    "entrepreneurial": ("à l'initiative d'entreprises", "started by enterprises"),
    "citizen": ("à l'initiative de citoyens", "started by citizens"),
    "local_authority": ("à l'initiative d'une collectivité", "started by a local authority"),
    "ess_network": ("à l'initiative d'un réseau de l'ESS", "started by an ESS network"),
    "mixed": ("mixte", "mixed"),
}
_PUBLIC_ROLE: _Words = {
    "none": ("aucun", "none"),
    "marginal": ("marginal", "marginal"),
    "facilitator": ("facilitateur", "facilitator"),
    "service_delegator": ("délégataire de services", "delegating services"),
    "project_holder": ("porteur du projet", "project holder"),
}
_APPROACH: _Words = {
    "bottom_up": ("ascendante", "bottom-up"),
    "top_down": ("descendante", "top-down"),
}
_FINALITY: _Words = {
    "growth": ("croissance", "growth"),
    "sustainable_local_development": (
        "développement local durable",
        "sustainable local development",
    ),
    "social_needs": ("réponse à des besoins sociaux", "meeting social needs"),
    "employment": ("emploi", "employment"),
}
_MARKET: _Words = {
    "local": ("locaux", "local"),
    "national": ("nationaux", "national"),
    "export": ("à l'export", "export"),
}
_INNOVATION: _Words = {
    "social": ("sociale", "social"),
    "organisational": ("organisationnelle", "organisational"),
    "technological": ("technologique", "technological"),
    "ecological": ("écologique", "ecological"),
    "economic": ("économique", "economic"),
    "governance": ("de gouvernance", "in governance"),
}
_FUNDING: _Words = {
    "local": ("locaux", "local"),
    "regional": ("régionaux", "regional"),
    "national": ("nationaux", "national"),
    "european": ("européens", "European"),
}
_LEGAL_ENTITY: _Words = {
    "private_law": ("personne morale de droit privé", "a private-law legal person"),
    "public_law": ("personne morale de droit public", "a public-law legal person"),
    "none": ("pas de personnalité morale", "not a legal person"),
}
_KIND: _Words = {
    "ess_association": ("association de l'ESS", "ESS association"),
    "ess_cooperative": ("coopérative", "cooperative"),
    "ess_mutual": ("mutuelle", "mutual society"),
    "ess_foundation": ("fondation", "foundation"),
    "ess_company": ("entreprise commerciale de l'ESS", "ESS commercial company"),
    "ess_network": ("réseau ou fédération de l'ESS", "ESS network or federation"),
    "sme": ("PME hors ESS", "SME outside the ESS"),
    "large_company": ("grande entreprise hors ESS", "large company outside the ESS"),
    "local_authority": ("collectivité locale", "local authority"),
    "state_body": ("service ou agence de l'État", "State service or agency"),
    "research_centre": ("centre de recherche", "research centre"),
    "higher_education": ("université ou école", "university or school"),
    "training_body": ("organisme de formation", "training body"),
    "citizen_group": ("collectif de citoyens", "citizens' group"),
    "social_partner": ("syndicat ou organisation patronale", "trade union or employers' body"),
    "chamber": ("chambre consulaire", "chamber of commerce or trades"),
    "development_agency": ("agence de développement économique", "development agency"),
    "financial_institution": ("banque ou financeur solidaire", "bank or solidarity financer"),
    "other": ("autre", "other"),
}
_SIZE: _Words = {
    "micro": ("moins de 10 salariés", "under 10 staff"),
    "small": ("10 à 49 salariés", "10 to 49 staff"),
    "medium": ("50 à 249 salariés", "50 to 249 staff"),
    "large": ("250 salariés ou plus", "250 staff or more"),
}

WORDS: dict[str, _Words] = {
    "stage": _STAGE,
    "scale": _SCALE,
    "activities.functions": _FUNCTION,
    "activities.primary_function": _FUNCTION,
    "pooling.resources": _RESOURCE,
    "pooling.joint_investments": _INVESTMENT,
    "research.intensity": _INTENSITY,
    "governance.structure": _STRUCTURE,
    "governance.leadership": _LEADERSHIP,
    "origin": _ORIGIN,
    "public_role": _PUBLIC_ROLE,
    "approach": _APPROACH,
    "finality": _FINALITY,
    "market_reach": _MARKET,
    "innovation": _INNOVATION,
    "funding_levels": _FUNDING,
    "legal_entity": _LEGAL_ENTITY,
    "members.kind": _KIND,
    "members.size": _SIZE,
}
"""Every code of every field with a closed list, by field path (a test keeps it complete)."""


def code_label(path: str, code: str) -> Text | None:
    """What a field's code means, in French and English; None for a code with no words."""
    words = WORDS.get(path, {}).get(code)
    return None if words is None else Text(fr=words[0], en=words[1])


def described(path: str, code: str, lang: Lang, *, code_first: bool = False) -> str:
    """A code with its meaning: ``association de l'ESS (ess_association)``.

    The code stays, in brackets, because it is what the spreadsheet's drop-down holds;
    ``code_first`` puts it first, for the applicant who types it (``project (en
    projet)``). A code that is already its own word (``incubation``) is not repeated.
    """
    label = code_label(path, code)
    words = code if label is None else getattr(label, lang)
    if words == code:
        return code
    return f"{code} ({words})" if code_first else f"{words} ({code})"
