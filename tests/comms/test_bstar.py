"""The Binary Star pair: the decision table, and two real heartbeat agents on loopback (CURVE)."""

from __future__ import annotations

import itertools

import pytest

from comms.bstar import TABLE, BinaryStar, Event, State, decide
from comms.keys import Security
from tests.comms.conftest import HOST, wait_until

HB = 0.1


# --- the table -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("state", "event"), sorted(TABLE, key=str))
def test_every_row_of_the_table_is_what_decide_does(state, event):
    outcome = TABLE[(state, event)]
    lost = decide(state, event, peer_lost=True, role=State.PRIMARY)
    alive = decide(state, event, peer_lost=False, role=State.PRIMARY)
    if outcome.to is not None and not outcome.refuse:
        assert lost.state == outcome.to
        assert alive.state == (state if outcome.if_peer_lost else outcome.to)
    else:
        assert lost.state == alive.state == state
    assert lost.fault == alive.fault == outcome.fault


def test_a_passive_node_takes_over_only_when_the_peer_is_lost_and_a_client_asks():
    asked_alive = decide(State.PASSIVE, Event.CLIENT_REQUEST, peer_lost=False, role=State.BACKUP)
    assert (asked_alive.state, asked_alive.accepted) == (State.PASSIVE, False)
    asked_lost = decide(State.PASSIVE, Event.CLIENT_REQUEST, peer_lost=True, role=State.BACKUP)
    assert (asked_lost.state, asked_lost.accepted, asked_lost.changed) == (State.ACTIVE, True, True)
    # Hearing the active peer keeps a passive node passive, however often.
    heard = decide(State.PASSIVE, Event.PEER_ACTIVE, peer_lost=False, role=State.BACKUP)
    assert (heard.state, heard.changed) == (State.PASSIVE, False)


def test_a_backup_that_never_saw_the_primary_never_serves():
    for lost in (True, False):
        d = decide(State.BACKUP, Event.CLIENT_REQUEST, peer_lost=lost, role=State.BACKUP)
        assert (d.state, d.accepted) == (State.BACKUP, False)


def test_two_active_nodes_the_backup_steps_down_the_primary_stays():
    backup = decide(State.ACTIVE, Event.PEER_ACTIVE, peer_lost=False, role=State.BACKUP)
    primary = decide(State.ACTIVE, Event.PEER_ACTIVE, peer_lost=False, role=State.PRIMARY)
    assert (backup.state, backup.fault) == (State.PASSIVE, True)
    assert (primary.state, primary.fault) == (State.ACTIVE, True)


def test_no_sequence_of_events_leaves_both_nodes_active_once_they_hear_each_other():
    """Every pair of start roles, fed every interleaving of up to four events while hearing each other
    (peer alive), never ends with both active."""
    for events in itertools.product([Event.CLIENT_REQUEST, None], repeat=4):
        a, b = State.PRIMARY, State.BACKUP
        for asked in events:
            a = decide(
                a,
                {
                    State.PRIMARY: Event.PEER_PRIMARY,
                    State.BACKUP: Event.PEER_BACKUP,
                    State.ACTIVE: Event.PEER_ACTIVE,
                    State.PASSIVE: Event.PEER_PASSIVE,
                }[b],
                peer_lost=False,
                role=State.PRIMARY,
            ).state
            b = decide(
                b,
                {
                    State.PRIMARY: Event.PEER_PRIMARY,
                    State.BACKUP: Event.PEER_BACKUP,
                    State.ACTIVE: Event.PEER_ACTIVE,
                    State.PASSIVE: Event.PEER_PASSIVE,
                }[a],
                peer_lost=False,
                role=State.BACKUP,
            ).state
            if asked is not None:
                b = decide(b, asked, peer_lost=False, role=State.BACKUP).state
            assert not (a == State.ACTIVE and b == State.ACTIVE)
        assert (a, b) == (State.ACTIVE, State.PASSIVE)


