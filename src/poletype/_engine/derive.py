"""Facts the interchange format derives when the user does not state them.

The spec makes ``origin`` and ``public_role`` exceptions to "facts, not conclusions":
where they are absent, they are derived from the members and other facts. The derivation
is done once, before any rule reads the initiative, so every typology sees the same facts
and a verdict lists the derived ones under ``derived``. ``origin`` is decided only when
the founders decide it:

- each founder's kind counts towards one origin when it is unambiguous: a citizens'
  collective → ``citizen``; a local authority or a State body → ``local_authority``; an
  ESS network → ``ess_network``; a conventional SME or large company →
  ``entrepreneurial``. Other kinds (associations, cooperatives, research bodies…) can
  belong to any origin and count towards none;
- one origin among the founders gives that origin, several give ``mixed``;
- a member whose founder flag or kind is unknown could add an origin, so the origin is
  derived only if it would not change (``mixed`` stays ``mixed`` whatever is added);
  otherwise it stays unknown, and verdicts ask for it.

``public_role`` is derived in one case only: a pole whose leadership is public has public
authorities as its project holder (Gianfaldoni's fourth role, EcoTransFaire's case). No
other fact decides the role: public bodies act from outside the membership too, so their
absence among the members does not make the role ``none`` or ``marginal``.
"""

from __future__ import annotations

from typing import Any, Final

from poletype._engine.paths import Partial
from poletype.model import Initiative, Member, listed

ORIGIN_OF_KIND: Final[dict[str, str]] = {
    "citizen_group": "citizen",
    "local_authority": "local_authority",
    "state_body": "local_authority",
    "ess_network": "ess_network",
    "sme": "entrepreneurial",
    "large_company": "entrepreneurial",
}


DERIVED_FIELDS: tuple[str, ...] = ("origin", "public_role")
"""The facts `derive` may fill in."""

VIEWED_FIELDS: tuple[str, ...] = ("members", "partners")
"""The lists `lists_view` reads as format 1.1 says; a typology that reads none of these nor
`DERIVED_FIELDS` need not derive."""


def derived_origin(initiative: Initiative) -> str | None:
    """The origin the founders decide, or ``None`` when they do not decide one."""
    if initiative.members is None:
        return None
    certain: set[str] = set()
    # Unnamed members of a partial list may be founders of any kind.
    open_ended = not members_known_complete(initiative)
    for member in initiative.members:
        if member.founder is False:
            continue
        if member.founder is None or member.kind is None:
            open_ended = True
            continue
        origin = ORIGIN_OF_KIND.get(member.kind)
        if origin is not None:
            certain.add(origin)
    if len(certain) > 1:
        return "mixed"
    if open_ended or not certain:
        return None
    return next(iter(certain))


def derived_public_role(initiative: Initiative) -> str | None:
    """The public role the facts decide: project holder under a public leadership."""
    governance = initiative.governance
    if governance is not None and governance.leadership == "public":
        return "project_holder"
    return None


def members_known_complete(initiative: Initiative) -> bool:
    """Whether ``members`` names every member (format 1.1).

    Absent, ``members_complete`` keeps the v1 reading (a given list is the membership),
    unless ``member_count`` says there are more members than the list names.
    """
    if initiative.members_complete is not None:
        return initiative.members_complete
    count = initiative.member_count
    return count is None or count == listed(initiative.members)


def _expanded(entries: list[Member]) -> list[Member]:
    """Each entry as many times as its ``count`` says: a count of kinds is that many members."""
    if all(m.count is None for m in entries):
        return entries
    expanded: list[Member] = []
    for m in entries:
        # The copies stand for one each, so reading the view again leaves it as it is.
        expanded += [m] if m.count is None else [m.model_copy(update={"count": None})] * m.count
    return expanded


def _members_view(initiative: Initiative) -> list[Member] | None:
    members, count = initiative.members, initiative.member_count
    if members is None:
        if count is None:
            return None
        return Partial((), count, count, ("members",))
    named = _expanded(members)
    if members_known_complete(initiative):
        return named
    if count == len(named):
        return named
    if count is not None:
        return Partial(named, count - len(named), count - len(named), ("members",))
    return Partial(named, 0, None, ("members_complete", "member_count"))


def _partners_view(initiative: Initiative) -> list[Member] | None:
    partners, complete = initiative.partners, initiative.partners_complete is True
    if partners is None:
        return [] if complete else None
    named = _expanded(partners)
    return named if complete else Partial(named, 0, None, ("partners_complete",))


def lists_view(initiative: Initiative) -> Initiative:
    """The initiative with ``members`` and ``partners`` as the rules read them (format 1.1).

    Entries with a ``count`` are repeated; a list that may hold more than it names is a
    `Partial`. Not a derived fact: the verdict lists none, and the input is unchanged.
    """
    update = _viewed_lists(initiative)
    return initiative.model_copy(update=update) if update else initiative


def _viewed_lists(initiative: Initiative) -> dict[str, Any]:
    update: dict[str, Any] = {}
    members = _members_view(initiative)
    if members is not initiative.members:
        update["members"] = members
    partners = _partners_view(initiative)
    if partners is not initiative.partners:
        update["partners"] = partners
    return update


def derive(initiative: Initiative) -> tuple[Initiative, tuple[str, ...]]:
    """The initiative with its derivable facts filled in, and the names of those facts.

    Its lists are read as `lists_view` says, so every stage of the engine sees one reading.
    """
    update: dict[str, Any] = {}
    if initiative.origin is None and (origin := derived_origin(initiative)) is not None:
        update["origin"] = origin
    if initiative.public_role is None and (role := derived_public_role(initiative)) is not None:
        update["public_role"] = role
    derived = tuple(update)
    update.update(_viewed_lists(initiative))
    return (initiative.model_copy(update=update) if update else initiative), derived
