"""CURVE on every socket, a ZAP allow-list of keys bound to roles, the peer's role on every message."""

from __future__ import annotations

import os
import stat

import pytest
import zmq

from comms.clone import CloneClient, CloneServer
from comms.commands import Command, CommandClient, CommandRefused, CommandReply, CommandServer
from comms.keys import KeyFileError, Peer, Security, generate_keys, load_keys, scoped_write_policy
from tests.comms.conftest import HOST, wait_until

HB = 0.1


def test_key_files_carry_the_role_and_keep_the_secret_private(key_dir):
    public = (key_dir / "district-230102.key").read_text()
    assert "role = district:230102" in public and "secret-key" not in public
    secret = key_dir / "district-230102.key_secret"
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    ring = load_keys(key_dir)
    assert ring.names() == ["centre", "console-1", "district-230102", "district-230103"]
    key = ring["district-230102"]
    assert key.role == "district:230102" and len(key.public) == 40 and key.secret is not None
    # pyzmq's own reader agrees on the keys (same certificate format).
    from zmq.auth import load_certificate

    assert load_certificate(secret) == (key.public, key.secret)


def test_bad_key_folders_are_refused(tmp_path):
    with pytest.raises(KeyFileError):
        generate_keys(tmp_path, "x", "Not A Role")
    generate_keys(tmp_path, "a", "centre")
    generate_keys(tmp_path / "other", "a", "centre")
    (tmp_path / "a.key_secret").write_text((tmp_path / "other" / "a.key_secret").read_text())
    with pytest.raises(KeyFileError):
        load_keys(tmp_path)  # secret file of another key pair


def test_scoped_write_policy():
    assert scoped_write_policy(Peer("centre", "centre"), "/cell/1")
    assert scoped_write_policy(Peer("d", "district:230102"), "/district/230102/case/1")
    assert not scoped_write_policy(Peer("d", "district:230102"), "/district/230103/case/1")
    assert not scoped_write_policy(Peer("d", "district:230102"), "/cell/1")
    assert scoped_write_policy(Peer("c", "console:230102"), "/district/230102/x")


@pytest.fixture
def outsider(tmp_path):
    """A key pair the centre has never enrolled, but which knows the centre's public key."""
    folder = tmp_path / "outsider"
    generate_keys(folder, "rogue", "district:230102")
    return folder


def _with_centre_key(folder, key_dir):
    (folder / "centre.key").write_text((key_dir / "centre.key").read_text())
    return Security.from_dir(folder, "rogue")


def test_clone_channel_refuses_unknown_and_missing_keys(base_port, key_dir, outsider):
    centre = Security.from_dir(key_dir, "centre")
    server = CloneServer(HOST, base_port, security=centre, heartbeat=HB).start()
    server.publish("/cell/1", b"secret state")
    district = CloneClient(
        HOST, base_port, security=Security.from_dir(key_dir, "district-230102"), heartbeat=HB
    )
    rogue = CloneClient(HOST, base_port, security=_with_centre_key(outsider, key_dir), heartbeat=HB)
    plain = CloneClient(HOST, base_port, heartbeat=HB)  # no CURVE at all
    try:
        for client in (district, rogue, plain):
            client.start()
        assert district.wait_synced(10)
        assert district.dump()["/cell/1"].body == b"secret state"
        wait_until(lambda: server.stats.get("auth_denied") >= 3 and server.stats.get("handshake_failed") >= 3)
        assert not rogue.wait_synced(0.3) and rogue.dump() == {}
        assert not plain.wait_synced(0.01) and plain.dump() == {}
        assert not rogue.link.up and not plain.link.up
    finally:
        for client in (district, rogue, plain):
            client.stop()
        server.stop()


def test_the_centre_learns_each_peers_role_and_refuses_acts_outside_its_district(
    base_port, key_dir, outsider
):
    centre = Security.from_dir(key_dir, "centre")
    seen: list[Peer] = []

    def apply(command: Command, tx) -> bytes:
        seen.append(command.peer)
        district = command.peer.role_scope
        if command.body.decode() != district:
            raise CommandRefused(f"{command.peer.name} may act only in district {district}")
        return b"ok"

    server = CommandServer(HOST, base_port + 3, apply, security=centre).start()
    clone = CloneServer(HOST, base_port, security=centre, heartbeat=HB).start()
    replies: list[CommandReply] = []
    writes: list[bool] = []
    sec = Security.from_dir(key_dir, "district-230102")
    client = CommandClient(HOST, base_port + 3, security=sec, heartbeat=HB, on_reply=replies.append).start()
    writer = CloneClient(
        HOST,
        base_port,
        security=sec,
        heartbeat=HB,
        write_timeout=1.0,
        on_write_result=lambda u, ok: writes.append(ok),
    ).start()
    rogue = CommandClient(
        HOST, base_port + 3, security=_with_centre_key(outsider, key_dir), heartbeat=HB
    ).start()
    try:
        client.submit(b"230102")
        client.submit(b"230103")
        wait_until(lambda: len(replies) == 2)
        assert [r.status for r in replies] == ["OK", "REFUSED"]
        assert seen == [Peer("district-230102", "district:230102")] * 2

        writer.write("/district/230102/report/1", b"mine")
        writer.write("/district/230103/report/1", b"not mine")
        wait_until(lambda: len(writes) == 2, timeout=5)
        assert sorted(writes) == [False, True]
        assert list(clone.dump("/district/")) == ["/district/230102/report/1"]
        assert clone.stats.get("write_refused") >= 1

        rogue.submit(b"230102")
        wait_until(lambda: server.stats.get("auth_denied") >= 1)
        assert not rogue.link.up and rogue.link.queue_length == 1 and len(seen) == 2
    finally:
        for node in (rogue, writer, client, clone, server):
            node.stop()


def test_a_server_without_its_zap_handler_fails_closed(base_port, key_dir):
    # ZAP_ENFORCE_DOMAIN: with no handler listening, even a key that would be allowed is refused.
    centre = Security.from_dir(key_dir, "centre")
    ctx = zmq.Context()
    router = ctx.socket(zmq.ROUTER)
    centre.make_server(router)
    router.bind(f"tcp://{HOST}:{base_port}")
    dealer = ctx.socket(zmq.DEALER)
    Security.from_dir(key_dir, "district-230102").make_client(dealer, "centre")
    dealer.connect(f"tcp://{HOST}:{base_port}")
    try:
        dealer.send(b"hello")
        assert not router.poll(500)
    finally:
        dealer.close(0)
        router.close(0)
        ctx.term()
