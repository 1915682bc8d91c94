"""Who is at the keyboard, for every mode's rules: a name, a role, and the department or district that
limits what they may touch when set."""

from __future__ import annotations

from dataclasses import dataclass

from data.errors import InputError
from data.models import Role


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role
    department: str | None = None
    district: str | None = None
    login: str = ""  # the staff login that proved itself; empty for a node acting for itself

    @classmethod
    def of(cls, role: str | Role, name: str | None = None, **kw) -> Actor:
        try:
            r = Role(role)
        except ValueError:
            raise InputError(f"unknown role {role!r} (one of {', '.join(x.value for x in Role)})") from None
        return cls(name or r.value, r, **kw)
