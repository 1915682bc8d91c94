"""Keys without restarts (docs/protocol.md section 1, "Key reloading"): a reloaded allow-list takes effect
at the next handshake; a removed key's messages are refused at once and its sessions end when the server
rebinds; the peers still allowed come back by themselves, their queued commands and writes intact."""

from __future__ import annotations

import shutil

import pytest

from comms.clone import CloneClient, CloneServer
from comms.commands import CommandClient, CommandReply, CommandServer
from comms.keys import KeyFileError, Security, generate_keys, load_keys
from comms.wire import STATUS_OK, STATUS_REFUSED
from tests.comms.conftest import HOST, digests, wait_until

HB = 0.1
D1, D2 = "district-230102", "district-230103"


@pytest.fixture
def newcomer(tmp_path, key_dir):
    """A console's key pair made elsewhere (its folder holds the centre's public key), not yet enrolled."""
    folder = tmp_path / "newcomer"
    generate_keys(folder, "console-9", "console:230102")
    shutil.copyfile(key_dir / "centre.key", folder / "centre.key")
    return folder


def names(keys) -> list[str]:
    return [k.name for k in keys]


def test_reload_reports_what_changed_and_keeps_what_it_cannot_read(key_dir, newcomer):
    centre = Security.from_dir(key_dir, "centre")
    assert names(centre.reload().added) == []  # nothing changed: nothing to report
    shutil.copyfile(newcomer / "console-9.key", key_dir / "console-9.key")
    (key_dir / "console-1.key").unlink()
    change = centre.reload()
    assert names(change.added) == ["console-9"] and names(change.removed) == ["console-1"]
    assert centre.keyring.by_name("console-9").role == "console:230102"
    assert centre.keyring.by_name("console-1") is None

    # A role changed in place: the key leaves (its sessions must go) and comes back with the new role.
    text = (key_dir / f"{D2}.key").read_text()
    (key_dir / f"{D2}.key").write_text(text.replace("role = district:230103", "role = district:230104"))
    change = centre.reload()
    assert names(change.removed) == [D2] and names(change.added) == [D2]
    assert change.removed[0].role == "district:230103" and change.added[0].role == "district:230104"

    # A malformed file is reported by name, keeps the key it held, and the rest of the list stays.
    (key_dir / f"{D1}.key").write_text("metadata\n    role = district:230102\n")
    (key_dir / "junk.key").write_text("not a certificate at all")
    change = centre.reload()
    assert not change.changed
    assert {p.file for p in change.problems} == {f"{D1}.key", "junk.key"}
    assert all("no Z85 public key" in p.problem for p in change.problems)
    assert centre.keyring.names() == ["centre", "console-9", D1, D2]
    status = centre.allow_list()
    assert status["reloads"] == 4 and {p["file"] for p in status["problems"]} == {f"{D1}.key", "junk.key"}
    assert {k["name"] for k in status["keys"]} == set(centre.keyring.names())
    assert all(k["fingerprint"].startswith("sha256:") for k in status["keys"])
    with pytest.raises(KeyFileError, match="no Z85 public key"):
        load_keys(key_dir)  # at start the same file is an error: a node starts on a folder that reads

    # The node's own pair gone: reported, and the node keeps the identity it started with.
    (key_dir / "centre.key").unlink()
    (key_dir / "centre.key_secret").unlink()
    change = centre.reload()
    assert change.own_key_problem is not None and "centre.key is missing" in change.own_key_problem
    assert not change.removed and centre.keyring["centre"] == centre.me

    shutil.rmtree(key_dir)
    with pytest.raises(KeyFileError, match="does not exist"):
        centre.reload()
    assert "console-9" in centre.keyring  # a vanished folder changes nothing


