"""What the asset status control reads: a component's state (intact, damaged, lost, abandoned, removed) or
a camera's status (online, offline, fault), and whether a person may change it.

Whether they may is the ``asset.status`` command's own rule (``link_commands.check_asset_scope``), asked
rather than restated, so the control and the command cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from comms.records import CommandRefused
from data.errors import InputError
from data.models import Camera, CameraStatus, Component, ComponentState
from modes.common.actor import Actor
from modes.everyday.link_commands import asset_district, check_asset_scope

ASSET_MODELS = {"component": (Component, "state"), "camera": (Camera, "status")}
ASSET_STATUSES: dict[str, tuple[str, ...]] = {
    "component": tuple(s.value for s in ComponentState),
    "camera": tuple(s.value for s in CameraStatus),
}


@dataclass(frozen=True)
class AssetState:
    """An asset as the control shows it: its status now, and why this person may not change it ("" when
    they may)."""

    kind: str
    id: str
    status: str
    district: str | None
    refusal: str


def asset_model(kind: str) -> tuple[type[Component] | type[Camera], str]:
    """The model and status column of an asset kind; ``InputError`` for any other kind."""
    try:
        return ASSET_MODELS[kind]
    except KeyError:
        raise InputError(f"unknown asset kind {kind!r} (component or camera)") from None


def asset_state(session: Session, kind: str, ident: str, person: Actor) -> AssetState | None:
    """The asset's status and whether ``person`` may change it; None when there is no such asset."""
    model, column = asset_model(kind)
    row = session.get(model, ident)
    if row is None:
        return None
    try:
        check_asset_scope(person, kind, row)
        refusal = ""
    except CommandRefused as exc:
        refusal = str(exc)
    return AssetState(kind, row.id, getattr(row, column), asset_district(kind, row), refusal)


def component_states(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """The state of each of these components that exists."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    return dict(session.execute(select(Component.id, Component.state).where(Component.id.in_(wanted))).all())
