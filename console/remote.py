"""The console attached to a running node: ``python main.py console --connect tcp://HOST:PORT``.

The window is the same one the local console opens; only its services differ. ``RemoteConsoleServices``
reads the node's replica (``nodes.console_link.ConsoleLink``) through the ordinary read methods,
writes through the node's command channel (``console.gateway.RemoteGateway``), and replaces the
journal-polling notion of "what changed" with the replica's own advance: ``last_seq`` is the replica's
version and ``events_after`` lists the replicated keys that changed, pushed to the window by
``LinkBridge`` the moment the replica commits them. The status bar shows the link (``LinkStatusLabel``).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from console.dto import Login
from console.gateway import NodeNotAnswering, RemoteGateway, order_from_doc
from console.services import ConsoleServices
from modes.common.clock import Clock, city_time
from modes.common.mode_switch import EVENT_KIND
from modes.common.orders import OrderView
from modes.common.views import JournalEntry
from nodes.client import LinkError
from nodes.console_link import ConsoleLink, LinkView, describe_key

# A change that is not one row: the reader should reload what it shows (a re-snapshot after the node
# restarted, or a reader that fell too far behind).
RESYNC_KIND = "state.resync"


class RemoteConsoleServices(ConsoleServices):
    """``ConsoleServices`` over a node's replica: reads unchanged, writes through the node."""

    def __init__(self, link: ConsoleLink, clock: Clock, login: Login):
        assert link.session_factory is not None, "open the link first"
        super().__init__(link.session_factory, clock, login, RemoteGateway(link, login))
        self.link = link

    def last_seq(self) -> int:
        # The replica's version, held in memory and pushed on every commit: nothing polls the node.
        return self.link.version

    def pending_orders(self) -> tuple[OrderView, ...]:
        """The node's orders waiting for a second person: they stay at the node (not in the replica), so
        this asks it (``query.orders``); ``NodeNotAnswering`` when it does not answer."""
        try:
            doc = self.link.call("query.orders", {}, timeout=10.0)
        except LinkError as exc:
            raise NodeNotAnswering(f"{self.link.endpoint} has not answered query.orders: {exc}") from None
        return tuple(order_from_doc(o) for o in doc.get("orders", ()))

    def audit(self, cancelled=None) -> None:
        # A replica holds the node's rows but not the journal events behind them: the centre audits.
        return None

    def events_after(self, seq: int, limit: int = 1000) -> list[JournalEntry]:
        """What changed in the replica after version ``seq``, in the journal's vocabulary: a mode switch
        is the replica's own ``mode.switched`` event; every other changed key is an entry of kind
        ``<table>.replicated`` with subject ``<table>/<key>`` (``case/12``, ``component/...``) and payload
        ``{"key": ..., "deleted": ...}``; ``state.resync`` means "reload everything"."""
        changes, lost = self.link.changes_after(seq, limit)
        now = self.clock.now()
        out: list[JournalEntry] = []
        if lost:
            out.append(JournalEntry(self.link.version, now, "", RESYNC_KIND, "state", {}))
        mode_seen = False
        for c in changes:
            kind, subject = describe_key(c.key)
            if kind == "mode":
                if not mode_seen:
                    mode_seen = True
                    event = self.last_mode_event()
                    if event is not None:
                        out.append(
                            JournalEntry(
                                c.version, event.at, event.actor, EVENT_KIND, event.subject, event.payload
                            )
                        )
                continue
            out.append(
                JournalEntry(
                    c.version, now, "", f"{kind}.replicated", subject, {"key": c.key, "deleted": c.deleted}
                )
            )
        return out


class LinkBridge(QObject):
    """Re-emits the replica's callbacks (the state client's agent thread) as GUI-thread signals."""

    advanced = Signal(int)  # the replica's new version
    link_changed = Signal()

    def __init__(self, link: ConsoleLink, parent: QObject | None = None):
        super().__init__(parent)
        self.link = link
        link.on_advanced = self.advanced.emit
        link.on_link = lambda _view: self.link_changed.emit()

    def detach(self) -> None:
        self.link.on_advanced = None
        self.link.on_link = None


