"""People prove who they are: staff passwords, failed log-ins and locks, kept log-ins, the staff list.

Passwords are hashed with Argon2id (``data.passwords``: RFC 9106 low-memory profile, time cost 3,
memory 64 MiB, 4 lanes, 16-byte salt, 32-byte hash; one check takes about 0.1 s on the 2-core
development machine). Only the encoded hash is stored, in ``staff_credentials``, which is not replicated
to district nodes or consoles with the staff list. No password is written to the journal or a log.

``authenticate`` checks a login and a password and returns the ``Actor`` built from the staff row: the
role, district and department are the row's, never the caller's. A refusal raises ``AuthRefused`` with a
``reason`` (``unknown``, ``no_password``, ``wrong_password``, ``locked``, ``session``). Failures in a row
are counted per login; the ``MAX_FAILURES``-th locks the login for ``LOCK_FOR`` (while locked, even the
right password is refused, and attempts are not counted); a success resets the count. Each counted
failure and each lock is a journal event, in the same transaction as the counter's change, so a refusal
writes: run it through the ``auth.sign_in`` command (or ``sign_in``), which commits the count and then
reports the refusal.

Writes are functions taking ``(session, clock, ...)`` and, for every other sender, named commands on the
command bus (``register``): ``auth.sign_in``, ``auth.session_start``, ``auth.session_end``,
``staff.add``, ``staff.passwd``. Adding staff and setting passwords belongs to a local administrator,
the person holding the database (the ``local`` peer of ``command_bus.call_local``); a node refuses them
from a linked peer until a rule says who else may.

A node that authenticated a person on its own channel gets the actor with ``staff_actor`` (no password:
the channel proved it) and ``login_claims`` rewrites a command's acting fields from the staff row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from data import journal
from data.errors import InputError
from data.models import Department, District, Role, Staff, StaffCredential, StaffSession
from data.passwords import hash_password, needs_rehash, verify_password
from modes.common.actor import Actor
from modes.common.clock import Clock

if TYPE_CHECKING:
    from modes.common.command_bus import CallContext, CommandBus

MAX_FAILURES = 5
LOCK_FOR = dt.timedelta(seconds=60)
SESSION_FOR = dt.timedelta(hours=8)
MIN_PASSWORD = 8
LOCAL_ADMIN = "local-admin"  # the journal's actor for what the holder of the database file does
LOCAL_PEER_ROLE = "local"  # the role of command_bus.LOCAL_PEER
_LOGIN = re.compile(r"[a-z0-9][a-z0-9_.-]{1,31}")


class AuthRefused(InputError):
    """A log-in refused: unknown login, no password set, wrong password, locked, or a stale session."""

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        login: str,
        locked_until: dt.datetime | None = None,
        failures: int = 0,
    ):
        super().__init__(message)
        self.reason = reason
        self.login = login
        self.locked_until = locked_until
        self.failures = failures

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": False,
            "reason": self.reason,
            "login": self.login,
            "message": str(self),
            "locked_until": self.locked_until.isoformat(sep=" ") if self.locked_until else None,
            "failures": self.failures,
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> AuthRefused:
        until = doc.get("locked_until")
        return cls(
            doc["message"],
            reason=doc["reason"],
            login=doc["login"],
            locked_until=dt.datetime.fromisoformat(until) if until else None,
            failures=int(doc.get("failures") or 0),
        )


# ==================================================================================================
# Checking who someone is
# ==================================================================================================


def _staff_row(session: Session, login: str) -> Staff | None:
    return session.scalar(select(Staff).where(Staff.login == login))


def staff_actor(session: Session, login: str) -> Actor:
    """The actor of a staff login, without a password: for a node whose channel already proved who the
    person is. Raises ``AuthRefused`` (unknown) for a login that is not on the staff list."""
    row = _staff_row(session, login)
    if row is None:
        raise AuthRefused(f"unknown login {login!r}", reason="unknown", login=login)
    return Actor.of_staff(row)


def login_claims(session: Session, login: str) -> dict[str, Any]:
    """A command's acting fields (``as``, ``actor``, ``actor_department``, ``actor_district``) from the
    staff row of ``login``, replacing whatever the command claimed."""
    actor = staff_actor(session, login)
    return {
        "as": actor.role.value,
        "actor": actor.name,
        "actor_department": actor.department,
        "actor_district": actor.district,
    }


def _journal(session: Session, clock: Clock, kind: str, login: str, actor: str, **payload) -> int:
    return journal.append(
        session,
        journal.NewEvent(kind=kind, actor=actor, at=clock.now(), subject=f"staff:{login}", payload=payload),
    )


def _time(at: dt.datetime) -> str:
    return at.isoformat(sep=" ", timespec="seconds")


def login_meant(session: Session, text: str) -> str:
    """The staff login someone means by ``text`` (``--as``, the log-in dialog): the login itself; or,
    when ``text`` is no login but spells a role (``civil-defence``, ``civil_defence``, ``Civil Defence``),
    the one login that holds that role. A role several people hold is refused with their logins (the
    password then still has to be the chosen person's)."""
    text = (text or "").strip()
    if not text or _staff_row(session, text) is not None:
        return text
    role = Role.spelling(text)
    if role is None:
        return text  # unknown: the caller says so
    holders = list(session.scalars(select(Staff.login).where(Staff.role == role.value).order_by(Staff.login)))
    if len(holders) == 1:
        return holders[0]
    if not holders:
        raise AuthRefused(f"{text!r} is a role nobody on the staff list has", reason="unknown", login=text)
    named = ", ".join(holders[:8]) + (f" and {len(holders) - 8} more" if len(holders) > 8 else "")
    raise AuthRefused(
        f"{text!r} is a role ({role.value}) that {len(holders)} people hold: log in as one of them by "
        f"login ({named}; python main.py staff list)",
        reason="role",
        login=text,
    )


def authenticate(session: Session, login: str, password: str, clock: Clock) -> Actor:
    """The actor of ``login`` when ``password`` is its password; else ``AuthRefused``.

    A wrong password is counted and journaled in ``session`` *before* the refusal is raised: the caller
    commits the session anyway (``sign_in`` does), or the count is lost.
    """
    login = login_meant(session, login)
    row = _staff_row(session, login)
    if row is None:
        raise AuthRefused(f"unknown login {login!r}", reason="unknown", login=login)
    cred = session.get(StaffCredential, login)
    if cred is None or not cred.password_hash:
        raise AuthRefused(
            f"login {login!r} has no password yet: the administrator of this database sets one with "
            f"`python main.py staff passwd {login}`",
            reason="no_password",
            login=login,
        )
    now = clock.now()
    if cred.locked_until is not None and now < cred.locked_until:
        raise AuthRefused(
            f"login {login!r} is locked until {_time(cred.locked_until)} after {MAX_FAILURES} failed "
            f"log-ins in a row; try again then",
            reason="locked",
            login=login,
            locked_until=cred.locked_until,
            failures=MAX_FAILURES,
        )
    if not verify_password(cred.password_hash, password or ""):
        failures = (cred.failed_count or 0) + 1
        _journal(session, clock, "staff.login_failed", login, login, failures=failures)
        if failures >= MAX_FAILURES:
            cred.failed_count = 0  # the lock starts a new run: after it, MAX_FAILURES more tries
            cred.locked_until = now + LOCK_FOR
            _journal(
                session,
                clock,
                "staff.locked",
                login,
                login,
                until=_time(cred.locked_until),
                failures=failures,
            )
            session.flush()
            raise AuthRefused(
                f"wrong password for {login!r}: {failures} failed log-ins in a row, the login is locked "
                f"until {_time(cred.locked_until)}",
                reason="locked",
                login=login,
                locked_until=cred.locked_until,
                failures=failures,
            )
        cred.failed_count = failures
        session.flush()
        raise AuthRefused(
            f"wrong password for {login!r} ({failures} of {MAX_FAILURES} failed log-ins in a row; the "
            f"{MAX_FAILURES}th locks the login for {int(LOCK_FOR.total_seconds())} s)",
            reason="wrong_password",
            login=login,
            failures=failures,
        )
    if needs_rehash(cred.password_hash):
        # Hashed under older parameters (data/passwords.py): renewed now that the password is at hand.
        cred.password_hash = hash_password(password)
        session.flush()
    if cred.failed_count or cred.locked_until is not None:
        cred.failed_count = 0
        cred.locked_until = None
        session.flush()
    return Actor.of_staff(row)


def sign_in(session_factory, login: str, password: str, clock: Clock) -> Actor:
    """``authenticate`` in its own transaction, committed whether the log-in is accepted or refused
    (so failures count); a refusal is raised after the commit."""
    with session_factory() as s:
        with s.begin():
            try:
                return authenticate(s, login, password, clock)
            except AuthRefused as exc:
                refused = exc
        raise refused


# ==================================================================================================
# Kept log-ins (``main.py login``): a random token, of which the database stores only the SHA-256
# ==================================================================================================


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, clock: Clock, actor: Actor) -> tuple[str, dt.datetime]:
    """A new token for an authenticated ``actor``, valid for ``SESSION_FOR``: (token, expires_at).
    The token itself is returned once and never stored."""
    assert actor.login, "a kept log-in belongs to a staff login"
    now = clock.now()
    session.execute(
        delete(StaffSession).where(StaffSession.login == actor.login, StaffSession.expires_at <= now)
    )
    token = secrets.token_urlsafe(32)
    expires = now + SESSION_FOR
    session.add(
        StaffSession(token_hash=_token_hash(token), login=actor.login, issued_at=now, expires_at=expires)
    )
    _journal(session, clock, "staff.session_started", actor.login, actor.login, expires_at=_time(expires))
    session.flush()
    return token, expires