def test_an_added_key_is_accepted_at_its_next_handshake(base_port, key_dir, newcomer):
    centre = Security.from_dir(key_dir, "centre")
    replies: list[CommandReply] = []
    server = CommandServer(HOST, base_port + 3, lambda cmd, tx: cmd.peer.role.encode(), security=centre)

    def client() -> CommandClient:
        return CommandClient(
            HOST, base_port + 3, security=Security.from_dir(newcomer, "console-9"), heartbeat=HB,
            on_reply=replies.append,
        )  # fmt: skip

    with server:
        with client() as early:
            early.submit(b"too early")
            wait_until(lambda: server.stats.get("auth_denied") >= 1)
        assert replies == []
        shutil.copyfile(newcomer / "console-9.key", key_dir / "console-9.key")
        assert names(centre.reload().added) == ["console-9"]
        # No restart of the server: the next handshake of the same key passes.
        with client() as late:
            late.submit(b"hello")
            wait_until(lambda: len(replies) == 1)
        assert (replies[0].status, replies[0].body) == (STATUS_OK, b"console:230102")


def test_a_removed_key_is_refused_then_cut_off_while_the_others_lose_nothing(base_port, key_dir):
    centre = Security.from_dir(key_dir, "centre")
    applied: list[tuple[str, bytes]] = []

    def apply(cmd, tx) -> bytes:
        applied.append((cmd.peer.name, cmd.body))
        return b"done"

    server = CommandServer(HOST, base_port + 3, apply, security=centre)
    got: dict[str, list[CommandReply]] = {D1: [], D2: []}
    clients = {
        name: CommandClient(
            HOST,
            base_port + 3,
            security=Security.from_dir(key_dir, name),
            heartbeat=HB,
            resend_first=0.2,
            on_reply=got[name].append,
        )  # fmt: skip
        for name in (D1, D2)
    }
    with server, clients[D1], clients[D2]:
        for client in clients.values():
            client.submit(b"first")
        wait_until(lambda: len(got[D1]) == 1 and len(got[D2]) == 1)

        (key_dir / f"{D1}.key").unlink()
        assert names(centre.reload().removed) == [D1]
        # Its connection is still open (no rebind yet): the next command on it is refused, not applied.
        clients[D1].submit(b"after removal")
        wait_until(lambda: len(got[D1]) == 2)
        assert (got[D1][1].status, got[D1][1].body) == (STATUS_REFUSED, b"key no longer allowed")
        assert (D1, b"after removal") not in applied
        assert server.stats.get("key_revoked") >= 1

        denied = server.stats.get("auth_denied")
        server.rebind()
        # Commands queued at the other district while its connection is being replaced all arrive once.
        for i in range(20):
            clients[D2].submit(f"during {i}".encode())
        wait_until(lambda: len(got[D2]) == 21, timeout=30)
        assert all(r.status == STATUS_OK for r in got[D2])
        assert [body for peer, body in applied if peer == D2] == [b"first"] + [
            f"during {i}".encode() for i in range(20)
        ]
        # The removed district's connection is gone: it reconnects, and ZAP denies it from now on.
        clients[D1].submit(b"once more")
        wait_until(lambda: server.stats.get("auth_denied") > denied and not clients[D1].link.up)
        assert (D1, b"once more") not in applied and clients[D1].link.queue_length == 1


