"""Geometry storage and coordinate systems.

Polygons and lines are stored as WKB through a ``TypeDecorator`` and used as shapely objects. The
city's coordinates are in a projected metric CRS recorded in the database (``city_meta.crs``); points
of the many small things (components, cameras) are plain ``x``/``y`` columns in that CRS.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

WGS84 = "EPSG:4326"
# CGCS2000 / 3-degree Gauss-Kruger CM 126E: the national metric grid zone that contains Harbin.
HARBIN_CRS = "EPSG:4551"


class GeometryError(ValueError):
    """Geometry that cannot be stored: empty, of the wrong kind, or invalid beyond repair."""


class Geometry(TypeDecorator):
    """A shapely geometry stored as WKB."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, bytes | bytearray | memoryview):
            return bytes(value)
        return shapely.to_wkb(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return shapely.from_wkb(bytes(value))


class CrsError(ValueError):
    """An unknown or unusable coordinate reference system."""


@lru_cache(maxsize=32)
def parse_crs(text: str) -> CRS:
    try:
        crs = CRS.from_user_input(text)
    except CRSError as exc:
        raise CrsError(f"unknown CRS {text!r}: {exc}") from None
    return crs


@lru_cache(maxsize=32)
def transformer(source: str, target: str) -> Transformer:
    """A cached transformer taking (x=lon/easting, y=lat/northing) order whatever the CRS axis order."""
    return Transformer.from_crs(parse_crs(source), parse_crs(target), always_xy=True)


def require_metric(crs_text: str) -> None:
    crs = parse_crs(crs_text)
    if not crs.is_projected:
        raise CrsError(f"city CRS {crs_text!r} is not a projected (metric) CRS")


def utm_crs_for(lon: float, lat: float) -> str:
    """The UTM zone CRS for a place: the default metric CRS of a city built from imported data."""
    zone = int((lon + 180) // 6) + 1
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


def reproject(geoms: np.ndarray, source: str, target: str) -> np.ndarray:
    """An array of shapely geometries with their coordinates transformed from CRS ``source`` to
    ``target``; coordinates that cannot be transformed come out inf (see ``all_finite``)."""
    tr = transformer(source, target)

    def apply(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, apply)


def all_finite(geom) -> bool:
    return bool(np.isfinite(shapely.get_coordinates(geom)).all())


def polygonal(geom) -> Any:
    """Only the polygonal parts of ``geom`` (make_valid may add lines and points), or None."""
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon | MultiPolygon) and not p.is_empty]
    if not parts:
        return None
    # Parts of a collection may share edges, which a MultiPolygon forbids: union them.
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def repair_polygonal(geom) -> tuple[Any, str | None]:
    """(valid polygonal geometry or None, the invalidity reason when it had to be repaired).

    ``shapely.make_valid`` repairs; only its polygonal parts are kept, and a repair that leaves no area
    is no repair (None).
    """
    if geom.is_valid:
        return geom, None
    reason = shapely.is_valid_reason(geom)
    fixed = polygonal(shapely.make_valid(geom))
    if fixed is None or not fixed.is_valid or fixed.area <= 0:
        return None, reason
    return fixed, reason


def wedge_rings(x, y, heading_deg, fov_deg, range_m, steps: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Field-of-view wedges as closed rings, one row per camera: apex, ``steps`` points along the arc
    from the left edge to the right edge, apex again. Heading is clockwise from north, in degrees.
    The console draws these rings and the emergency rules intersect them, so both see one wedge."""
    x, y, heading, fov, reach = (
        np.atleast_1d(np.asarray(a, dtype=float)) for a in (x, y, heading_deg, fov_deg, range_m)
    )
    t = np.linspace(-0.5, 0.5, steps)
    angles = np.radians(heading[:, None] + fov[:, None] * t[None, :])
    ring_x = np.concatenate([x[:, None], x[:, None] + reach[:, None] * np.sin(angles), x[:, None]], axis=1)
    ring_y = np.concatenate([y[:, None], y[:, None] + reach[:, None] * np.cos(angles), y[:, None]], axis=1)
    return ring_x, ring_y
