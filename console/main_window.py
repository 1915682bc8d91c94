"""The main window: command bar with the always-visible mode switch, the mode banner, layers on the
left, the map in the middle, selection details and the mode's own panels on the right, status below.

Switching mode changes the banner, the colour signature and the panels on the right; the map, its
view and the selection stay as they are (a commander switching to wartime must not lose their place).
"""

from __future__ import annotations

import traceback
from concurrent.futures import Future

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console import texts
from console.audit_status import AuditLabel
from console.civil_defence.panel import CivilDefenceTools
from console.confirm import lay_out_confirmation
from console.details_panel import DetailsPanel
from console.emergency.panel import install_emergency
from console.everyday.asset_tools import AssetTools
from console.everyday.case_layer_tools import CaseLayerTools
from console.everyday.case_tools import CaseTools
from console.everyday.intake_tools import IntakeTools
from console.exercises.banner import controller_button_style
from console.exercises.install import install_exercises
from console.gateway import OrderDecision
from console.layers_panel import LayersPanel
from console.layout_memory import LayoutMemory
from console.live import JournalWatcher
from console.map.layers import rasterize_cells, rings_path
from console.map.map_panel import MapPanel, MapSelection
from console.measures import MEASURE_BY_KEY
from console.mode_pages import CivilDefencePage, EmergencyPage, EverydayPage
from console.room import PageStack
from console.services import ConsoleServices
from console.theme import MODE_STYLES, banner_style, frame_style, mode_button_style
from console.two_person import ConfirmOrderDialog, PendingOrdersView, act_text
from console.video.tools import VideoTools
from console.workers import WorkerPool
from data.models import OrderState, Role
from modes.common.city_picture import CitySnapshot
from modes.common.mode_switch import EVENT_KIND, NEEDS_CONFIRMATION, Mode, ModeSwitch, ModeSwitchRefused
from modes.common.orders import OrderView
from modes.common.views import JournalEntry, SearchHit

MODE_KEYS = {Mode.EVERYDAY: "F1", Mode.CIVIL_DEFENCE: "F2", Mode.EMERGENCY: "F3"}
CONTROLLER_KEY = "F4"  # the exercise controller page: a page, not a mode (the city is not switched)
CONTROLLER_WIDTH = 860  # the right-hand column while the controller page shows its MSEL table
CONTROLLER_DETAILS_HEIGHT = 120  # the selection's details above it, kept small (a cell chosen for an inject)
RIGHT_MIN_WIDTH = 420
# How often a console attached to a node asks it for the orders waiting for a second person: they stay at
# the node (not in the replica), so another console's order shows within this time.
ORDERS_POLL_MS = 5000
OVERVIEW_EVERY_MS = 2000  # the overview's counts read again at most this often while cases change
LAYOUT_SAVE_MS = 1000  # a dragged splitter is remembered this long after it stops


# The shared layers each mode remembers for itself, and where a mode starts differently from "all on".
PRESET_LAYERS = ("communities", "components", "cameras", "fov", "supervisors", "cd_flows")
MODE_LAYER_DEFAULTS: dict[str, dict[str, bool]] = {
    Mode.CIVIL_DEFENCE.value: {
        "communities": False, "components": False, "cameras": False, "fov": False, "supervisors": False,
        "cd_flows": False,  # thousands of cell -> shelter lines: on demand, from the layers or the plan view
    },
    Mode.EMERGENCY.value: {"communities": False, "components": False, "supervisors": False},
}  # fmt: skip


class ConfirmModeDialog(QDialog):
    """Asks before the city's mode changes: says who will be recorded and asks why (the journal keeps
    the reason; the switch button stays disabled until one is given)."""

    def __init__(self, target: Mode, actor: str, parent: QWidget | None = None, *, two_person: bool = False):
        super().__init__(parent)
        self.target = target
        self.setWindowTitle(self.tr("Confirm mode switch"))
        style = MODE_STYLES[target]
        body = self.tr(
            "Switch the city to {mode} mode? Every console and district centre follows the switch, "
            "and the journal records it as made by {actor}."
        ).format(mode=texts.mode_label(target.value), actor=actor)
        if two_person:
            body += " " + self.tr(
                "The two-person rule is on: the switch waits until a second authorised person confirms "
                "it with their own password within 60 seconds."
            )
        lay_out_confirmation(
            self,
            name="confirm_mode_dialog",
            border=style.accent,
            banner_fg=style.banner_fg,
            banner_bg=style.banner_bg,
            title=texts.mode_banner(target.value),
            body=body,
            confirm_text=self.tr("Switch to {mode}").format(mode=texts.mode_label(target.value)),
            cancel_text=self.tr("Cancel"),
        )
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reason_edit")
        self.reason_edit.setPlaceholderText(self.tr("Reason (required, recorded in the journal)"))
        self.reason_edit.textChanged.connect(self._update_confirm)
        self.layout().insertWidget(2, self.reason_edit)
        self._update_confirm()

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def _update_confirm(self) -> None:
        self.confirm_button.setEnabled(bool(self.reason()))


