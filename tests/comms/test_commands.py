"""The command channel (docs/protocol.md section 4): persisted outbox, in-order drain, exactly-once apply."""

from __future__ import annotations

import sqlite3
import threading

import msgpack
import zmq

from comms.commands import (
    Command,
    CommandClient,
    CommandRefused,
    CommandReply,
    CommandServer,
    MemoryDedupStore,
    SqliteOutbox,
)
from comms.wire import CMD, CMD_PROTO, PING, PONG, REPLY
from tests.comms.conftest import HOST, wait_until

HB = 0.1


def _applied(db_path) -> list[tuple[str, bytes]]:
    with sqlite3.connect(db_path) as db:
        return [
            (cid, bytes(body)) for cid, body in db.execute("SELECT command_id, body FROM applied ORDER BY n")
        ]


class Replies:
    def __init__(self) -> None:
        self.items: list[CommandReply] = []
        self.lock = threading.Lock()

    def __call__(self, reply: CommandReply) -> None:
        with self.lock:
            self.items.append(reply)

    def ids(self) -> set[str]:
        with self.lock:
            return {r.command_id for r in self.items}


def test_commands_queued_while_the_server_is_down_are_applied_once_in_order(base_port, tmp_path, tool):
    replies = Replies()
    client = CommandClient(
        HOST, base_port, outbox=SqliteOutbox(tmp_path / "outbox.db"), heartbeat=HB, on_reply=replies
    )
    client.start()
    db_path = tmp_path / "centre.db"
    server_args = ["command-server", "--port", str(base_port), "--db", str(db_path)]
    try:
        ids = [client.submit(msgpack.packb({"i": i})) for i in range(30)]
        assert client.link.queue_length == 30 and not client.link.up

        server = tool(*server_args)
        server.wait_event("ready")
        wait_until(lambda: replies.ids() == set(ids), timeout=15)
        wait_until(lambda: client.link.up and client.link.queue_length == 0, timeout=5)
        assert [cid for cid, _ in _applied(db_path)] == ids

        # The centre dies (SIGKILL) while commands flow and comes back: nothing lost, nothing twice.
        more = [client.submit(msgpack.packb({"i": i})) for i in range(30, 130)]
        wait_until(lambda: len(replies.ids()) >= 50, timeout=15)
        server.kill()
        wait_until(lambda: not client.link.up, timeout=5)
        server = tool(*server_args)
        server.wait_event("ready")
        wait_until(lambda: replies.ids() == set(ids + more), timeout=20)
        assert [cid for cid, _ in _applied(db_path)] == ids + more
        server.terminate()
    finally:
        client.stop()


def test_the_outbox_survives_a_client_restart(base_port, tmp_path):
    outbox = tmp_path / "outbox.db"
    client = CommandClient(HOST, base_port, outbox=SqliteOutbox(outbox), heartbeat=HB).start()
    ids = [client.submit(b"%d" % i) for i in range(5)]
    client.stop()  # as if the district's console closed with the centre unreachable

    applied: list[str] = []
    server = CommandServer(HOST, base_port, lambda c, tx: applied.append(c.id) or b"ok").start()
    replies = Replies()
    client = CommandClient(
        HOST, base_port, outbox=SqliteOutbox(outbox), heartbeat=HB, on_reply=replies
    ).start()
    try:
        wait_until(lambda: replies.ids() == set(ids), timeout=10)
        assert applied == ids
    finally:
        client.stop()
        server.stop()


def test_a_duplicate_command_id_is_applied_once_and_answered_alike(base_port):
    applied: list[Command] = []

    def apply(command: Command, tx) -> bytes:
        applied.append(command)
        return b"reply to " + command.body

    server = CommandServer(HOST, base_port, apply).start()
    ctx = zmq.Context()
    dealer = ctx.socket(zmq.DEALER)
    dealer.connect(f"tcp://{HOST}:{base_port}")
    try:
        answers = []
        for _ in range(3):
            dealer.send_multipart([CMD_PROTO, CMD, b"cmd-1", b"first"])
            assert dealer.poll(5000)
            answers.append(dealer.recv_multipart())
        dealer.send_multipart([CMD_PROTO, CMD, b"cmd-1", b"different body, same id"])
        assert dealer.poll(5000)
        answers.append(dealer.recv_multipart())
        assert len(applied) == 1
        assert all(a == [CMD_PROTO, REPLY, b"cmd-1", b"OK", b"reply to first"] for a in answers)
        assert server.stats.get("duplicates") == 3
        dealer.send_multipart([CMD_PROTO, PING])
        assert dealer.poll(5000) and dealer.recv_multipart() == [CMD_PROTO, PONG]
    finally:
        dealer.close(0)
        ctx.term()
        server.stop()

    # Submitting the same id twice on a client queues it once.
    server = CommandServer(HOST, base_port, apply).start()
    replies = Replies()
    client = CommandClient(HOST, base_port, heartbeat=HB, on_reply=replies).start()
    try:
        client.submit(b"x", command_id="same")
        client.submit(b"x", command_id="same")
        wait_until(lambda: replies.ids() == {"same"}, timeout=10)
        assert [c.id for c in applied] == ["cmd-1", "same"]
    finally:
        client.stop()
        server.stop()


