"""What the asset status control may ask of the city: an asset's status and who may change it
(``modes.everyday.assets``), and the one write, ``set_status``.

Reads open their own short session (the city's database, or a node's replica); ``set_status`` is the
``asset.status`` command through the console's write gateway, so a console attached to a node changes
the asset at the node and sees it come back through replication.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from console.dto import Login
from console.gateway import LocalGateway, WriteGateway, person_of, provisional_result
from data.db import SessionFactory
from modes.common.clock import Clock
from modes.everyday import assets
from modes.everyday.assets import AssetState


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
        with self.session_factory() as s:
            return assets.asset_state(s, kind, ident, person_of(self.login))

    def component_states(self, ids: Iterable[str]) -> dict[str, str]:
        with self.session_factory() as s:
            return assets.component_states(s, ids)

    # --- the write ------------------------------------------------------------------------------------

    def set_status(self, kind: str, ident: str, status: str, note: str = "") -> AssetStatusResult:
        """Mark a component or camera (``asset.status``). Runs in a worker. The node's rules refuse an
        unknown asset, an unknown status or an asset outside the login's scope, with their reason
        (``InputError``, ``CommandRefused``); nothing is written then."""
        assets.asset_model(kind)

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
