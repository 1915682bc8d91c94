"""Who may give the orders of the civil air defence mode.

Sounding an alarm, taking a siren out of service and closing a shelter are acts of the civil-defence
office (人防办); everyone else is refused with a message naming the role that may. Role names are
accepted with a hyphen too ("civil-defence", as the mode is called on the command line).
"""

from __future__ import annotations

from dataclasses import dataclass

from data.models import Role
from modes.common.orders import AuthorityRefused


class CivilDefenceRefused(AuthorityRefused):
    """The actor's role may not give this civil-defence order."""


@dataclass(frozen=True)
class Officer:
    """Who is acting: a name for the journal and the role the rules check."""

    name: str
    role: Role

    @classmethod
    def of(cls, role: str | Role | None, name: str | None = None) -> Officer:
        parsed = parse_role(role)
        return cls(name or parsed.value, parsed)


def parse_role(role: str | Role | None) -> Role:
    if isinstance(role, Role):
        return role
    if role is None or not str(role).strip():
        raise CivilDefenceRefused(
            "no role given: civil-defence orders need the civil_defence role (--as one of its logins)"
        )
    return Role.parse(role)


def require_civil_defence(role: str | Role | None, action: str) -> Role:
    """The parsed role, or ``CivilDefenceRefused`` when it is not the civil-defence office."""
    parsed = parse_role(role)
    if parsed is not Role.CIVIL_DEFENCE:
        raise CivilDefenceRefused(
            f"role {parsed.value!r} may not {action}: only the civil-defence office "
            f"(role civil_defence, --as one of its logins) may"
        )
    return parsed


def require_own_district(name: str, own: str | None, district: str | None, what: str) -> None:
    """A district's officer acts in their own district only; a city officer (``own`` None) anywhere.
    ``CivilDefenceRefused`` names both districts."""
    if own is not None and district != own:
        raise CivilDefenceRefused(f"{what} is in district {district or '?'}; {name} acts for district {own}")
