"""Checks an import makes on a layer as a whole before it writes anything.

Overlapping cells. Cells whose interiors share at least ``OVERLAP_MIN_M2`` (1 m2, measured in the city's
metric CRS) are an overlap; touching edges and slivers below that are digitising noise and pass silently.
The pairs are looked for among the file's cells and between them and the city's other cells (an STRtree
query, then the intersection area of the few pairs whose interiors meet). An import keeps overlapping
cells by default and says so (the pairs with their shared area); ``overlaps="refuse"`` refuses the file.
A point in a shared area is placed in the cell with the lower code, every time (``data.spatial``).

A layer far from the city. A layer whose bounding box lies more than ``FAR_KM`` (50 km, on the
ellipsoid) from the bounding box of the city's cells is refused unless forced: such a layer is another
city, or its coordinates were read in the wrong CRS, and reprojecting it into this city's CRS would
distort it without a word (Los Angeles taken into the Harbin zone grew 2.26 times in area).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Geod
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.city import city_crs
from data.errors import InputError
from data.geometry import WGS84, transformer
from data.models import GridCell

OVERLAP_MIN_M2 = 1.0
LISTED_OVERLAPS = 100  # pairs kept in a report (all are counted)
OVERLAP_CHOICES = ("keep", "refuse")
FAR_KM = 50.0
_GEOD = Geod(ellps="WGS84")
_OUTLINE_POINTS = 24  # per side of a bounding box, when measuring between two of them


@dataclass(frozen=True)
class Overlap:
    """Two cells whose interiors share ``area_m2``; ``a`` has the lower code and takes the points there."""

    a: str
    b: str
    area_m2: float
    a_source: str | None = None  # the code in the file, when the cell's code was allocated
    b_source: str | None = None

    def as_dict(self) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "area_m2": round(self.area_m2, 1),
            "a_source": self.a_source,
            "b_source": self.b_source,
        }

    def describe(self) -> str:
        def name(code: str, source: str | None) -> str:
            return f"{code} ({source})" if source else code

        return f"{name(self.a, self.a_source)} and {name(self.b, self.b_source)} share {self.area_m2:,.1f} m2"


def find_overlaps(
    cells: dict[str, object], others: dict[str, object] | None = None, min_area_m2: float = OVERLAP_MIN_M2
) -> list[Overlap]:
    """Every pair of cells whose interiors share at least ``min_area_m2``: among ``cells`` (code ->
    geometry in a metric CRS) and between them and ``others`` (the city's cells the file leaves as
    they are). Largest shared area first, then by codes."""
    if not cells:
        return []
    codes = np.asarray(list(cells), dtype=object)
    geoms = np.asarray(list(cells.values()), dtype=object)
    tree = shapely.STRtree(geoms)
    left_codes, left, right_codes, right = [], [], [], []
    i, j = tree.query(geoms, predicate="intersects")
    mine = i < j
    left_codes.append(codes[i[mine]])
    left.append(geoms[i[mine]])
    right_codes.append(codes[j[mine]])
    right.append(geoms[j[mine]])
    if others:
        other_codes = np.asarray(list(others), dtype=object)
        other_geoms = np.asarray(list(others.values()), dtype=object)
        i, j = tree.query(other_geoms, predicate="intersects")
        left_codes.append(other_codes[i])
        left.append(other_geoms[i])
        right_codes.append(codes[j])
        right.append(geoms[j])
    ga, gb = np.concatenate(left), np.concatenate(right)
    ca, cb = np.concatenate(left_codes), np.concatenate(right_codes)
    # Neighbours touch along their edges: only pairs whose interiors meet are worth an intersection.
    meet = ~shapely.touches(ga, gb)
    areas = shapely.area(shapely.intersection(ga[meet], gb[meet]))
    found = [
        Overlap(min(x, y), max(x, y), float(area))
        for x, y, area in zip(ca[meet], cb[meet], areas, strict=True)
        if area >= min_area_m2
    ]
    return sorted(found, key=lambda o: (-o.area_m2, o.a, o.b))


# --- a layer far from the city --------------------------------------------------------------------


class FarLayer(InputError):
    """A layer that lies more than ``FAR_KM`` from the city it is imported into."""


def city_bounds(session: Session) -> tuple[float, float, float, float] | None:
    """The bounding box of the city's cells in its CRS, or None when it has none."""
    geoms = np.asarray(session.scalars(select(GridCell.geometry)).all(), dtype=object)
    if not len(geoms):
        return None
    return tuple(float(v) for v in shapely.total_bounds(geoms))