def test_the_state_channel_refuses_a_removed_key_and_recovers_the_others(base_port, key_dir):
    centre = Security.from_dir(key_dir, "centre")
    server = CloneServer(HOST, base_port, security=centre, heartbeat=HB)
    kept = CloneClient(HOST, base_port, security=Security.from_dir(key_dir, D2), heartbeat=HB)
    gone = CloneClient(HOST, base_port, security=Security.from_dir(key_dir, D1), heartbeat=HB)
    with server, kept, gone:
        server.publish("/cell/1", b"one")
        assert kept.wait_synced(10) and gone.wait_synced(10)
        (key_dir / f"{D1}.key").unlink()
        centre.reload()
        # Before the rebind: the removed district's write on its open connection is dropped and counted.
        uuid = gone.write("/district/230102/note", b"from a revoked key")
        wait_until(lambda: server.stats.get("key_revoked") >= 1)
        assert "/district/230102/note" not in server.dump()

        server.rebind()
        # Updates published while the still-allowed client reconnects, and its own write, all arrive.
        for i in range(50):
            server.publish(f"/cell/{i}", f"v{i}".encode())
        kept.write("/district/230103/note", b"kept")
        wait_until(lambda: "/district/230103/note" in kept.dump(), timeout=30)  # its echo came back
        wait_until(lambda: digests(kept.dump()) == digests(server.dump()), timeout=30)
        assert server.dump()["/district/230103/note"].body == b"kept"
        assert kept.dump()["/cell/49"].body == b"v49"
        assert uuid and "/district/230102/note" not in server.dump()
        wait_until(lambda: not gone.link.up)


def test_a_refused_key_is_logged_once_a_minute_not_at_every_attempt(base_port, key_dir, newcomer, caplog):
    server = CommandServer(
        HOST, base_port + 3, lambda cmd, tx: b"", security=Security.from_dir(key_dir, "centre")
    )
    with server:
        for attempt in range(3):
            with CommandClient(
                HOST, base_port + 3, security=Security.from_dir(newcomer, "console-9"), heartbeat=HB
            ):
                wait_until(lambda n=attempt + 1: server.stats.get("auth_denied") >= n)
    denials = [r for r in caplog.records if r.getMessage().startswith("ZAP denied")]
    assert [r.getMessage() for r in denials] == ["ZAP denied a CURVE client: Unknown key"]


def test_a_client_still_reaches_a_server_whose_key_left_its_folder(base_port, key_dir):
    server = CommandServer(
        HOST, base_port + 3, lambda cmd, tx: b"here", security=Security.from_dir(key_dir, "centre")
    )
    district = Security.from_dir(key_dir, D1)
    (key_dir / "centre.key").unlink()
    assert names(district.reload().removed) == ["centre"]
    replies: list[CommandReply] = []
    # A client made (or reconnecting) after the removal still knows the server's key from the start.
    with (
        server,
        CommandClient(HOST, base_port + 3, security=district, heartbeat=HB, on_reply=replies.append) as c,
    ):
        c.submit(b"ping")
        wait_until(lambda: len(replies) == 1)
    assert replies[0].body == b"here"


def test_clients_refused_before_their_key_was_enrolled_get_in_without_a_restart(base_port, key_dir, newcomer):
    """libzmq does not retry a connection that ZAP denied: the running clients make fresh sockets while
    their server stays silent, so the enrolment reaches them without restarting either side."""
    centre = Security.from_dir(key_dir, "centre")
    replies: list[CommandReply] = []
    state = CloneServer(HOST, base_port, security=centre, heartbeat=HB)
    commands = CommandServer(
        HOST, base_port + 3, lambda cmd, tx: b"ok " + cmd.peer.name.encode(), security=centre
    )
    mine = Security.from_dir(newcomer, "console-9")
    with state, commands:
        state.publish("/cell/1", b"one")
        follower = CloneClient(HOST, base_port, security=mine, heartbeat=HB)
        sender = CommandClient(HOST, base_port + 3, security=mine, heartbeat=HB, on_reply=replies.append)
        with follower, sender:
            sender.submit(b"waiting", "c1")
            wait_until(lambda: state.stats.get("auth_denied") >= 1 and commands.stats.get("auth_denied") >= 1)
            assert replies == [] and not follower.link.up
            shutil.copyfile(newcomer / "console-9.key", key_dir / "console-9.key")
            assert names(centre.reload().added) == ["console-9"]
            wait_until(lambda: len(replies) == 1, timeout=10)
            assert (replies[0].command_id, replies[0].body) == ("c1", b"ok console-9")
            assert follower.wait_synced(10)
            assert digests(follower.dump()) == digests(state.dump(""))