def session_actor(session: Session, clock: Clock, login: str, token: str) -> Actor:
    """The actor of a kept log-in; ``AuthRefused`` (reason ``session``) when the token is unknown,
    belongs to another login or expired. A read: nothing is written."""
    row = session.get(StaffSession, _token_hash(token or ""))
    if row is None or row.login != login:
        raise AuthRefused(
            f"no kept log-in for {login!r} here: log in again (`python main.py login {login}`)",
            reason="session",
            login=login,
        )
    if clock.now() >= row.expires_at:
        raise AuthRefused(
            f"the log-in of {login!r} expired at {_time(row.expires_at)}: log in again "
            f"(`python main.py login {login}`)",
            reason="session",
            login=login,
        )
    cred = session.get(StaffCredential, login)
    if cred is not None and cred.locked_until is not None and clock.now() < cred.locked_until:
        raise AuthRefused(
            f"login {login!r} is locked until {_time(cred.locked_until)}",
            reason="locked",
            login=login,
            locked_until=cred.locked_until,
        )
    return staff_actor(session, login)


def end_session(session: Session, clock: Clock, token: str) -> bool:
    """Forget a kept log-in; False when there was none."""
    row = session.get(StaffSession, _token_hash(token or ""))
    if row is None:
        return False
    _journal(session, clock, "staff.session_ended", row.login, row.login)
    session.delete(row)
    session.flush()
    return True


