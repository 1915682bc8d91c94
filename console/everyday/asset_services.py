"""What the asset status control may ask of the city: a component's state (intact, damaged, lost,
abandoned, removed) or a camera's status (online, offline, fault), and who may change it.

Reads open their own short session (the city's database, or a node's replica); the one write,
``set_status``, is the ``asset.status`` command through the console's write gateway, so a console
attached to a node changes the asset at the node and sees it come back through replication. Whether the
login may change an asset is the command's own rule (``check_asset_scope``), asked rather than restated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from comms.commands import CommandRefused
from console.dto import Login
from console.gateway import LocalGateway, WriteGateway, person_of, provisional_result
from data.errors import InputError
from data.models import Camera, CameraStatus, Component, ComponentState
from modes.common.clock import Clock
from modes.everyday.link_commands import asset_district, check_asset_scope

SessionFactory = Callable[[], Session]

ASSET_MODELS = {"component": (Component, "state"), "camera": (Camera, "status")}
ASSET_STATUSES: dict[str, tuple[str, ...]] = {
    "component": tuple(s.value for s in ComponentState),
    "camera": tuple(s.value for s in CameraStatus),
}


@dataclass(frozen=True)
class AssetState:
    """An asset as the control shows it: its status now, and why this login may not change it ("" when
    it may)."""

    kind: str
    id: str
    status: str
    district: str | None
    refusal: str


@dataclass(frozen=True)
class AssetStatusResult:
    kind: str
    id: str
    previous: str
    status: str
    changed: bool
    journal_seq: int  # 0 when nothing changed, or while a district node holds the change for the centre


class AssetServices:
    """Component and camera statuses for one logged-in user."""

    def __init__(
        self, session_factory: SessionFactory, clock: Clock, login: Login, gateway: WriteGateway | None = None
    ):
        self.session_factory = session_factory
        self.clock = clock
        self.login = login
        self.gateway: WriteGateway = gateway or LocalGateway(session_factory, clock, login)

    @classmethod
    def of(cls, services) -> AssetServices:
        """From the console's services (same sessions, clock, login and write gateway)."""
        return cls(
            services.session_factory, services.clock, services.login, getattr(services, "gateway", None)
        )

    # --- reads ----------------------------------------------------------------------------------------

    def asset(self, kind: str, ident: str) -> AssetState | None:
        """The asset's status and whether this login may change it; None when there is no such asset."""
        model, column = _model(kind)
        with self.session_factory() as s:
            row = s.get(model, ident)
            if row is None:
                return None
            try:
                check_asset_scope(person_of(self.login), kind, row)
                refusal = ""
            except CommandRefused as exc:
                refusal = str(exc)
            return AssetState(kind, row.id, getattr(row, column), asset_district(kind, row), refusal)

    def component_states(self, ids: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        with self.session_factory() as s:
            return dict(
                s.execute(select(Component.id, Component.state).where(Component.id.in_(wanted))).all()
            )

    # --- the write ------------------------------------------------------------------------------------

    def set_status(self, kind: str, ident: str, status: str, note: str = "") -> AssetStatusResult:
        """Mark a component or camera (``asset.status``). Runs in a worker. The node's rules refuse an
        unknown asset, an unknown status or an asset outside the login's scope, with their reason
        (``InputError``, ``CommandRefused``); nothing is written then."""
        _model(kind)

        def decode(result) -> AssetStatusResult:
            doc, queued = provisional_result(result)
            return AssetStatusResult(
                doc["kind"],
                doc["id"],
                doc["from"],
                doc["to"],
                bool(doc["changed"]),
                0 if queued else int(doc.get("journal_seq") or 0),
            )

        return self.gateway.write(
            "asset.status", {"kind": kind, "id": ident, "status": status, "note": note.strip()}, decode=decode
        )


def _model(kind: str):
    try:
        return ASSET_MODELS[kind]
    except KeyError:
        raise InputError(f"unknown asset kind {kind!r} (component or camera)") from None
