"""What only the console holds: who is signed in at it, and the audit as its status bar shows it.

The DTOs the queries return live in ``modes.common.views``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Login:
    """Who sits at this console; ``actor`` is recorded on everything they do."""

    actor: str  # a staff login, or the role name when the city has no staff list
    role: str
    name: str = ""
    district_code: str | None = None
    department_code: str | None = None


@dataclass(frozen=True)
class AuditStatus:
    """One audit of the city (``modes.common.audit.AuditReport``, as the status bar shows it)."""

    ok: bool
    events: int
    first_bad_event: int | None
    chain_problem: str
    case_mismatches: tuple[int, ...]
    cases_checked: int
    checked_at: dt.datetime
    seconds: float
