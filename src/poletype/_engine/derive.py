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

from typing import Final

from poletype.model import Initiative

ORIGIN_OF_KIND: Final[dict[str, str]] = {
    "citizen_group": "citizen",
    "local_authority": "local_authority",
    "state_body": "local_authority",
    "ess_network": "ess_network",
    "sme": "entrepreneurial",
    "large_company": "entrepreneurial",
}


DERIVED_FIELDS: tuple[str, ...] = ("origin", "public_role")
"""The facts `derive` may fill in; a typology that reads neither need not derive."""


def derived_origin(initiative: Initiative) -> str | None:
    """The origin the founders decide, or ``None`` when they do not decide one."""
    if initiative.members is None:
        return None
    certain: set[str] = set()
    open_ended = False
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


def derive(initiative: Initiative) -> tuple[Initiative, tuple[str, ...]]:
    """The initiative with its derivable facts filled in, and the names of those facts."""
    update: dict[str, str] = {}
    if initiative.origin is None and (origin := derived_origin(initiative)) is not None:
        update["origin"] = origin
    if initiative.public_role is None and (role := derived_public_role(initiative)) is not None:
        update["public_role"] = role
    if not update:
        return initiative, ()
    return initiative.model_copy(update=update), tuple(update)