# ==================================================================================================
# The staff list
# ==================================================================================================


def list_staff(session: Session) -> list[dict[str, Any]]:
    """Every login with its name, role, district, department and whether it has a password."""
    rows = session.execute(
        select(
            Staff.login,
            Staff.name,
            Staff.role,
            Staff.district_code,
            Staff.department_code,
            StaffCredential.password_hash.is_not(None),
        )
        .outerjoin(StaffCredential, StaffCredential.login == Staff.login)
        .order_by(Staff.login)
    ).all()
    return [
        {
            "login": r[0],
            "name": r[1],
            "role": r[2],
            "district": r[3],
            "department": r[4],
            "has_password": bool(r[5]),
        }
        for r in rows
    ]


def add_staff(
    session: Session,
    clock: Clock,
    login: str,
    role: str,
    *,
    name: str | None = None,
    district: str | None = None,
    department: str | None = None,
    by: str = LOCAL_ADMIN,
) -> dict[str, Any]:
    """Add a person (without a password: ``set_password`` gives one). Journaled as ``staff.added``."""
    login = (login or "").strip()
    if not _LOGIN.fullmatch(login):
        raise InputError(
            f"login {login!r} must be 2-32 characters: lower-case letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    r = Role.parse(role)
    if r == Role.APP:
        raise InputError(
            "an Open311 application is not a person on the staff list: give it an API key "
            "(`python main.py open311 key new APP`)"
        )
    if _staff_row(session, login) is not None:
        raise InputError(f"login {login!r} already exists")
    if district and session.get(District, district) is None:
        raise InputError(f"unknown district code {district!r}")
    if department and session.get(Department, department) is None:
        raise InputError(f"unknown department code {department!r}")
    name = (name or "").strip() or login
    if len(name) > 50:
        raise InputError("a name is at most 50 characters")
    session.add(
        Staff(
            login=login,
            name=name,
            role=r.value,
            district_code=district or None,
            department_code=department or None,
        )
    )
    session.flush()
    _journal(
        session,
        clock,
        "staff.added",
        login,
        by,
        role=r.value,
        name=name,
        district=district or None,
        department=department or None,
    )
    return next(x for x in list_staff(session) if x["login"] == login)


def set_password(session: Session, clock: Clock, login: str, password: str, *, by: str = LOCAL_ADMIN) -> None:
    """Give ``login`` a new password (and clear its failures and lock). Journaled as
    ``staff.password_set``, without the password or its hash."""
    if _staff_row(session, login) is None:
        raise InputError(f"unknown login {login!r}")
    if len(password or "") < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters")
    encoded = hash_password(password)
    cred = session.get(StaffCredential, login)
    if cred is None:
        cred = StaffCredential(login=login)
        session.add(cred)
    cred.password_hash = encoded
    cred.password_set_at = clock.now()
    cred.failed_count = 0
    cred.locked_until = None
    # A new password ends every kept log-in of the old one.
    session.execute(delete(StaffSession).where(StaffSession.login == login))
    session.flush()
    _journal(session, clock, "staff.password_set", login, by)


# ==================================================================================================
# Commands on the bus
# ==================================================================================================


def actor_doc(actor: Actor) -> dict[str, Any]:
    return {
        "login": actor.login,
        "name": actor.name,
        "role": actor.role.value,
        "district": actor.district,
        "department": actor.department,
    }


def actor_from_doc(doc: dict[str, Any]) -> Actor:
    return Actor.of(
        doc["role"],
        doc["name"],
        department=doc.get("department"),
        district=doc.get("district"),
        login=doc["login"],
    )


def _sign_in(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    # A refusal is a reply, not an exception: the bus rolls back on exceptions, and the failure must count.
    try:
        actor = authenticate(
            ctx.session, str(args.get("login") or ""), str(args.get("password") or ""), ctx.clock
        )
    except AuthRefused as exc:
        return exc.as_dict()
    return {"ok": True, "actor": actor_doc(actor)}


def _session_start(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    reply = _sign_in(ctx, args)
    if not reply["ok"]:
        return reply
    token, expires = start_session(ctx.session, ctx.clock, actor_from_doc(reply["actor"]))
    return {**reply, "token": token, "expires_at": _time(expires)}


def _session_end(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    return {"ended": end_session(ctx.session, ctx.clock, str(args.get("token") or ""))}


def require_local_admin(ctx: CallContext, what: str, command: str = "staff") -> str:
    """The journal's actor of an administrator's act (``LOCAL_ADMIN``), which only the holder of the
    database may do; a linked peer is refused, told to run ``python main.py COMMAND ...`` there."""
    if ctx.peer.role != LOCAL_PEER_ROLE:
        raise InputError(
            f"{what} is done by the administrator of the centre's database "
            f"(`python main.py {command} ...` on it), not by {ctx.peer.name} over a link"
        )
    return LOCAL_ADMIN


def _staff_add(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    by = require_local_admin(ctx, "adding staff")
    return add_staff(
        ctx.session,
        ctx.clock,
        str(args.get("login") or ""),
        str(args.get("role") or ""),
        name=args.get("name"),
        district=args.get("district"),
        department=args.get("department"),
        by=by,
    )


def _staff_passwd(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    by = require_local_admin(ctx, "setting a password")
    login = str(args.get("login") or "")
    set_password(ctx.session, ctx.clock, login, str(args.get("password") or ""), by=by)
    return {"login": login, "has_password": True}


# ==================================================================================================
# Hashes for district nodes: a district checks its own people's log-ins while the centre is away
# ==================================================================================================


def credentials_for_district(session: Session, district: str) -> list[dict[str, Any]]:
    """The password hashes a district node keeps: its own district's staff and the city's officers (no
    district). Never sent to consoles; a district's failures and locks stay its own."""
    rows = session.execute(
        select(Staff.login, StaffCredential.password_hash, StaffCredential.password_set_at)
        .join(StaffCredential, StaffCredential.login == Staff.login)
        .where(
            StaffCredential.password_hash.is_not(None),
            (Staff.district_code == district) | Staff.district_code.is_(None),
        )
        .order_by(Staff.login)
    )
    return [{"login": login, "hash": h, "set_at": _time(at) if at else None} for login, h, at in rows]


def store_credentials(session: Session, credentials: list[dict[str, Any]]) -> int:
    """At a district node: keep the centre's hashes for the logins this node's staff list holds, drop
    the hashes of logins the centre no longer sends (a password removed, a person moved). Failure counts
    and locks are the node's own. Returns how many hashes changed."""
    known = set(session.scalars(select(Staff.login)))
    sent = {c["login"]: c for c in credentials if c.get("login") in known and c.get("hash")}
    changed = 0
    for cred in session.scalars(select(StaffCredential)):
        doc = sent.pop(cred.login, None)
        if doc is None:
            if cred.password_hash is not None:
                cred.password_hash, changed = None, changed + 1
        elif cred.password_hash != doc["hash"]:
            cred.password_hash, changed = doc["hash"], changed + 1
            cred.password_set_at = dt.datetime.fromisoformat(doc["set_at"]) if doc.get("set_at") else None
    for login, doc in sent.items():
        at = dt.datetime.fromisoformat(doc["set_at"]) if doc.get("set_at") else None
        session.add(
            StaffCredential(login=login, password_hash=doc["hash"], password_set_at=at, failed_count=0)
        )
        changed += 1
    session.flush()
    return changed


def _credentials(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    if ctx.peer.role_kind != "district" or ctx.scope is None or not ctx.at_centre:
        raise InputError("password hashes go from the municipal centre to district nodes only")
    return {"credentials": credentials_for_district(ctx.session, ctx.scope)}


# Commands that take a login as their argument, not as the person sending them.
OPEN_COMMANDS = frozenset(
    {"auth.sign_in", "auth.session_start", "auth.session_end", "staff.add", "staff.passwd", "order.confirm"}
)
# Commands a person may give either as the sender or, carrying a ``password``, as the ``login`` they name
# (the second person at a console refusing an order with their own password).
PASSWORD_DECISIONS = frozenset({"order.refuse"})


def proves_itself(name: str, args: dict[str, Any]) -> bool:
    """Whether the command's ``login`` is an argument its handler checks (with the password it carries),
    not a person the sender must have proved."""
    return name in OPEN_COMMANDS or (name in PASSWORD_DECISIONS and "password" in args)


def register(bus: CommandBus) -> None:
    bus.register("query.credentials", _credentials)
    bus.register("auth.sign_in", _sign_in)
    # Its reply holds the new token: not kept for resends (a resend signs in again).
    bus.register("auth.session_start", _session_start, record=False)
    bus.register("auth.session_end", _session_end)
    bus.register("staff.add", _staff_add)
    bus.register("staff.passwd", _staff_passwd)