def test_refusals_are_final_and_transient_errors_are_retried(base_port):
    attempts = {"flaky": 0}
    store = MemoryDedupStore()

    def apply(command: Command, tx) -> bytes:
        if command.body == b"outside":
            raise CommandRefused("district 230103 is not yours")
        if command.body == b"flaky":
            attempts["flaky"] += 1
            if attempts["flaky"] < 3:
                raise RuntimeError("database is locked")
        return b"done"

    server = CommandServer(HOST, base_port, apply, store=store).start()
    replies = Replies()
    client = CommandClient(HOST, base_port, heartbeat=HB, resend_first=0.05, on_reply=replies).start()
    try:
        refused = client.submit(b"outside")
        flaky = client.submit(b"flaky")
        wait_until(lambda: replies.ids() == {refused, flaky}, timeout=15)
        by_id = {r.command_id: r for r in replies.items}
        assert by_id[refused].status == "REFUSED" and by_id[refused].body == b"district 230103 is not yours"
        assert by_id[flaky].status == "OK" and attempts["flaky"] == 3
        # The refusal was recorded like a reply, the failures were not.
        assert store.replies[("anonymous", refused)] == ("REFUSED", b"district 230103 is not yours")
        assert server.stats.get("apply_errors") == 2
    finally:
        client.stop()
        server.stop()


def test_link_state_reports_queue_and_heartbeat(base_port):
    links = []
    client = CommandClient(HOST, base_port, heartbeat=HB, on_link=links.append).start()
    try:
        client.submit(b"a")
        state = client.link
        assert not state.up and state.queue_length == 1 and state.last_heartbeat is None
        server = CommandServer(HOST, base_port, lambda c, tx: b"ok").start()
        wait_until(lambda: client.link.up and client.link.queue_length == 0, timeout=10)
        assert client.link.last_heartbeat is not None
        server.stop()
        wait_until(lambda: not client.link.up, timeout=5)
        assert [s.up for s in links] == [False, True, False]
        assert links[-1].since >= links[-2].since
    finally:
        client.stop()


def test_a_transient_command_is_sent_but_never_written_to_the_outbox(base_port, tmp_path):
    # A sign-in carries a password: it is queued in memory only, and a restart forgets it.
    outbox = tmp_path / "outbox.db"
    client = CommandClient(HOST, base_port, outbox=SqliteOutbox(outbox), heartbeat=HB).start()
    kept = client.submit(b"kept-command")
    secret = client.submit(b"password=hunter2-secret", persist=False)
    assert client.link.queue_length == 2
    on_disk = b"".join(p.read_bytes() for p in tmp_path.glob("outbox.db*"))  # the file and its WAL
    assert b"hunter2" not in on_disk and b"kept-command" in on_disk
    client.stop()

    applied: list[bytes] = []
    server = CommandServer(HOST, base_port, lambda c, tx: applied.append(c.body) or b"ok").start()
    replies = Replies()
    client = CommandClient(
        HOST, base_port, outbox=SqliteOutbox(outbox), heartbeat=HB, on_reply=replies
    ).start()
    try:
        wait_until(lambda: replies.ids() == {kept}, timeout=10)
        assert applied == [b"kept-command"] and secret not in replies.ids()
        # Sent while the link is up, a transient command is applied and answered like any other.
        again = client.submit(b"password=hunter2-secret", persist=False)
        wait_until(lambda: again in replies.ids(), timeout=10)
        assert applied == [b"kept-command", b"password=hunter2-secret"]
    finally:
        client.stop()
        server.stop()


def test_held_replies_wait_for_their_release_and_a_resend_meanwhile_is_not_applied_again(base_port):
    applied: list[str] = []
    marks = iter(range(1, 1_000))

    def apply(command: Command, tx) -> bytes:
        applied.append(command.id)
        return b"done " + command.id.encode()

    server = CommandServer(HOST, base_port, apply, hold=lambda command, status: next(marks), hold_timeout=30)
    replies = Replies()
    client = CommandClient(HOST, base_port, heartbeat=HB, resend_first=0.05, on_reply=replies)
    with server, client:
        ids = [client.submit(b"x", f"c{i}") for i in range(3)]
        # One in flight: the first is applied and held; its resends (every 50 ms doubling) wait with it.
        wait_until(lambda: server.stats.get("held") == 1 and server.stats.get("held_resends") >= 2)
        assert applied == ["c0"] and replies.ids() == set()
        server.release(1)
        wait_until(lambda: server.stats.get("held") == 2)
        assert replies.ids() == {"c0"} and applied == ["c0", "c1"]
        server.release(2)
        wait_until(lambda: server.stats.get("held") == 3)
        server.release(10)
        wait_until(lambda: replies.ids() == set(ids))
        assert applied == ids  # each once, in order
        assert [r.body for r in replies.items] == [b"done c0", b"done c1", b"done c2"]


def test_a_held_reply_goes_out_at_its_deadline_when_nothing_releases_it(base_port):
    server = CommandServer(HOST, base_port, lambda c, tx: b"ok", hold=lambda c, s: 5, hold_timeout=0.3)
    replies = Replies()
    client = CommandClient(HOST, base_port, heartbeat=HB, on_reply=replies)
    with server, client:
        client.submit(b"x", "late")
        wait_until(lambda: replies.ids() == {"late"})
        assert server.stats.get("released_unconfirmed") == 1