def _outline_lonlat(bounds: Sequence[float], crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Points along a bounding box's outline (in ``crs``) as longitude, latitude."""
    minx, miny, maxx, maxy = bounds
    t = np.linspace(0.0, 1.0, _OUTLINE_POINTS, endpoint=False)
    xs = np.concatenate(
        [minx + (maxx - minx) * t, np.full_like(t, maxx), maxx - (maxx - minx) * t, np.full_like(t, minx)]
    )
    ys = np.concatenate(
        [np.full_like(t, miny), miny + (maxy - miny) * t, np.full_like(t, maxy), maxy - (maxy - miny) * t]
    )
    lon, lat = transformer(crs, WGS84).transform(xs, ys)
    return np.asarray(lon), np.asarray(lat)


def distance_km(a: Sequence[float], b: Sequence[float], crs: str) -> float:
    """The distance on the ellipsoid between two bounding boxes in ``crs``; 0 when they meet."""
    if a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]:
        return 0.0
    lon_a, lat_a = _outline_lonlat(a, crs)
    lon_b, lat_b = _outline_lonlat(b, crs)
    ok_a = np.isfinite(lon_a) & np.isfinite(lat_a)
    ok_b = np.isfinite(lon_b) & np.isfinite(lat_b)
    if not ok_a.any() or not ok_b.any():
        return float("inf")
    lon1, lon2 = np.meshgrid(lon_a[ok_a], lon_b[ok_b])
    lat1, lat2 = np.meshgrid(lat_a[ok_a], lat_b[ok_b])
    _, _, metres = _GEOD.inv(lon1.ravel(), lat1.ravel(), lon2.ravel(), lat2.ravel())
    return float(np.min(metres)) / 1000.0


def _where(bounds: Sequence[float], crs: str) -> str:
    lon, lat = transformer(crs, WGS84).transform((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
    if not (np.isfinite(lon) and np.isfinite(lat)):
        return "at a place the city's CRS cannot give in longitude/latitude"
    return f"around lon {lon:.3f}, lat {lat:.3f}"


def check_near_city(
    session: Session,
    label: str,
    xs: Sequence[float],
    ys: Sequence[float],
    *,
    force: bool,
    what: str = "the layer lies",
    crs_hint: str = "give the file's CRS with --crs",
) -> float | None:
    """Refuse (``FarLayer``) a layer whose points (``xs``, ``ys``: coordinates in the city CRS, e.g. a
    geometry's bounds) lie more than ``FAR_KM`` from the city's cells, unless ``force``. Returns the
    distance in km when a far layer was forced in, else None."""
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    ok = np.isfinite(xs) & np.isfinite(ys)
    if not ok.any():
        return None
    city = city_bounds(session)
    if city is None:
        return None
    crs = city_crs(session)
    layer = (float(xs[ok].min()), float(ys[ok].min()), float(xs[ok].max()), float(ys[ok].max()))
    km = distance_km(layer, city, crs)
    if km <= FAR_KM:
        return None
    if force:
        return km
    raise FarLayer(
        f"{label}: nothing imported: {what} about {km:,.0f} km from the city "
        f"({_where(layer, crs)}; the city is {_where(city, crs).removeprefix('around ')}), more than "
        f"{FAR_KM:.0f} km. Either its coordinates were read in the wrong CRS ({crs_hint}), or it is another city (found that one in a new database: import cells FILE --new-city "
        f"--db NEW). --force imports it here all the same."
    )
