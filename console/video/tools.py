"""Plugs live video and "who sees this" into the main window.

- Under the selection's details: the cameras that see the point clicked on the map (a cell's, a
  component's, an empty spot's), or the case shown, nearest first with distance and bearing; a selected
  camera gets "Play video".
- The video wall (``VideoWall``) opens on those cameras; the case queue's and the incident list's
  context menus open it on a case's or an incident's cameras ("Video wall").
- Demo cameras play from the demo stream server (``DemoStreams``), started on demand.

"Who sees this" is ``modes.common.sight.SightIndex`` over the map's camera layer, built once per city
picture; a query takes tens of microseconds, so it runs on the GUI thread. The cameras' names, statuses
and stream addresses come from the database as they are when the wall opens.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt, QTimer
from PySide6.QtWidgets import QMenu

from console.video.demo_streams import DemoStreams
from console.video.sight_list import SightList, compass_label
from console.video.wall import VideoWall, WallCamera
from modes.common.city_picture import CitySnapshot
from modes.common.sight import CameraFeed, CameraInView, SightIndex, bearing, camera_feeds
from nodes.video import RETRY, Backoff

AREA_KINDS = ("district", "street", "community")


class VideoTools(QObject):
    def __init__(self, window, *, backoff: Backoff = RETRY):
        super().__init__(window)
        self.window = window
        self.backoff = backoff
        self.streams = DemoStreams(self)
        self.wall: VideoWall | None = None
        self._index: SightIndex | None = None
        self._index_of: CitySnapshot | None = None
        self._clicked: tuple[float, float] | None = None  # the map click whose selection is coming
        self._wall_for_incident: int | None = None  # open the wall once this incident's board is in
        self.sight = SightList()
        window.details.add_below(self.sight)
        self.sight.wall_requested.connect(self._on_wall_requested)
        self.sight.camera_play_requested.connect(self.play_camera)
        window.map.point_clicked.connect(self._on_point_clicked)
        window.details_shown.connect(self._on_details_shown)
        # A case chosen in the queue (after the case tools have opened it in the case panel).
        window.cases.queue.case_selected.connect(self._on_case_chosen)
        window.cases.queue.case_activated.connect(self._on_case_chosen)
        self._add_menu(window.cases.queue.table, self.case_menu)
        emergency = getattr(window, "emergency", None)
        if emergency is not None:
            self._add_menu(emergency.panels[0].table, self.incident_menu)
            emergency.board_changed.connect(self._on_incident_board)

    # --- who sees this -------------------------------------------------------------------------------

    def sight_index(self) -> SightIndex | None:
        snapshot = self.window.snapshot
        if snapshot is None:
            return None
        if self._index_of is not snapshot:
            self._index, self._index_of = SightIndex.from_snapshot(snapshot), snapshot
        return self._index

    def who_sees(self, x: float, y: float) -> tuple[CameraInView, ...]:
        index = self.sight_index()
        return index.who_sees(x, y) if index is not None else ()

    def show_point(self, x: float, y: float, subject: str | None = None) -> tuple[CameraInView, ...]:
        """List the cameras that see (x, y) (city CRS) under the details."""
        seen = self.who_sees(x, y)
        self.sight.show_cameras(subject or self.tr("this point"), seen)
        return seen

    def _on_point_clicked(self, x: float, y: float) -> None:
        self._clicked = (x, y)
        QTimer.singleShot(0, self._forget_click)  # the click's own selection arrives before this
        self.show_point(x, y)

    def _forget_click(self) -> None:
        self._clicked = None

    def _on_case_chosen(self, case_id: int) -> None:
        detail = self.window.cases.panel.detail
        if detail is not None and detail.id == case_id:
            self.show_point(detail.x, detail.y, self.tr("case {id}").format(id=case_id))

    def _on_details_shown(self, kind: str, key: str) -> None:
        if kind == "camera":
            self.sight.show_camera(key)
        elif kind == "case":
            self._on_case_chosen(int(key))
        elif self._clicked is not None:
            pass  # a map click: its point is listed already
        elif kind in AREA_KINDS or not kind:
            self.sight.clear()
        else:
            where = self._location(kind, key)
            if where is None:
                self.sight.clear()
            else:
                self.show_point(*where[:2], where[2])

    def _location(self, kind: str, key: str) -> tuple[float, float, str] | None:
        """Where a feature chosen without a click stands (a cell: its centre), city CRS."""
        s = self.window.snapshot
        if s is None:
            return None
        if kind == "cell" and (i := s.cell_index(key)) >= 0:
            x, y = s.to_city(s.cells.centroid_x[i], s.cells.centroid_y[i])
            return float(x), float(y), self.tr("the centre of cell {code}").format(code=key)
        if kind == "component" and (i := s.component_index(key)) >= 0:
            x, y = s.to_city(s.components.x[i], s.components.y[i])
            return float(x), float(y), self.tr("component {id}").format(id=key)
        return None

    # --- the wall ------------------------------------------------------------------------------------

    def feeds(self, ids) -> tuple[CameraFeed, ...]:
        with self.window.services.session_factory() as s:
            return camera_feeds(s, ids)

    def open_wall(self, title: str, cameras: list[WallCamera], tiles: int | None = None) -> VideoWall:
        if self.wall is None:
            self.wall = VideoWall(self.streams, self.window, backoff=self.backoff)
        self.wall.open(title, cameras, tiles)
        self.wall.show()
        self.wall.activateWindow()
        return self.wall

    def open_wall_on(self, title: str, seen: tuple[CameraInView, ...], first: int = 0) -> VideoWall:
        """The wall on cameras that see something, ``first`` in the first tile, the rest nearest first."""
        order = [seen[first], *seen[:first], *seen[first + 1 :]] if seen else []
        feeds = {f.id: f for f in self.feeds(c.id for c in order)}
        cameras = [
            WallCamera(
                feeds[c.id],
                self.tr("{n} m · {compass}").format(
                    n=f"{c.distance_m:.0f}", compass=compass_label(c.compass)
                ),
            )
            for c in order
            if c.id in feeds
        ]
        return self.open_wall(title, cameras)

    def open_wall_at(self, x: float, y: float, subject: str | None = None) -> VideoWall:
        title = self.tr("Cameras that see {subject}").format(subject=subject or self.tr("this point"))
        return self.open_wall_on(title, self.who_sees(x, y))

    def open_wall_for_case(self, case_id: int) -> VideoWall | None:
        detail = self.window.cases.services.case_detail(case_id)
        if detail is None:
            return None
        return self.open_wall_at(detail.x, detail.y, self.tr("case {id}").format(id=case_id))

    def open_wall_for_incident(self, incident_id: int) -> VideoWall | None:
        """The cameras covering the incident's area (its impact's list, nearest first); when another
        incident is selected, this one is selected first and the wall opens once its board is in."""
        emergency = self.window.emergency
        board = emergency.board
        if board is not None and board.selected is not None and board.selected.id == incident_id:
            return self._open_incident_wall(board)
        self._wall_for_incident = incident_id
        emergency.select(incident_id)
        return None

    def _on_incident_board(self, board) -> None:
        wanted, self._wall_for_incident = self._wall_for_incident, None
        if wanted is not None and board.selected is not None and board.selected.id == wanted:
            self._open_incident_wall(board)
        elif wanted is not None:
            self._wall_for_incident = wanted  # an earlier board: the one asked for is still coming

    def _open_incident_wall(self, board) -> VideoWall:
        v = board.selected
        title = self.tr("Cameras that see incident {id}").format(id=v.id)
        if board.impact is None:
            return self.open_wall_on(title, self.who_sees(v.x, v.y))
        seen = tuple(
            CameraInView(c.id, c.name, c.status, c.distance_m, bearing(v.x, v.y, c.x, c.y), c.x, c.y)
            for c in board.impact.cameras
        )
        return self.open_wall_on(title, seen)

    def play_camera(self, camera_id: str) -> VideoWall | None:
        feeds = self.feeds([camera_id])
        if not feeds:
            return None
        return self.open_wall(self.tr("Camera {id}").format(id=camera_id), [WallCamera(feeds[0])], tiles=1)

    def _on_wall_requested(self, ids: tuple[str, ...], first: int) -> None:
        seen = {c.id: c for c in self.sight.cameras}
        cams = tuple(seen[i] for i in ids if i in seen)
        self.open_wall_on(self.sight.title.text(), cams, first)

    # --- context menus -------------------------------------------------------------------------------

    def _add_menu(self, view, build) -> None:
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(lambda pos, v=view: self._show_menu(v, pos, build))

    def _show_menu(self, view, pos: QPoint, build) -> None:
        index = view.indexAt(pos)
        if not index.isValid():
            return
        menu = build(index.row())
        if menu is not None:
            menu.popup(view.viewport().mapToGlobal(pos))

    def case_menu(self, row: int) -> QMenu | None:
        case_id = self.window.cases.queue.model.case_id_at(row)
        if case_id is None:
            return None
        menu = QMenu(self.window)
        action = menu.addAction(self.tr("Video wall"))
        action.setObjectName("case_video_wall")
        action.triggered.connect(lambda: self.open_wall_for_case(case_id))
        return menu

    def incident_menu(self, row: int) -> QMenu | None:
        view = self.window.emergency.panels[0].model.row(row)
        if view is None:
            return None
        menu = QMenu(self.window)
        action = menu.addAction(self.tr("Video wall"))
        action.setObjectName("incident_video_wall")
        action.triggered.connect(lambda: self.open_wall_for_incident(view.id))
        return menu

    def stop(self) -> None:
        """The console closes: stop the players (waiting a moment for their threads) and the demo server."""
        if self.wall is not None:
            self.wall.stop(wait=0.5)
        self.streams.stop()
