"""Geometry storage and coordinate systems.

Polygons and lines are stored as WKB through a ``TypeDecorator`` and used as shapely objects. The
city's coordinates are in a projected metric CRS recorded in the database (``city_meta.crs``); points
of the many small things (components, cameras) are plain ``x``/``y`` columns in that CRS.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
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
