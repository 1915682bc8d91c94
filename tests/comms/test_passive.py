"""PASSIVE: a command server that is not active (the standby of a failover pair) answers PING and CMD
with PASSIVE, applies and records nothing; the probe reports it; a command client keeps its command and
calls the link down until an active node answers. Real sockets on loopback, a real SQLite store."""

from __future__ import annotations

import sqlite3
import threading

import zmq

from comms.commands import PASSIVE_ERROR, CommandClient, CommandServer, SqliteDedupStore
from comms.keys import Security
from comms.probe import ProbeResult, probe
from comms.wire import CMD, CMD_PROTO, PASSIVE, PING, REPLY, STATUS_OK

from .conftest import HOST, wait_until


class Switch:
    """What a failover pair would say about this node: active or not, flipped by the test."""

    def __init__(self, active: bool) -> None:
        self.on = threading.Event()
        if active:
            self.on.set()

    def __call__(self) -> bool:
        return self.on.is_set()


def test_a_passive_server_answers_ping_and_cmd_with_passive_and_applies_nothing(base_port, tmp_path):
    applied: list[str] = []
    store = SqliteDedupStore(tmp_path / "applied.sqlite")
    _ = store.connection  # the table exists, so "nothing stored" is a count of its rows
    server = CommandServer(
        HOST, base_port, lambda c, tx: applied.append(c.id) or b"ok", store=store, active=lambda: False
    ).start()
    dealer = zmq.Context.instance().socket(zmq.DEALER)
    dealer.linger = 0
    try:
        dealer.connect(f"tcp://{HOST}:{base_port}")
        dealer.send_multipart([CMD_PROTO, PING])
        assert dealer.poll(10_000)
        assert dealer.recv_multipart() == [CMD_PROTO, PASSIVE]
        dealer.send_multipart([CMD_PROTO, CMD, b"c-1", b"body"])
        assert dealer.poll(10_000)
        assert dealer.recv_multipart() == [CMD_PROTO, PASSIVE, b"c-1"]
    finally:
        dealer.close(0)
        server.stop()
        store.close()
    assert applied == []
    with sqlite3.connect(tmp_path / "applied.sqlite") as db:
        assert db.execute("SELECT count(*) FROM applied_command").fetchone()[0] == 0
    assert server.stats.snapshot()["passive"] == 1


def test_the_probe_tells_a_passive_node_from_an_active_one(base_port, key_dir):
    switch = Switch(active=False)
    server = CommandServer(
        HOST, base_port + 3, lambda c, tx: b"ok", security=Security.from_dir(key_dir, "centre"), active=switch
    ).start()
    me = Security.from_dir(key_dir, "console-1")
    try:
        assert probe(HOST, base_port + 3, me, timeout=5) == ProbeResult.PASSIVE
        switch.on.set()
        assert probe(HOST, base_port + 3, me, timeout=5) == ProbeResult.OK
    finally:
        server.stop()


def test_a_client_keeps_its_command_while_the_node_is_passive_and_sends_it_once_it_is_active(base_port):
    switch = Switch(active=False)
    applied: list[bytes] = []
    server = CommandServer(
        HOST, base_port, lambda c, tx: applied.append(c.body) or b"done", active=switch
    ).start()
    replies = []
    client = CommandClient(HOST, base_port, heartbeat=0.1, resend_first=0.05, on_reply=replies.append).start()
    try:
        client.submit(b"order", "c-1")
        wait_until(lambda: server.stats.snapshot().get("passive", 0) >= 2)  # sent, refused, sent again
        link = client.link
        assert not link.up and link.last_error == PASSIVE_ERROR and link.queue_length == 1
        assert applied == [] and replies == []
        switch.on.set()
        wait_until(lambda: replies)
        assert [(r.command_id, r.status, r.body) for r in replies] == [("c-1", STATUS_OK, b"done")]
        assert applied == [b"order"]
        wait_until(lambda: client.link.up)
        assert client.link.queue_length == 0
    finally:
        client.stop()
        server.stop()


def test_an_active_server_still_replies(base_port):
    server = CommandServer(HOST, base_port, lambda c, tx: b"ok", active=lambda: True).start()
    dealer = zmq.Context.instance().socket(zmq.DEALER)
    dealer.linger = 0
    try:
        dealer.connect(f"tcp://{HOST}:{base_port}")
        dealer.send_multipart([CMD_PROTO, CMD, b"c-1", b"body"])
        assert dealer.poll(10_000)
        assert dealer.recv_multipart() == [CMD_PROTO, REPLY, b"c-1", STATUS_OK.encode(), b"ok"]
    finally:
        dealer.close(0)
        server.stop()
