"""Who sees this: the cameras whose field of view holds a point, nearest first.

A camera's field of view is the circular sector with its apex at the camera, centred on its heading
(clockwise from north), ``fov_deg`` wide and ``range_m`` deep, its edges included; a point at the camera
itself counts as seen. That is the exact sector, not the polygon the map draws (whose arc is a polyline
just inside the true arc).

``SightIndex`` keeps the cameras in arrays with an STRtree over each sector's bounding square, built
once per city picture (a few milliseconds for 1,150 cameras): a query is one tree lookup and a
vectorised test of the few candidates, tens of microseconds (bench/bench_who_sees.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import Camera
from modes.common.city_loading import load_cameras
from modes.common.city_picture import CAMERA_STATUSES, CameraLayer, CitySnapshot

COMPASS_POINTS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
_EDGE_DEG = 1e-9  # the sector's straight edges belong to it, whatever the rounding of atan2


@dataclass(frozen=True)
class CameraInView:
    """A camera that sees the point: how far it stands from it and in which direction (``bearing_deg``:
    compass bearing from the point to the camera, clockwise from north)."""

    id: str
    name: str
    status: str
    distance_m: float
    bearing_deg: float
    x: float  # the camera, city CRS
    y: float

    @property
    def compass(self) -> str:
        return compass_point(self.bearing_deg)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "distance_m": round(self.distance_m, 1),
            "bearing_deg": round(self.bearing_deg, 1),
            "compass": self.compass,
            "x": round(self.x, 2),
            "y": round(self.y, 2),
        }


@dataclass(frozen=True)
class CameraFeed:
    """What a video tile needs of a camera."""

    id: str
    name: str
    status: str
    stream_url: str


def bearing(x0: float, y0: float, x1: float, y1: float) -> float:
    """Compass bearing from (x0, y0) to (x1, y1), degrees clockwise from north."""
    return math.degrees(math.atan2(x1 - x0, y1 - y0)) % 360.0


def compass_point(bearing_deg: float) -> str:
    """One of the eight compass points (N, NE, ... NW) nearest to a bearing."""
    return COMPASS_POINTS[int(((bearing_deg % 360.0) + 22.5) // 45.0) % 8]


class SightIndex:
    """The cameras' fields of view, indexed (coordinates in the city's CRS)."""

    def __init__(self, ids, names, x, y, heading_deg, fov_deg, range_m, status):
        self.ids = np.asarray(ids, dtype=object)
        self.names = np.asarray(names, dtype=object)
        self.x = np.asarray(x, dtype=float)
        self.y = np.asarray(y, dtype=float)
        self.heading = np.asarray(heading_deg, dtype=float) % 360.0
        self.half_fov = np.clip(np.asarray(fov_deg, dtype=float), 0.0, 360.0) / 2.0
        self.range = np.maximum(np.asarray(range_m, dtype=float), 0.0)
        self.status = np.asarray(status, dtype=object)
        r = self.range
        self.tree = shapely.STRtree(shapely.box(self.x - r, self.y - r, self.x + r, self.y + r))

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def load(cls, session: Session) -> SightIndex:
        return cls.from_layer(load_cameras(session, (0.0, 0.0)), (0.0, 0.0))

    @classmethod
    def from_snapshot(cls, snapshot: CitySnapshot) -> SightIndex:
        return cls.from_layer(snapshot.cameras, snapshot.origin)

    @classmethod
    def from_layer(cls, cams: CameraLayer, origin: tuple[float, float]) -> SightIndex:
        """From the map's camera layer, whose coordinates are ``origin`` off the city's CRS."""
        status = [CAMERA_STATUSES[i] for i in cams.status_idx.tolist()]
        return cls(
            cams.ids,
            cams.names,
            cams.x + origin[0],
            cams.y + origin[1],
            cams.heading_deg,
            cams.fov_deg,
            cams.range_m,
            status,
        )

    def sees(self, which: np.ndarray, x: float, y: float) -> np.ndarray:
        """Whether each camera of ``which`` (indices) sees the point, the module's definition."""
        dx, dy = x - self.x[which], y - self.y[which]
        d = np.hypot(dx, dy)
        towards = np.degrees(np.arctan2(dx, dy))  # from the camera to the point, clockwise from north
        off = np.abs((towards - self.heading[which] + 180.0) % 360.0 - 180.0)
        return (d <= self.range[which]) & ((off <= self.half_fov[which] + _EDGE_DEG) | (d == 0.0))

    def who_sees(self, x: float, y: float) -> tuple[CameraInView, ...]:
        """The cameras whose field of view holds (x, y), nearest first (ties by id)."""
        cand = self.tree.query(shapely.Point(x, y))
        if not len(cand):
            return ()
        hits = cand[self.sees(cand, x, y)]
        if not len(hits):
            return ()
        dx, dy = self.x[hits] - x, self.y[hits] - y
        distance = np.hypot(dx, dy)
        bearing = np.degrees(np.arctan2(dx, dy)) % 360.0  # from the point to the camera
        order = np.lexsort((self.ids[hits].astype(str), distance))
        return tuple(
            CameraInView(
                str(self.ids[hits[k]]),
                str(self.names[hits[k]]),
                str(self.status[hits[k]]),
                float(distance[k]),
                float(bearing[k]),
                float(self.x[hits[k]]),
                float(self.y[hits[k]]),
            )
            for k in order.tolist()
        )


def camera_feeds(session: Session, ids: Iterable[str]) -> tuple[CameraFeed, ...]:
    """The named cameras' names, statuses and stream addresses as they are now, in the order asked
    (ids that no camera has are left out)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return ()
    rows = session.execute(
        select(Camera.id, Camera.name, Camera.status, Camera.stream_url).where(Camera.id.in_(wanted))
    ).all()
    by_id = {r[0]: CameraFeed(r[0], r[1] or "", r[2] or "", r[3] or "") for r in rows}
    return tuple(by_id[i] for i in wanted if i in by_id)
