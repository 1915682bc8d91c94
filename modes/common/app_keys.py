"""Applications that report through the Open311 gateway prove who they are with an API key.

A key is 32 random bytes (``secrets.token_urlsafe``), shown once when it is made; the database keeps its
SHA-256 only (``data.open311_models.Open311App``). A fast hash is right here, unlike for staff passwords
(Argon2id, ``modes.common.auth``): a key is not a word a person chose, so nobody can guess it from its
hash, and checking it costs microseconds on every report.

``app_actor`` turns a key into the ``Actor`` every write of the app is recorded by: ``open311:<app>``
with the role ``app``, which the workflow lets report and nothing else. The door takes that actor from
the key, never from a name the caller sends.

Writes are bus commands (``register``): ``open311.key_new`` (its reply holds the key: not kept for
resends), ``open311.key_revoke``, both for the holder of the database only, as ``staff.add`` is; each
is journaled without the key or its hash. ``query.open311_keys`` lists the apps.

Through a node, an app's command carries the session ``{"login": SESSION_LOGIN, "token": key}``
(``modes.common.command_bus.sender``): the node checks the key itself and lets it send only
``APP_COMMANDS``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data import journal
from data.errors import InputError
from data.models import Role
from data.open311_models import Open311App
from modes.common.actor import Actor
from modes.common.auth import LOCAL_ADMIN, require_local_admin
from modes.common.clock import Clock

if TYPE_CHECKING:
    from modes.common.command_bus import CallContext, CommandBus

ACTOR_PREFIX = "open311:"  # the journal's actor of an app: open311:<app>
SESSION_LOGIN = "open311-app"  # the session login of an app's command through a node
APP_COMMANDS = frozenset({"open311.report"})  # all an app may send
_APP = re.compile(r"[a-z0-9][a-z0-9_.-]{1,31}")


# Every refusal of a key starts so: a gateway told it over a link answers 403, not 400.
KEY_REFUSAL = "api_key: "


class KeyRefused(InputError):
    """An API key that is missing, unknown or revoked."""

    def __init__(self, why: str) -> None:
        super().__init__(KEY_REFUSAL + why)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _time(at: dt.datetime | None) -> str | None:
    return at.isoformat(sep=" ", timespec="seconds") if at else None


def _doc(row: Open311App) -> dict[str, Any]:
    return {
        "app": row.app,
        "key_hint": row.key_hint,
        "created_at": _time(row.created_at),
        "created_by": row.created_by,
        "revoked_at": _time(row.revoked_at),
        "revoked_by": row.revoked_by,
    }


def new_key(session: Session, clock: Clock, app: str, *, by: str = LOCAL_ADMIN) -> tuple[dict[str, Any], str]:
    """A new app with its key: (the listing row, the key). The key is returned once and never stored.
    An app name already taken (even revoked) is refused: the journal names apps, and one name must
    mean one app."""
    app = (app or "").strip()
    if not _APP.fullmatch(app):
        raise InputError(
            f"app name {app!r} must be 2-32 characters: lower-case letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    if session.scalar(select(Open311App.id).where(Open311App.app == app)) is not None:
        raise InputError(f"app {app!r} already has a key (revoke it and name the new app differently)")
    key = secrets.token_urlsafe(32)
    row = Open311App(app=app, key_hash=key_hash(key), key_hint=key[:6], created_at=clock.now(), created_by=by)
    session.add(row)
    session.flush()
    journal.append(
        session,
        journal.NewEvent(
            kind="open311.key_created", actor=by, at=clock.now(), subject=f"open311-app:{app}", payload={}
        ),
    )
    return _doc(row), key


def revoke_key(session: Session, clock: Clock, app: str, *, by: str = LOCAL_ADMIN) -> dict[str, Any]:
    """Revoke an app's key: its reports are refused from now on (its past ones stay, by its name)."""
    row = session.scalar(select(Open311App).where(Open311App.app == (app or "").strip()))
    if row is None:
        raise InputError(f"unknown app {app!r} (`python main.py open311 key list`)")
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = clock.now(), by
        session.flush()
        journal.append(
            session,
            journal.NewEvent(
                kind="open311.key_revoked",
                actor=by,
                at=clock.now(),
                subject=f"open311-app:{row.app}",
                payload={},
            ),
        )
    return _doc(row)


def list_keys(session: Session) -> list[dict[str, Any]]:
    return [_doc(r) for r in session.scalars(select(Open311App).order_by(Open311App.app))]


def app_of_key(session: Session, key: str | None) -> str:
    """The app whose live key ``key`` is; ``KeyRefused`` says why not."""
    if not key:
        raise KeyRefused("required to report (the city gives applications their keys)")
    row = session.execute(
        select(Open311App.app, Open311App.revoked_at).where(Open311App.key_hash == key_hash(key))
    ).first()
    return _live(row)


def require_live_app(session: Session, app: str) -> None:
    """Refuses an app whose key was revoked (one app, one key, for good: ``new_key``). The report
    command asks this in its own transaction, so a gateway that remembers which app a key proved still
    refuses it from the moment of the revocation."""
    _live(session.execute(select(Open311App.app, Open311App.revoked_at).where(Open311App.app == app)).first())


def _live(row) -> str:
    if row is None:
        raise KeyRefused("not a valid key")
    if row.revoked_at is not None:
        raise KeyRefused(f"the key of {row.app} was revoked on {row.revoked_at:%Y-%m-%d}")
    return row.app


def actor_of_app(app: str) -> Actor:
    return Actor(f"{ACTOR_PREFIX}{app}", Role.APP)


def app_actor(session: Session, key: str | None) -> Actor:
    """The actor an app's key proves: ``open311:<app>``, role ``app``."""
    return actor_of_app(app_of_key(session, key))


def is_app_session(session: dict[str, str] | None) -> bool:
    return session is not None and session.get("login") == SESSION_LOGIN


# --- commands on the bus --------------------------------------------------------------------------------


def _key_new(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    by = require_local_admin(ctx, "making an API key", "open311 key")
    doc, key = new_key(ctx.session, ctx.clock, str(args.get("app") or ""), by=by)
    return {"app": doc["app"], "api_key": key}


def _key_revoke(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    by = require_local_admin(ctx, "revoking an API key", "open311 key")
    return revoke_key(ctx.session, ctx.clock, str(args.get("app") or ""), by=by)


def _keys(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    return {"apps": list_keys(ctx.session)}


def register(bus: CommandBus) -> None:
    # Its reply holds the new key: not kept for resends (a resend is refused: the app exists).
    bus.register("open311.key_new", _key_new, record=False)
    bus.register("open311.key_revoke", _key_revoke)
    bus.register("query.open311_keys", _keys)
