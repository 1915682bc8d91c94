"""Who is at the keyboard, for every mode's rules: a name, a role, and the department or district that
limits what they may touch when set.

A person who logged in (``modes.common.auth``) is an ``Actor`` built from their staff row by
``Actor.of_staff``: ``login`` is set, ``name`` is the login (what the journal records and the KPIs look
names up by), and role, department and district are the row's, never the caller's.
"""

from __future__ import annotations

from dataclasses import dataclass

from data.models import Role, Staff


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role
    department: str | None = None
    district: str | None = None
    login: str | None = None  # set when the actor is an authenticated staff login

    @classmethod
    def of(cls, role: str | Role, name: str | None = None, **kw) -> Actor:
        r = Role.parse(role)  # any spelling: civil-defence, civil_defence, Civil Defence
        return cls(name or r.value, r, **kw)

    @classmethod
    def of_staff(cls, row: Staff) -> Actor:
        return cls.of(
            row.role, row.login, department=row.department_code, district=row.district_code, login=row.login
        )