class LinkStatusLabel(QLabel):
    """``Link to tcp://… up since 10:42:07 · queue 0`` or ``… DOWN for 1 min 20 s · queue 3``.

    Redrawn when the link changes and every second (the "for ..." grows); it reads the link's state in
    memory, never the network."""

    def __init__(self, link: ConsoleLink, bridge: LinkBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.link = link
        self.setObjectName("link_label")
        self.setProperty("data_text", True)
        bridge.link_changed.connect(self.refresh)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def refresh(self) -> None:
        view: LinkView = self.link.view()
        queue = view.queue + view.node_queue
        pair = "," in self.link.endpoint
        # Of a failover pair, the centre that serves now; the pair itself is in the tooltip.
        node = view.serving if pair and view.serving else self.link.endpoint
        if view.up:
            # The city's local time, as the clock beside it (not this computer's zone).
            since = city_time(view.since).strftime("%H:%M:%S")
            text = self.tr("Link to {node} up since {time} · queue {queue}").format(
                node=node, time=since, queue=queue
            )
        else:
            text = self.tr("Link to {node} DOWN for {duration} · queue {queue}").format(
                node=node, duration=self._duration(time.time() - view.since), queue=queue
            )
        self.setText(text)
        self.setStyleSheet("" if view.up else "color: #c62828; font-weight: 700;")
        tip = [self.tr("State channel: {state}").format(state=self._word(view.state_up))]
        if pair:
            tip.append(self.tr("Failover pair: {nodes}").format(nodes=self.link.endpoint.replace(",", ", ")))
        tip.append(self.tr("Command channel: {state}").format(state=self._word(view.commands_up)))
        tip.append(self.tr("Replica at sequence {seq}").format(seq=view.seq))
        if view.node_queue:
            tip.append(
                self.tr("1 command queued at the node for the centre")
                if view.node_queue == 1
                else self.tr("{count} commands queued at the node for the centre").format(
                    count=view.node_queue
                )
            )
        if view.last_error:
            tip.append(self.tr("Last error: {error}").format(error=view.last_error))
        self.setToolTip("\n".join(tip))

    def _duration(self, seconds: float) -> str:
        s = int(max(0, seconds))
        if s < 60:
            return self.tr("{s} s").format(s=s)
        if s < 3600:
            return self.tr("{m} min {s} s").format(m=s // 60, s=s % 60)
        return self.tr("{h} h {m} min").format(h=s // 3600, m=s % 3600 // 60)

    def _word(self, up: bool) -> str:
        return self.tr("up") if up else self.tr("down")

    def stop(self) -> None:
        self._timer.stop()


def attach(window, link: ConsoleLink) -> LinkBridge:
    """Wire an opened ``MainWindow`` to the node: replica commits wake its watcher at once, the city
    overview follows the replica, the link shows in the status bar. Call ``bridge.detach()`` before the
    window goes away and ``link.close()`` after it."""
    bridge = LinkBridge(link, window)
    label = LinkStatusLabel(link, bridge)
    window.statusBar().addPermanentWidget(label)
    window.link_label = label
    bridge.advanced.connect(lambda _version: window.watcher.poll())

    def refresh_overview(_old: int, _new: int) -> None:
        if window.is_loaded:
            window.workers.submit(
                window.services.overview, window.everyday_page.overview.set_overview, lambda _exc: None
            )

    window.watcher.journal_advanced.connect(refresh_overview)
    return bridge


def remote_window(link: ConsoleLink, clock: Clock, login: Login, *, layout_memory=None):
    """The main window over an opened link, wired to it: what ``run_console`` opens with ``--connect``.
    Returns (window, bridge)."""
    from console.main_window import MainWindow

    window = MainWindow(RemoteConsoleServices(link, clock, login), layout_memory=layout_memory)
    return window, attach(window, link)
