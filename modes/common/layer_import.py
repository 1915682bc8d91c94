"""``layer.import``: a GIS layer file (cells, components, cameras, sirens, shelters) read into the city
that already is in the database, as one command in one transaction with its journal event; and
``departments.import`` / ``routing.import``: the city's departments and routing from a CSV file
(``data.code_tables``), the same way.

The file is read where the command is applied, so only the holder of the database applies it (the
local command line, ``python main.py import LAYER FILE``); a node refuses it from a linked peer, whose
paths mean nothing here. Like adding staff, it is the database administrator's act and the journal
records it as ``local-admin``. Founding a city from a cell file (``--new-city``) is not a command on a
city: ``data.gis_io.found_city`` does it.
"""

from __future__ import annotations

from typing import Any

from comms.records import CommandRefused
from data.city import bump_reference_version
from data.errors import InputError
from modes.common import auth
from modes.common.command_bus import CallContext, CommandBus

CITY_LAYERS = ("cells", "components", "cameras")
CIVIL_DEFENCE_LAYERS = ("sirens", "shelters")


def require_local(ctx: CallContext, what: str) -> str:
    """The journal's actor for an act of the database's administrator; refused over a link."""
    if ctx.peer.role != auth.LOCAL_PEER_ROLE:
        raise CommandRefused(
            f"{what} reads a file where the database is: it is done there (`python main.py import ...`), "
            f"not by {ctx.peer.name} over a link"
        )
    return auth.LOCAL_ADMIN


def _import(ctx: CallContext, args: dict[str, Any]) -> dict:
    by = require_local(ctx, "importing a layer")
    kind = str(args.get("layer") or "")
    path = str(args.get("file") or "")
    if kind not in CITY_LAYERS + CIVIL_DEFENCE_LAYERS:
        raise InputError(f"unknown layer {kind!r}: one of {', '.join(CITY_LAYERS + CIVIL_DEFENCE_LAYERS)}")
    if not path:
        raise InputError("layer.import needs the 'file' to read")
    options = {
        "crs": args.get("crs") or None,
        "code_field": args.get("code_field") or None,
        "layer": args.get("file_layer") or None,  # of a GeoPackage with several
        "actor": by,
        "at": ctx.clock.now(),
        "force": _flag(args, "force"),
        "encoding": args.get("encoding") or None,  # a Shapefile's text, where its files do not say
    }
    if kind in CIVIL_DEFENCE_LAYERS:
        from data.civil_defence_io import import_civil_defence

        area = args.get("area_per_person")
        if area is not None and (isinstance(area, bool) or not isinstance(area, int | float)):
            raise InputError(f"'area_per_person' must be a number of m2, not {area!r}")
        report = import_civil_defence(ctx.session, kind, path, area_per_person_m2=area, **options)
    else:
        from data.gis_io import import_layer

        if kind == "cells":
            options["overlaps"] = str(args.get("overlaps") or "keep")
        # Cells into a city that exists: a file without a city is refused, never founds one here.
        report = import_layer(ctx.session, kind, path, new_city=False if kind == "cells" else None, **options)
    bump_reference_version(ctx.session)
    return report.as_dict()


def _flag(args: dict[str, Any], name: str) -> bool:
    value = args.get(name, False)
    if not isinstance(value, bool):
        raise InputError(f"{name!r} must be true or false, not {value!r}")
    return value


def _table_import(table: str):
    def run(ctx: CallContext, args: dict[str, Any]) -> dict:
        from data import code_tables

        by = require_local(ctx, f"importing {table}")
        path = str(args.get("file") or "")
        if not path:
            raise InputError(f"{table}.import needs the 'file' to read")
        read = code_tables.import_departments if table == "departments" else code_tables.import_routing
        report = read(ctx.session, path, actor=by, at=ctx.clock.now())
        bump_reference_version(ctx.session)
        return report.as_dict()

    return run


def register(bus: CommandBus) -> None:
    bus.register("layer.import", _import)
    bus.register("departments.import", _table_import("departments"))
    bus.register("routing.import", _table_import("routing"))