# --- two agents on real sockets ----------------------------------------------------------------------
def _pair(base_port, key_dir, **kw):
    sec = Security.from_dir(key_dir, "centre")
    changes: list[tuple[str, State, State]] = []
    primary = BinaryStar(
        State.PRIMARY,
        (HOST, base_port),
        (HOST, base_port + 1),
        security=sec,
        heartbeat=HB,
        on_change=lambda new, old, why: changes.append(("primary", old, new)),
        **kw,
    )
    backup = BinaryStar(
        State.BACKUP,
        (HOST, base_port + 1),
        (HOST, base_port),
        security=sec,
        heartbeat=HB,
        on_change=lambda new, old, why: changes.append(("backup", old, new)),
    )
    return primary, backup, changes


def test_the_pair_settles_primary_active_backup_passive(base_port, key_dir):
    primary, backup, changes = _pair(base_port, key_dir)
    with primary, backup:
        wait_until(lambda: primary.state == State.ACTIVE and backup.state == State.PASSIVE, timeout=5)
        assert backup.client_request() is False  # the primary is alive
        assert primary.client_request() is True
        assert backup.info().peer_state == State.ACTIVE and backup.info().peer_seen_s < 1
        primary.announce(reserved=2_000_000)
        wait_until(lambda: backup.info().peer_props.get("reserved") == "2000000", timeout=5)
    assert ("primary", State.PRIMARY, State.ACTIVE) in changes
    assert ("backup", State.BACKUP, State.PASSIVE) in changes


def test_the_backup_takes_over_when_the_primary_dies_and_a_client_asks(base_port, key_dir):
    primary, backup, changes = _pair(base_port, key_dir)
    with backup:
        primary.start()
        wait_until(lambda: backup.state == State.PASSIVE, timeout=5)
        primary.stop()
        # Lost, but nobody asked: still passive.
        wait_until(backup.peer_lost, timeout=5)
        assert backup.state == State.PASSIVE
        assert backup.client_request() is True
        assert backup.state == State.ACTIVE
        # The primary comes back: it hears an active peer and stands by.
        again = BinaryStar(
            State.PRIMARY,
            (HOST, base_port),
            (HOST, base_port + 1),
            security=Security.from_dir(key_dir, "centre"),
            heartbeat=HB,
        )
        with again:
            wait_until(lambda: again.state == State.PASSIVE, timeout=5)
            assert again.client_request() is False
            assert backup.state == State.ACTIVE


def test_a_lost_heartbeat_alone_does_not_make_two_active_nodes(base_port, key_dir):
    """A partition of the heartbeat only: the backup's second path to the primary (``peer_alive``) says it
    still serves, so a client's request does not move the backup."""
    sec = Security.from_dir(key_dir, "centre")
    primary = BinaryStar(State.PRIMARY, (HOST, base_port), (HOST, base_port + 1), security=sec, heartbeat=HB)
    backup = BinaryStar(
        State.BACKUP,
        (HOST, base_port + 1),
        (HOST, base_port),
        security=sec,
        heartbeat=HB,
        peer_alive=lambda: primary.active,
    )
    with primary, backup:
        wait_until(lambda: backup.state == State.PASSIVE and primary.active, timeout=5)
        primary.sending = False
        wait_until(backup.peer_lost, timeout=5)
        for _ in range(20):
            assert backup.client_request() is False
        assert primary.active and backup.state == State.PASSIVE
        assert backup.stats.get("failover_declined") == 20
        primary.sending = True
        wait_until(lambda: not backup.peer_lost(), timeout=5)
        assert backup.state == State.PASSIVE


def test_garbage_on_the_heartbeat_port_is_dropped_and_counted(base_port):
    import zmq

    node = BinaryStar(State.PRIMARY, (HOST, base_port), (HOST, base_port + 1), heartbeat=HB)
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    pub.bind(f"tcp://{HOST}:{base_port + 1}")
    try:
        with node:

            def spam():
                pub.send_multipart([b"SANWEI-BSTAR/1", b"emperor", b""])
                pub.send_multipart([b"SANWEI-BSTAR/1", b"active"])
                return node.stats.get("malformed") >= 2

            wait_until(spam, timeout=5, interval=0.05)
            assert node.state == State.PRIMARY and node.info().peer_state is None
    finally:
        pub.close(0)
        ctx.term()