class MainWindow(QMainWindow):
    loaded = Signal()  # the snapshot is drawn: the window is fully usable
    mode_changed = Signal(str)
    mode_switch_failed = Signal(str)
    details_shown = Signal(str, str)  # kind, key
    orders_refreshed = Signal(object)  # tuple[OrderView, ...]: the orders waiting for a second person
    order_decided = Signal(object)  # OrderDecision: a second person confirmed or refused an order here

    def __init__(
        self,
        services: ConsoleServices,
        parent: QWidget | None = None,
        *,
        drive_exercises: bool = True,
        layout_memory: LayoutMemory | None = None,
    ):
        """``drive_exercises`` False: never deliver an exercise's injects from here (a screenshot writes
        nothing); a console attached to a node never does anyway. ``layout_memory``: where this login's
        window size and splitter positions are kept between sessions (None: the defaults, kept nowhere)."""
        super().__init__(parent)
        self.services = services
        self.layout_memory = layout_memory
        self.snapshot: CitySnapshot | None = None
        self.workers = WorkerPool(self)
        self.mode = Mode.EVERYDAY
        self._layers_mode: Mode | None = None
        self._mode_layers: dict[Mode, dict[str, bool]] = {}
        self.mode_actor = ""
        self.mode_since = None
        self.is_loaded = False
        self._to_lonlat = None
        self.switching = False
        self._switch_target = Mode.EVERYDAY
        self.previewing: Mode | None = None  # a mode's page shown without switching the city
        self.pending_orders: tuple[OrderView, ...] = ()
        self.order_dialog: ConfirmOrderDialog | None = None
        self.orders_view: PendingOrdersView | None = None
        self._reading_orders = False
        self._orders_stale = False
        self.controller_shown = False  # the exercise controller page stands in for the mode's page
        self._right_sizes_before_controller: list[int] | None = None

        self.setObjectName("main_window")
        self.setWindowTitle(self.tr("Sanwei · City Command"))
        self.resize(1600, 1000)

        self._build_command_bar()
        self._build_body()
        self._build_status_bar()
        self.civil_defence = CivilDefenceTools(self)  # the civil-defence page's panels and map layers
        self.cases = CaseTools(self)  # the everyday page's case queue and case panel
        self.case_layer = CaseLayerTools(self)  # the map's live open cases
        self.intake_tools = IntakeTools(self)  # the everyday page's intake form and dashboard
        self.assets = AssetTools(self)  # the status control of a selected component or camera

        self.watcher = JournalWatcher(self.services.last_seq, 500, self)
        self.watcher.journal_advanced.connect(self._on_journal_advanced)
        self.watcher.failed.connect(self._on_watcher_failed)
        self.emergency = install_emergency(self)  # the emergency page's panels and map layers
        # The EXERCISE banner and watermark, the exercise-records setting and the controller page.
        self.exercises = install_exercises(self, drive=drive_exercises)
        # Who sees the point or case selected, and the video wall (with the demo stream server).
        self.video = VideoTools(self)
        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(1000)
        self.clock_timer.timeout.connect(self._update_clock)
        # A child timer, not QTimer.singleShot: it dies with the window instead of firing into it.
        # The overview's counts follow the journal, read at most every OVERVIEW_EVERY_MS (a drill at 60x
        # reports twice a second).
        self._overview_timer = QTimer(self)
        self._overview_timer.setSingleShot(True)
        self._overview_timer.setInterval(OVERVIEW_EVERY_MS)
        self._overview_timer.timeout.connect(self._refresh_overview)
        self._raster_timer = QTimer(self)
        self._raster_timer.setSingleShot(True)
        self._raster_timer.timeout.connect(self._start_raster)
        self.orders_timer = QTimer(self)
        self.orders_timer.setInterval(ORDERS_POLL_MS)
        self.orders_timer.timeout.connect(self.refresh_orders)
        self._update_clock()

        entry = self.services.last_mode_event()
        if entry is not None:
            self._apply_mode(Mode(entry.payload.get("to", "everyday")), entry.actor, entry.at)
        else:
            self._apply_mode(Mode.EVERYDAY, "", None)
        # The layout this login left (window size, splitters), saved again shortly after a splitter is
        # dragged and when the window closes.
        self._layout_timer = QTimer(self)
        self._layout_timer.setSingleShot(True)
        self._layout_timer.setInterval(LAYOUT_SAVE_MS)
        self._layout_timer.timeout.connect(self.save_layout)
        for splitter in self.layout_splitters().values():
            splitter.splitterMoved.connect(lambda _pos, _index: self._layout_timer.start())
        self.restore_layout()
        if services.login is not None and services.login.role == Role.DRILL.value:
            self.show_controller(True)  # the drill coordinator's own page

    # --- construction --------------------------------------------------------------------------------

    def _build_command_bar(self) -> None:
        bar = QToolBar(self.tr("Command bar"))
        bar.setObjectName("command_bar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.toggleViewAction().setEnabled(False)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        title = QLabel(self.tr("Sanwei City Command"))
        title.setObjectName("app_title")
        bar.addWidget(title)
        self.mode_buttons: dict[Mode, QToolButton] = {}
        for mode in Mode:
            button = QToolButton()
            button.setObjectName(f"mode_button_{mode.value}")
            button.setText(f"{texts.mode_short(mode.value)}  {MODE_KEYS[mode]}")
            button.setCheckable(True)
            button.setStyleSheet(mode_button_style(mode))
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            # Checked state follows the city's mode, never the click: a click only asks for a switch.
            button.clicked.connect(lambda _checked=False, m=mode: self.request_mode(m))
            bar.addWidget(button)
            self.mode_buttons[mode] = button
            shortcut = QShortcut(QKeySequence(MODE_KEYS[mode]), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda m=mode: self.request_mode(m))
        self._update_mode_permissions()
        self.controller_button = QToolButton()
        self.controller_button.setObjectName("exercise_page_button")
        self.controller_button.setText(self.tr("EXERCISES  {key}").format(key=CONTROLLER_KEY))
        self.controller_button.setCheckable(True)
        self.controller_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.controller_button.setToolTip(
            self.tr(
                "The exercise controller page: the MSEL, the exercise clock, injects and notes ({key})"
            ).format(key=CONTROLLER_KEY)
        )
        self.controller_button.setStyleSheet(controller_button_style())
        self.controller_button.clicked.connect(self.show_controller)
        bar.addWidget(self.controller_button)
        shortcut = QShortcut(QKeySequence(CONTROLLER_KEY), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(lambda: self.show_controller(not self.controller_shown))

        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("search_box")
        self.search_box.setPlaceholderText(self.tr("Find a case, cell, component…"))
        self.search_box.setToolTip(
            self.tr("Find a case number, a cell code, a component id, a camera or an area's name")
        )
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumWidth(200)  # the badge beside it must fit a 1366-pixel screen
        self.search_box.returnPressed.connect(lambda: self.search(self.search_box.text()))
        bar.addWidget(self.search_box)
        self.clock_label = QLabel()
        self.clock_label.setObjectName("clock_label")
        bar.addWidget(self.clock_label)
        login = self.services.login
        who = login.name or login.actor
        self.user_badge = QLabel(f"{texts.role_label(login.role)} · {who}")
        self.user_badge.setObjectName("user_badge")
        self.user_badge.setProperty("data_text", True)
        bar.addWidget(self.user_badge)

    def _build_body(self) -> None:
        central = QWidget()
        central.setObjectName("central")
        self.central = central
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        self.banner = QFrame()
        self.banner.setObjectName("mode_banner")
        self.banner_title = QLabel()
        self.banner_title.setObjectName("banner_title")
        self.banner_detail = QLabel()
        self.banner_detail.setObjectName("banner_detail")
        self.banner_detail.setProperty("data_text", True)
        b = QHBoxLayout(self.banner)
        b.setContentsMargins(16, 6, 16, 6)
        b.addWidget(self.banner_title)
        b.addStretch(1)
        b.addWidget(self.banner_detail)
        outer.addWidget(self.banner)

        self.layers_panel = LayersPanel()
        # No fixed minimum width: the panel is as wide as its longest layer's name needs (PanelScroll).
        self.layers_panel.layer_toggled.connect(self._on_layer_toggled)
        self.layers_panel.measure_changed.connect(self._on_measure_changed)
        self.layers_panel.component_filter_changed.connect(self._on_component_filter_changed)

        self.map = MapPanel()
        self.map.selection_changed.connect(self._on_selection_changed)
        self.map.hover_changed.connect(self._on_hover_changed)
        self.map.cursor_moved.connect(self._on_cursor_moved)
        self.map.view_changed.connect(self._on_view_changed)
        self.loading_label = QLabel(self.tr("Loading the city…"), self.map)
        self.loading_label.setObjectName("panel_title")
        self.loading_label.move(24, 24)
        self.loading_label.resize(400, 30)

        self.details = DetailsPanel()
        self.pages = PageStack()
        self.pages.setObjectName("mode_pages")
        self.page_for: dict[Mode, QWidget] = {
            Mode.EVERYDAY: EverydayPage(),
            Mode.CIVIL_DEFENCE: CivilDefencePage(),
            Mode.EMERGENCY: EmergencyPage(),
        }
        for page in self.page_for.values():
            self.pages.addWidget(page)
        right = QSplitter(Qt.Orientation.Vertical)
        right.setObjectName("right_splitter")
        right.addWidget(self.details)
        right.addWidget(self.pages)
        right.setSizes([300, 700])  # the Selection pane, the mode's page (both may be dragged)
        right.setChildrenCollapsible(False)  # a pane dragged to the edge stops at its minimum, not gone
        # A floor for the column; a page that needs more widens it (its PanelScroll asks for its width).
        self.details.setMinimumWidth(RIGHT_MIN_WIDTH)
        self.right_splitter = right

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("main_splitter")
        map_frame = QFrame()
        map_frame.setObjectName("map_frame")
        frame_layout = QVBoxLayout(map_frame)
        frame_layout.setContentsMargins(3, 3, 3, 3)
        frame_layout.addWidget(self.map)
        split.addWidget(self.layers_panel)
        split.addWidget(map_frame)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 0)
        split.setSizes([270, 860, 470])
        split.setChildrenCollapsible(False)
        self.main_splitter = split
        outer.addWidget(split, 1)
        self.setCentralWidget(central)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.hover_label = QLabel()
        self.hover_label.setObjectName("hover_label")
        self.hover_label.setProperty("data_text", True)
        self.coords_label = QLabel()
        self.coords_label.setObjectName("coords_label")
        self.coords_label.setProperty("data_text", True)
        self.journal_label = QLabel()
        self.journal_label.setObjectName("journal_label")
        self.audit_label = AuditLabel(self.services.audit)  # first check once the city has loaded
        self.orders_button = QToolButton()
        self.orders_button.setObjectName("orders_button")
        self.orders_button.setAutoRaise(True)
        self.orders_button.setToolTip(self.tr("Orders waiting for a second person (two-person rule)"))
        self.orders_button.clicked.connect(self.show_pending_orders)
        self._update_orders_button()
        status.addWidget(self.hover_label, 1)
        status.addPermanentWidget(self.orders_button)
        status.addPermanentWidget(self.coords_label)
        status.addPermanentWidget(self.journal_label)
        status.addPermanentWidget(self.audit_label)

    # --- loading -------------------------------------------------------------------------------------

    @property
    def everyday_page(self) -> EverydayPage:
        return self.page_for[Mode.EVERYDAY]

    def start(self, preloaded: Future | None = None) -> None:
        """Load the city in a worker (or take the load started at launch); the window is usable meanwhile."""
        if preloaded is not None:
            self.workers.watch(preloaded, self._on_snapshot_loaded, self._on_load_failed)
        else:
            self.workers.submit(self.services.load_snapshot, self._on_snapshot_loaded, self._on_load_failed)
        self.watcher.start()
        self.exercises.start()
        self.clock_timer.start()
        self._update_journal_label()
        self.refresh_orders()
        if self.services.gateway.remote:
            self.orders_timer.start()

    def _on_snapshot_loaded(self, snapshot: CitySnapshot) -> None:
        self.snapshot = snapshot
        self._to_lonlat = snapshot.to_lonlat
        self.map.set_snapshot(snapshot)
        comp = snapshot.components
        counts = np.bincount(comp.type_idx, minlength=len(comp.type_codes)) if len(comp.type_codes) else []
        types = [(comp.type_codes[i], comp.type_names[i], int(n)) for i, n in enumerate(counts) if n]
        types.sort(key=lambda t: -t[2])
        self.layers_panel.set_components(comp.majors, types)
        self._refresh_choropleth()
        self.loading_label.hide()
        self.is_loaded = True
        self.workers.submit(
            self.services.overview, self.everyday_page.overview.set_overview, self._on_load_failed
        )
        # The cell raster (a faster choropleth) is built after the first frames are on screen: its
        # Python loop would otherwise hold the GIL while the first paint waits.
        self._raster_timer.start(300)
        self._on_view_changed()
        # After the load, not beside it: a big city's audit reads the whole journal.
        self.audit_label.start()
        self.loaded.emit()

    def _start_raster(self) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        self.workers.submit(
            lambda: rasterize_cells(snapshot.cells.rings, snapshot.bounds),
            self.map.set_cell_raster,
            self._on_load_failed,
        )

    def _on_load_failed(self, exc: BaseException) -> None:
        self.loading_label.setText(self.tr("The city could not be loaded: {error}").format(error=str(exc)))
        self.loading_label.adjustSize()
        traceback.print_exception(exc)

    # --- modes ---------------------------------------------------------------------------------------

    def _update_mode_permissions(self) -> None:
        for mode, button in self.mode_buttons.items():
            allowed = self.services.may_switch(mode, self.mode)
            button.setEnabled(allowed or mode == self.mode)
            if allowed:
                button.setToolTip(
                    self.tr("Switch to {mode} ({key})").format(
                        mode=texts.mode_label(mode.value), key=MODE_KEYS[mode]
                    )
                )
            else:
                button.setToolTip(self._refusal_text(mode))

    def _refusal_text(self, target: Mode) -> str:
        if self.mode in NEEDS_CONFIRMATION and self.mode != target:
            return self.tr("Your role ({role}) may not take the city out of {mode}.").format(
                role=texts.role_label(self.services.login.role), mode=texts.mode_label(self.mode.value)
            )
        return self.tr("Your role ({role}) may not switch the city to {mode}.").format(
            role=texts.role_label(self.services.login.role), mode=texts.mode_label(target.value)
        )

    def request_mode(self, target: Mode | str) -> bool:
        """Ask to switch the city: who may (both ways), the confirmation with its reason, then the
        journaled switch in a worker. Returns False when refused or cancelled here."""
        target = Mode(target)
        self._sync_mode_buttons()
        if target == self.mode or self.switching:
            return False
        if not self.services.may_switch(target, self.mode):
            message = self._refusal_text(target)
            self.notify(message)
            self.mode_switch_failed.emit(message)
            return False
        reason = self.confirm_switch(target)
        if not reason:
            self.notify(self.tr("Mode switch cancelled."))
            return False
        self.switch_now(target, reason)
        return True

    def switch_now(self, target: Mode, reason: str) -> None:
        """The switch itself, once the person confirmed it and gave the reason."""
        self.switching = True
        self._switch_target = target
        self.workers.submit(
            lambda: self.services.switch_mode(target, reason), self._on_switched, self._on_switch_failed
        )

    def confirm_switch(self, target: Mode) -> str | None:
        """The reason the person gave, or None when they cancelled."""
        dialog = ConfirmModeDialog(target, self.services.login.actor, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.reason() or None

    def _on_switched(self, result: ModeSwitch) -> None:
        self.switching = False
        if result.switched:
            self._apply_mode(result.mode, result.actor, result.at)
            self.notify(
                self.tr("Switched to {mode}; recorded as journal event {seq}.").format(
                    mode=texts.mode_label(result.mode.value), seq=result.journal_seq
                )
            )
        elif result.pending and result.order is not None:
            self.notify(
                self.tr(
                    "Order {id} waits for a second person until {time}: they confirm it with their own "
                    "password in the order's dialog."
                ).format(id=result.order.id, time=result.order.expires_at.strftime("%H:%M:%S")),
                60_000,
            )
            self.open_order_dialog(result.order)
        self._update_journal_label()

    def _on_switch_failed(self, exc: BaseException) -> None:
        self.switching = False
        if isinstance(exc, ModeSwitchRefused):
            message = self._refusal_text(self._switch_target)
        else:
            message = self.tr("The switch failed: {reason}").format(reason=str(exc))
        self.notify(message)
        self.mode_switch_failed.emit(message)
        self._sync_mode_buttons()

    def _apply_mode(self, mode: Mode, actor: str, at) -> None:
        self.mode, self.mode_actor, self.mode_since = mode, actor, at
        self.previewing = None
        self._apply_layer_preset(mode)
        self.banner.setStyleSheet(banner_style(mode))
        self.setStyleSheet(frame_style(mode))
        self.banner_title.setText(f"「{texts.mode_banner(mode.value)}」")
        if actor and at is not None:
            self.banner_detail.setText(
                self.tr("since {time} · by {actor}").format(
                    time=at.strftime("%Y-%m-%d %H:%M:%S"), actor=actor
                )
            )
        else:
            self.banner_detail.setText(self.tr("normal operations"))
        self._show_mode_page(mode)
        self.setWindowTitle(self.tr("Sanwei · {mode}").format(mode=texts.mode_label(mode.value)))
        self._sync_mode_buttons()
        self._update_mode_permissions()
        self.mode_changed.emit(mode.value)

    def shows(self, mode: Mode) -> bool:
        """Whether ``mode``'s page is the one on screen: the city's mode, or the mode being previewed."""
        return Mode(mode) in (self.mode, self.previewing)

    def preview_mode(self, mode: Mode) -> None:
        """Show ``mode``'s page and layers without switching the city (``console --mode``, screenshots):
        the banner keeps the city's real mode and says that this is a preview. Writes nothing."""
        mode = Mode(mode)
        if mode == self.mode:
            return
        self._apply_layer_preset(mode)
        self.previewing = mode
        self._show_mode_page(mode)
        self.banner_detail.setText(
            self.banner_detail.text()
            + " · "
            + self.tr("previewing the {mode} page; the city is not switched").format(
                mode=texts.mode_label(mode.value)
            )
        )

    def _show_mode_page(self, mode: Mode) -> None:
        """The mode's page on the right, unless the controller page stands in for it (the drill goes on
        whatever mode the city is in)."""
        if not self.controller_shown:
            self.pages.setCurrentWidget(self.page_for[mode])

    def show_controller(self, on: bool = True) -> None:
        """Show the exercise controller page (the right-hand column widens for its MSEL table), or the
        mode's page again. Writes nothing."""
        on = bool(on)
        self.controller_button.setChecked(on)
        if on == self.controller_shown:
            return
        self.controller_shown = on
        # A minimum width rather than sizes: it holds however the window is resized afterwards (0: the
        # column is as wide as its pages need, at least RIGHT_MIN_WIDTH).
        self.right_splitter.setMinimumWidth(CONTROLLER_WIDTH if on else 0)
        if on:
            self._right_sizes_before_controller = self.right_splitter.sizes()
            total = sum(self._right_sizes_before_controller)
            self.right_splitter.setSizes(
                [CONTROLLER_DETAILS_HEIGHT, max(total - CONTROLLER_DETAILS_HEIGHT, 1)]
            )
            self.pages.setCurrentWidget(self.controller_page)
        else:
            if self._right_sizes_before_controller is not None:
                self.right_splitter.setSizes(self._right_sizes_before_controller)
            self.pages.setCurrentWidget(self.page_for[self.previewing or self.mode])
        self.exercises.set_controller_wanted(on)

    def open_page(self, page: str) -> None:
        """Open on a page (``console --page``): ``queue``, the everyday page's case queue;
        ``dashboard``, its dashboard, or ``coverage``, the dashboard at its supervisor coverage table;
        ``controller``, the exercise controller page. A view: nothing is written."""
        if page == "controller":
            self.show_controller(True)
        elif page == "queue":
            self.show_controller(False)
            self.everyday_page.tabs.setCurrentIndex(self.cases.queue_tab)
        elif page in ("dashboard", "coverage"):
            self.show_controller(False)
            self.intake_tools.show_dashboard()
            if page == "coverage":
                self.intake_tools.dashboard.scroll_to_coverage()
        else:
            raise ValueError(f"unknown page {page!r} (queue, dashboard, coverage or controller)")

    def set_measure(self, key: str) -> None:
        """Colour the cells by a measure (``console --measure``): the choropleth layer shows it."""
        if key not in MEASURE_BY_KEY:
            raise ValueError(f"unknown measure {key!r} (one of {', '.join(MEASURE_BY_KEY)})")
        self.layers_panel.set_measure(key)
        self.layers_panel.layer_boxes["choropleth"].setChecked(True)

    def _apply_layer_preset(self, mode: Mode) -> None:
        """Each mode keeps its own choice of the shared layers: wartime and emergency start without the
        everyday clutter (100,000 components, camera wedges, supervisors) that hides sirens, shelters and
        cordons; switching back restores what the user had in the mode before."""
        boxes = self.layers_panel.layer_boxes
        if self._layers_mode == mode:
            return
        if self._layers_mode is not None:
            self._mode_layers[self._layers_mode] = {k: boxes[k].isChecked() for k in PRESET_LAYERS}
        wanted = self._mode_layers.get(mode) or {
            k: MODE_LAYER_DEFAULTS.get(mode.value, {}).get(k, True) for k in PRESET_LAYERS
        }
        for key, on in wanted.items():
            boxes[key].setChecked(on)
        self._layers_mode = mode
        self.layers_panel.set_mode(mode.value)

    def _sync_mode_buttons(self) -> None:
        for m, button in self.mode_buttons.items():
            button.setChecked(m == self.mode)

    # --- map interaction -----------------------------------------------------------------------------

    def _on_layer_toggled(self, key: str, on: bool) -> None:
        self.map.set_layer_visible(key, on)

    def _on_measure_changed(self, key: str) -> None:
        self._refresh_choropleth()

    def _refresh_choropleth(self) -> None:
        if self.snapshot is None:
            return
        measure = MEASURE_BY_KEY[self.layers_panel.measure_key()]
        values = self.services.measure_values(measure.key, self.snapshot)
        classes = measure.classify(values)
        self.map.set_choropleth(classes)
        self.layers_panel.set_legend(measure, classes)

    def _on_component_filter_changed(self) -> None:
        if self.snapshot is None:
            return
        majors, states, type_code = self.layers_panel.component_filter()
        self.map.set_component_filter(self.services.component_mask(self.snapshot, majors, states, type_code))

    def _on_selection_changed(self, sel: MapSelection | None) -> None:
        if sel is None:
            self.details.clear()
            return
        if sel.kind == "case":
            # Clicked where it is: no flight. While the intake form takes map clicks the click placed a
            # report there; the case opens behind the form instead of pushing it away.
            intake = self.intake_tools.intake
            taking = intake.isVisible() and intake.take_clicks.isChecked()
            self.show_details("case", sel.key, fly=False, show_panel=not taking)
            return
        self.show_details(sel.kind, sel.key)

    def show_details(self, kind: str, key: str, *, fly: bool = True, show_panel: bool = True) -> None:
        if kind == "case":  # a case has its own panel on the everyday page
            self.cases.open_case(int(key), show_panel=show_panel, fly=fly)
        elif kind == "cell":
            d = self.services.cell_details(key)
            self.details.show_cell(d) if d else self.details.show_missing(kind, key)
        elif kind == "component":
            d = self.services.component_details(key)
            self.details.show_component(d) if d else self.details.show_missing(kind, key)
        elif kind == "camera":
            d = self.services.camera_details(self.snapshot, key)
            self.details.show_camera(d) if d else self.details.show_missing(kind, key)
        elif kind == "supervisor":
            d = self.services.supervisor_details(self.snapshot, int(key))
            self.details.show_supervisor(d) if d else self.details.show_missing(kind, key)
        elif kind in ("district", "street", "community") and self.snapshot is not None:
            d = self.services.area_details(self.snapshot, kind, key)
            self.details.show_area(d) if d else self.details.show_missing(kind, key)
        self.details_shown.emit(kind, key)

    def _on_hover_changed(self, text: str) -> None:
        self.hover_label.setText(text)

    def _on_cursor_moved(self, x: float, y: float) -> None:
        text = f"X {x:,.1f}  Y {y:,.1f}"
        if self._to_lonlat is not None:
            lon, lat = self._to_lonlat.transform(x, y)
            text += f"   {lon:.5f}°E  {lat:.5f}°N"
        self.coords_label.setText(text)

    def _on_view_changed(self) -> None:
        self.layers_panel.set_zoom_hint_visible(self.map.metres_per_pixel() > 3.0)

    # --- search --------------------------------------------------------------------------------------

    def search(self, text: str, *, animate: bool = True) -> SearchHit | None:
        if self.snapshot is None or not text.strip():
            return None
        hit = self.services.search(self.snapshot, text)
        if hit is None:
            self.notify(self.tr("Nothing found for “{text}”.").format(text=text.strip()))
            return None
        self.map.fly_to_city_bounds(hit.bounds, animate=animate)
        if hit.kind in ("cell", "component", "camera", "supervisor"):
            self.map.select(hit.kind, hit.key)
        else:
            rings = self.services.area_outline(self.snapshot, hit.kind, hit.key)
            self.map.selection = None
            if rings is not None:
                self.map.highlight_path(rings_path(rings))
            self.show_details(hit.kind, hit.key)
        return hit

    # --- live ----------------------------------------------------------------------------------------

    def _on_journal_advanced(self, old: int, new: int) -> None:
        events = self.services.events_after(old)
        others = [e for e in events if e.kind != EVENT_KIND]
        self.civil_defence.on_journal_events(others)
        self.cases.on_journal_events(others)
        self.case_layer.on_journal_events(others)
        self.intake_tools.on_journal_events(others)
        self.assets.on_journal_events(others)
        self.exercises.on_journal_events(others)
        for e in events:
            if e.kind == EVENT_KIND:
                self._on_mode_event(e)
        if any(e.kind.startswith("order.") for e in others):
            self.refresh_orders()  # perhaps another console's order, or its confirmation
        if (
            self.is_loaded
            and not self._overview_timer.isActive()
            and any(e.kind.startswith("case.") for e in others)
        ):
            self._overview_timer.start()
        if others and self.snapshot is not None:
            if MEASURE_BY_KEY[self.layers_panel.measure_key()].uses_cases:
                self._refresh_choropleth()
            if self.details.kind and self.details.key:
                self.show_details(self.details.kind, self.details.key)
        self._update_journal_label()

    def _refresh_overview(self) -> None:
        self.workers.submit(
            self.services.overview, self.everyday_page.overview.set_overview, lambda _exc: None
        )

    def _on_mode_event(self, e: JournalEntry) -> None:
        target = Mode(e.payload.get("to", Mode.EVERYDAY.value))
        if target != self.mode:
            self._apply_mode(target, e.actor, e.at)
            self.notify(
                self.tr("{actor} switched the city to {mode}.").format(
                    actor=e.actor, mode=texts.mode_label(target.value)
                )
            )

    # --- orders waiting for a second person (the two-person rule) -------------------------------------

    def refresh_orders(self) -> None:
        """Read the orders waiting for a second person again (in a worker: at a node, a round trip)."""
        if self._reading_orders:
            self._orders_stale = True  # read again when this read is back: it may predate the change
            return
        self._reading_orders, self._orders_stale = True, False
        self.workers.submit(self.services.pending_orders, self._on_orders, self._on_orders_failed)

    def _on_orders(self, orders: tuple[OrderView, ...]) -> None:
        self._reading_orders = False
        if self._orders_stale:
            self.refresh_orders()
        self.pending_orders = tuple(orders)
        self._update_orders_button()
        if self.orders_view is not None:
            self.orders_view.set_orders(self.pending_orders)
        self.orders_refreshed.emit(self.pending_orders)

    def _on_orders_failed(self, exc: BaseException) -> None:
        self._reading_orders = False
        if self._orders_stale:
            self.refresh_orders()
        self.orders_button.setToolTip(
            self.tr("The waiting orders could not be read: {error}").format(error=exc)
        )

    def _update_orders_button(self) -> None:
        now = self.services.clock.now()
        waiting = sum(1 for o in self.pending_orders if o.expires_at > now)
        if waiting:
            self.orders_button.setText(self.tr("Orders waiting: {n}").format(n=waiting))
            self.orders_button.setStyleSheet("color: #ffb300; font-weight: 700;")
        else:
            self.orders_button.setText(self.tr("No orders waiting"))
            self.orders_button.setStyleSheet("")

    def show_pending_orders(self) -> PendingOrdersView:
        """The view of the waiting orders (from the status bar), read afresh."""
        if self.orders_view is None:
            self.orders_view = PendingOrdersView(self.services.clock, self)
            self.orders_view.order_chosen.connect(self.open_order_dialog)
            self.orders_view.refresh_requested.connect(self.refresh_orders)
        self.orders_view.set_orders(self.pending_orders)
        self.orders_view.show()
        self.orders_view.activateWindow()
        self.refresh_orders()
        return self.orders_view

    def open_order_dialog(self, order: OrderView) -> ConfirmOrderDialog:
        """The dialog in which a second person confirms or refuses ``order`` with their own password."""
        dialog = self.order_dialog
        if dialog is not None and dialog.isVisible() and dialog.order.id == order.id:
            dialog.activateWindow()
            return dialog
        if dialog is not None and not dialog.busy:
            # One order's dialog at a time; one still waiting for the node's answer is left to finish.
            dialog.reject()
            dialog.deleteLater()
        dialog = ConfirmOrderDialog(self.services, self.workers, order, self)
        dialog.decided.connect(self._on_order_decided)
        self.order_dialog = dialog
        dialog.open()
        self.refresh_orders()
        return dialog

    def _on_order_decided(self, decision: OrderDecision) -> None:
        order = decision.order
        if order is not None and order.state is OrderState.CONFIRMED:
            text = self.tr("Order {id} confirmed by {login}: {what}.")
        else:
            text = self.tr("Order {id} refused by {login}: {what}.")
        if order is not None:
            self.notify(text.format(id=order.id, login=decision.login, what=act_text(order)), 30_000)
        self.watcher.poll()  # the act's journal events (a mode switch, an alarm) show at once
        self.refresh_orders()
        self.order_decided.emit(decision)

    def _on_watcher_failed(self, message: str) -> None:
        self.journal_label.setText(self.tr("Journal unreachable: {error}").format(error=message))

    def _update_journal_label(self) -> None:
        self.journal_label.setText(self.tr("Journal #{seq} · live").format(seq=self.watcher.seq))

    def _update_clock(self) -> None:
        self.clock_label.setText(self.services.clock.now().strftime("%Y-%m-%d %H:%M:%S"))
        if self.pending_orders:
            self._update_orders_button()  # an order's time runs out

    # --- the user's layout ----------------------------------------------------------------------------

    def layout_splitters(self) -> dict[str, QSplitter]:
        return {"main": self.main_splitter, "right": self.right_splitter}

    def _layout_login(self) -> str | None:
        login = self.services.login
        return login.actor if login is not None and login.actor else None

    def restore_layout(self) -> bool:
        """Put back the window size and splitter positions this login left; False when there are none."""
        login = self._layout_login()
        if self.layout_memory is None or login is None:
            return False
        return self.layout_memory.restore(self, login, self.layout_splitters())

    def save_layout(self) -> None:
        login = self._layout_login()
        if self.layout_memory is not None and login is not None:
            if self.controller_shown and self._right_sizes_before_controller is not None:
                # The controller's narrow Selection pane is the page's, not the user's choice.
                current = self.right_splitter.sizes()
                self.right_splitter.setSizes(self._right_sizes_before_controller)
                self.layout_memory.save(self, login, self.layout_splitters())
                self.right_splitter.setSizes(current)
            else:
                self.layout_memory.save(self, login, self.layout_splitters())

    # --- misc ----------------------------------------------------------------------------------------

    def notify(self, message: str, timeout_ms: int = 10_000) -> None:
        self.statusBar().showMessage(message, timeout_ms)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._layout_timer.stop()
        self.save_layout()
        self.watcher.stop()
        self.exercises.stop()
        self.case_layer.stop()
        self.audit_label.stop()
        self.video.stop()
        self.clock_timer.stop()
        self.orders_timer.stop()
        self._raster_timer.stop()
        self.workers.shutdown(10_000)
        super().closeEvent(event)
