"""The links between the municipal centre and a district centre, as real processes on 127.0.0.1.

``python main.py center`` and ``python main.py district`` run as they would in production (CURVE on,
keys per node); the test plays consoles and the command line. A small seeded city keeps each node's
start to a few seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from comms.clone import CloneClient
from comms.commands import CommandClient, CommandReply, MemoryOutbox
from comms.keys import Security, generate_keys
from modes.common.command_bus import decode_result, encode_call
from modes.common.picture import pack
from nodes.client import LinkClient, LinkError, LinkRefused
from nodes.state_commands import fetch_bulk
from tests.conftest import HOST, NodeProcess, free_base, wait_until
from tests.modes.conftest import node_keys, seeded_city_file

REPO = Path(__file__).resolve().parents[2]
HB = 0.25
D1, D2 = "230102", "230103"
OPERATOR_D1 = "daoli_operator"  # a demo login of district D1 (道里)


# --- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def city_template(tmp_path_factory) -> Path:
    """A small demo city seeded once; each node gets a copy of the file."""
    from data.demo_city import seed_city

    return seeded_city_file(tmp_path_factory.mktemp("links") / "city.db", seed_city)


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> Path:
    """One folder holding every node's pair (each node reads only its own secret): the centre, two
    districts, a console of the centre and one of district 230102."""
    return node_keys(tmp_path_factory.mktemp("keys"), (D1, D2), console_of=D1)


class Node(NodeProcess):
    """``python main.py center|district ...`` with its JSON log lines collected as they come."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, PYTHONPATH=str(REPO), SANWEI_PASSWORD="sanwei-demo")  # the demo logins'
        env.pop("SANWEI_CLOCK", None)
        self.args = args
        super().__init__(args, env)

    def named(self, event: str) -> list[dict]:
        return [e for e in list(self.events) if e.get("event") == event]

    def wait_event(self, event: str, count: int = 1, timeout: float = 60.0) -> dict:
        def seen():
            if self.proc.poll() is not None:
                raise AssertionError(f"node exited {self.proc.returncode}:\n{''.join(self.raw[-30:])}")
            return len(self.named(event)) >= count

        wait_until(seen, timeout, what=f"{event} from {self.args[0]}")
        return self.named(event)[count - 1]

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)
        self._reader.join(5)


@pytest.fixture
def nodes() -> Iterator[Callable[..., Node]]:
    started: list[Node] = []

    def start(*args: str) -> Node:
        node = Node(*args)
        started.append(node)
        return node

    yield start
    for node in started:
        if node.proc.poll() is None:
            node.kill()
        if node.proc.stderr:
            node.proc.stderr.close()


class Pair:
    """A centre and district 230102 with their databases and endpoints."""

    def __init__(self, tmp: Path, template: Path, keys: Path, nodes: Callable[..., Node]) -> None:
        self.tmp, self.keys, self.nodes = tmp, keys, nodes
        self.centre_db = tmp / "centre.db"
        shutil.copyfile(template, self.centre_db)
        self.district_db = tmp / f"district-{D1}.db"
        self.cport, self.dport = free_base(), free_base()
        self.centre_ep, self.district_ep = f"tcp://{HOST}:{self.cport}", f"tcp://{HOST}:{self.dport}"
        self.centre: Node | None = None
        self.district: Node | None = None

    def start_centre(self) -> Node:
        self.centre = self.nodes(
            "center", "--db", f"sqlite:///{self.centre_db}", "--bind", self.centre_ep, "--keys", str(self.keys),
            "--heartbeat", str(HB),
        )  # fmt: skip
        self.centre.wait_event("ready")
        return self.centre

    def start_district(self) -> Node:
        self.district = self.nodes(
            "district", D1, "--db", f"sqlite:///{self.district_db}", "--center", self.centre_ep,
            "--bind", self.district_ep, "--keys", str(self.keys), "--heartbeat", str(HB),
        )  # fmt: skip
        self.district.wait_event("ready")
        return self.district

    def link(
        self, to: str = "centre", identity: str = "console", login: str | None = "city_operator"
    ) -> LinkClient:
        """A link as ``identity``; a console key signs ``login`` in at the node it talks to (the demo
        password), as a console or ``--connect`` does; a district key vouches for the login it names."""
        endpoint, server = (
            (self.centre_ep, "centre") if to == "centre" else (self.district_ep, f"district-{D1}")
        )
        link = LinkClient(
            endpoint, Security.from_dir(self.keys, identity), server=server, heartbeat=HB
        ).start()
        if login is not None and identity.startswith("console"):
            signed = link.sign_in(login, "sanwei-demo")
            assert signed["ok"], signed
        return link

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = dict(os.environ, PYTHONPATH=str(REPO), SANWEI_PASSWORD="sanwei-demo")  # the demo logins'
        env.pop("SANWEI_CLOCK", None)
        out = subprocess.run(
            [sys.executable, str(REPO / "main.py"), *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=120,
        )
        if check and out.returncode != 0:
            raise AssertionError(f"{args} exited {out.returncode}: {out.stderr}")
        return out

    def via_district(self) -> list[str]:
        return ["--connect", self.district_ep, "--keys", str(self.keys), "--server", f"district-{D1}"]


@pytest.fixture
def pair(tmp_path, city_template, keys, nodes) -> Pair:
    return Pair(tmp_path, city_template, keys, nodes)


def inside(db: Path, district: str) -> tuple[float, float]:
    """A point inside some cell of the district."""
    from data.db import make_engine, session_factory
    from data.models import GridCell

    engine = make_engine(f"sqlite:///{db}")
    with session_factory(engine)() as s:
        cell = s.query(GridCell).filter(GridCell.code.like(f"{district}%")).order_by(GridCell.code).first()
        p = cell.geometry.representative_point()
    engine.dispose()
    return p.x, p.y


def replica_digests(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT key, seq, props, body FROM link_replica_entry").fetchall()
    return {k: _digest(seq, bytes(body)) for k, seq, props, body in rows if b"ttl=" not in bytes(props)}


def centre_digests(link: LinkClient) -> tuple[int, dict[str, str]]:
    position, entries, _ = fetch_bulk(link, fresh=True)
    return position.seq, {e.key: _digest(e.seq, e.body) for e in entries if "ttl" not in e.props}


def _digest(seq: int, body: bytes) -> str:
    return hashlib.sha256(seq.to_bytes(8, "big", signed=True) + body).hexdigest()


def replica_seq(db: Path) -> int:
    try:
        with sqlite3.connect(db) as conn:
            row = conn.execute("SELECT value FROM link_replica_meta WHERE name = 'seq'").fetchone()
    except sqlite3.Error:
        return -1
    return int(row[0]) if row else -1


def converged(pair: Pair, console: LinkClient) -> bool:
    seq, there = centre_digests(console)
    return replica_seq(pair.district_db) >= seq and replica_digests(pair.district_db) == there


def report_args(x: float, y: float, text: str = "", type_code: str = "06010") -> dict:
    # Reports of one type in one cell are linked as duplicates: tests that need separate cases vary it.
    return {"x": x, "y": y, "channel": "hotline", "type": type_code, "text": text}


# --- tests -----------------------------------------------------------------------------------------------


def test_replica_equals_the_centre_and_follows_its_changes(pair):
    pair.start_centre()
    district = pair.start_district()
    assert district.named("ready")[0]["initial_mode"] == "bulk"
    with pair.link() as console, pair.link("district") as local:
        wait_until(lambda: converged(pair, console), what="snapshot equals the centre")
        assert local.call("query.stats") == console.call("query.stats")

        # Changes from three writers: a command to the centre, a command through the district, and
        # the local command line writing the centre's database directly (caught by the journal poll).
        x1, y1 = inside(pair.centre_db, D1)
        x2, y2 = inside(pair.centre_db, D2)
        c1 = console.call("case.report", report_args(x2, y2, "at the centre"))
        c2 = local.request("case.report", report_args(x1, y1, "through the district"))
        assert c2["id"] > 0 and c2["district"] == D1
        pair.cli("report", "--db", f"sqlite:///{pair.centre_db}", "--x", str(x1 + 1), "--y", str(y1),
                 "--channel", "camera", "--type", "06010", "--as", "city_operator", "--json")  # fmt: skip
        console.call("case.act", {"id": c1["id"], "action": "send_verify"})
        comp = next(k for k in replica_digests(pair.district_db) if k.startswith(f"/component/{D1}"))
        console.call("asset.status", {"kind": "component", "id": comp.split("/")[2], "status": "damaged"})

        wait_until(lambda: converged(pair, console), what="updates reach the replica")
        assert local.call("query.stats") == console.call("query.stats")
        assert local.call("query.stats")["cases"] == 3
        assert local.call("query.case", {"id": c1["id"]})["state"] == "verifying"
        assert (
            local.call("query.case", {"id": c1["id"]})["history"]
            == console.call("query.case", {"id": c1["id"]})["history"]
        )

        # A live position (ttl) written by the district reaches the replica's database, then expires
        # from the shared picture while the database keeps the last known position.
        sup = local.call("query.locate", {"x": x1, "y": y1})["supervisor"]
        writer = CloneClient(
            HOST, pair.cport, security=Security.from_dir(pair.keys, f"district-{D1}"), heartbeat=HB
        )
        with writer:
            writer.wait_synced(20)
            writer.write(f"/supervisor/{sup}/position", pack({"x": x1, "y": y1}), ttl=1.0)
            key = f"/supervisor/{sup}/position"

            def in_replica() -> bool:
                with sqlite3.connect(pair.district_db) as conn:
                    return (
                        conn.execute("SELECT 1 FROM link_replica_entry WHERE key = ?", (key,)).fetchone()
                        is not None
                    )

            wait_until(in_replica, what="position in the replica")
            with sqlite3.connect(pair.district_db) as conn:
                assert conn.execute("SELECT last_x FROM supervisors WHERE code = ?", (sup,)).fetchone()[
                    0
                ] == pytest.approx(x1)

            def at_centre() -> bool:
                with sqlite3.connect(pair.centre_db) as conn:
                    row = conn.execute("SELECT last_x FROM supervisors WHERE code = ?", (sup,)).fetchone()
                return row[0] is not None and abs(row[0] - x1) < 1e-6

            wait_until(at_centre, what="position kept in the centre's database")
            wait_until(lambda: not in_replica(), what="position expired")
            # Another district's supervisor is not this district's to move.
            other = local.call("query.locate", {"x": x2, "y": y2})["supervisor"]

            def last_x_at_centre(code: str):
                with sqlite3.connect(pair.centre_db) as conn:
                    return conn.execute("SELECT last_x FROM supervisors WHERE code = ?", (code,)).fetchone()[0]

            other_before = last_x_at_centre(other)
            writer.write(f"/supervisor/{other}/position", pack({"x": x2, "y": y2}), ttl=5.0)
            # Then one of its own on the same channel: once the centre holds that, it has dealt with the
            # write before it.
            writer.write(key, pack({"x": x1 + 7, "y": y1}), ttl=5.0)
            wait_until(
                lambda: last_x_at_centre(sup) == pytest.approx(x1 + 7), what="the district's own later write"
            )
            _, entries, _ = fetch_bulk(console, fresh=True)
            assert f"/supervisor/{other}/position" not in {e.key for e in entries}
            assert last_x_at_centre(other) == other_before

        # The district reports its link state on its own channel within a second of coming up.
        # (A report made while a forwarded command was still in flight shows it queued: wait for empty.)
        status = wait_until(
            lambda: (st := console.call("link.status"))["districts"].get(D1, {}).get("queue") == 0 and st,
            what="district status with an empty queue",
        )
        assert {p["name"] for p in status["peers"]} >= {"console", f"district-{D1}"}
    assert pair.district.terminate() == 0
    assert pair.centre.terminate() == 0
    assert pair.district.named("stopped") and pair.centre.named("stopped")


def test_killed_district_catches_up_from_its_sequence_and_keeps_what_it_acknowledged(pair):
    pair.start_centre()
    pair.start_district()
    x1, y1 = inside(pair.centre_db, D1)
    stop = threading.Event()
    sent = [0]

    with pair.link() as console:
        components = [
            k.split("/")[2] for k in replica_digests(pair.district_db) if k.startswith("/component/")
        ][:40]

        def stream() -> None:
            # A steady stream of committed changes at the centre while the district dies and returns.
            n = 0
            with pair.link() as writer:
                while not stop.is_set():
                    state = "damaged" if (n // len(components)) % 2 == 0 else "intact"
                    writer.call(
                        "asset.status",
                        {"kind": "component", "id": components[n % len(components)], "status": state},
                    )
                    n += 1
                    sent[0] = n

        thread = threading.Thread(target=stream)
        thread.start()
        try:
            wait_until(lambda: sent[0] > 30, what="stream started")
            start_seq = replica_seq(pair.district_db)
            wait_until(lambda: replica_seq(pair.district_db) > start_seq + 10, what="replica following")
            # Acknowledged by the district ("queued"), then the district dies at once.
            with pair.link("district") as local:
                acked = local.call("case.report", report_args(x1, y1, "acknowledged then killed"))
            assert acked["queued"]
            pair.district.kill()
            killed_at = replica_seq(pair.district_db)
            wait_until(lambda: sent[0] > 120, what="stream went on")

            restarted = pair.start_district()
            assert restarted.named("ready")[0]["initial_mode"] == "replay"
            assert restarted.wait_event("synced")["mode"] == "replay"
            wait_until(lambda: replica_seq(pair.district_db) > killed_at + 20, what="caught up past the kill")
        finally:
            stop.set()
            thread.join(30)
        wait_until(lambda: converged(pair, console), what="replica equals the centre after the restart")
        ref = f"link:{D1}:{acked['forward_id']}"
        cases = console.call("query.cases", {"limit": 100})["cases"]
        mine = [
            c
            for c in cases
            if console.call("query.case", {"id": c["id"]})["text"] == "acknowledged then killed"
        ]
        assert len(mine) == 1, cases
        with sqlite3.connect(pair.centre_db) as conn:
            assert (
                conn.execute("SELECT count(*) FROM cases WHERE external_ref = ?", (ref,)).fetchone()[0] == 1
            )
    assert pair.district.terminate() == 0
    pair.centre.terminate()


def test_commands_queued_while_the_centre_is_down_are_applied_once_when_it_returns(pair):
    pair.start_centre()
    pair.start_district()
    x1, y1 = inside(pair.centre_db, D1)
    with pair.link() as console:
        earlier = console.call("case.report", report_args(x1, y1, "before the outage"))
        conflict = console.call("case.report", report_args(x1, y1, "changed on both sides", "01002"))
        wait_until(lambda: converged(pair, console), what="replica before the outage")
    pair.centre.terminate()

    with pair.link("district") as local:
        wait_until(lambda: not local.call("link.status")["commands"]["up"], what="link seen down")
        # Offline: a new report (provisional id), an action on it, an action on a case the centre
        # knows, and an action the centre will refuse (the case is voided at the centre meanwhile).
        queued = local.call("case.report", report_args(x1, y1, "while the centre was down", "01003"))
        assert queued["queued"] and queued["provisional"]["id"] < 0
        on_new = local.call("case.act", {"id": queued["provisional"]["id"], "action": "send_verify"})
        on_old = local.call("case.act", {"id": earlier["id"], "action": "send_verify"})
        refused = local.call("case.act", {"id": conflict["id"], "action": "send_verify"})
        assert on_new["provisional"]["state"] == "verifying"
        status = local.call("link.status")
        assert status["commands"]["up"] is False and status["commands"]["down_for_s"] > 0
        assert status["commands"]["queue_length"] == 4 and len(status["queue"]) == 4
        listed = local.call("query.cases", {"limit": 10})["cases"]
        assert any(c["id"] < 0 and c["queued"] for c in listed)
        cli = pair.cli("link", "status", *pair.via_district())
        assert "DOWN for" in cli.stdout and "queue: 4" in cli.stdout

        # Meanwhile at the centre (its database, the centre node down): the conflicting case is voided.
        pair.cli("case", "act", str(conflict["id"]), "void", "--as", "city_shift_leader", "--note", "duplicate",
                 "--db", f"sqlite:///{pair.centre_db}")  # fmt: skip
        pair.start_centre()

        def drained() -> bool:
            s = local.call("link.status")
            return s["commands"]["up"] and s["commands"]["queue_length"] == 0

        wait_until(drained, timeout=30, what="queue drained")
        outcome = {f: local.call("query.result", {"forward_id": f}) for f in
                   (queued["forward_id"], on_new["forward_id"], on_old["forward_id"], refused["forward_id"])}  # fmt: skip
        assert [o["state"] for o in outcome.values()] == ["ok", "ok", "ok", "refused"]
        assert "voided" in outcome[refused["forward_id"]]["reason"]
        recent = local.call("link.status")["recent"]
        assert any(r["state"] == "refused" and "voided" in r["reason"] for r in recent)

        with pair.link() as console:
            real = outcome[queued["forward_id"]]["real_case"]
            assert console.call("query.case", {"id": real})["state"] == "verifying"
            assert console.call("query.case", {"id": earlier["id"]})["state"] == "verifying"
            assert console.call("query.case", {"id": conflict["id"]})["state"] == "voided"
            with sqlite3.connect(pair.centre_db) as conn:
                ref = f"link:{D1}:{queued['forward_id']}"
                assert (
                    conn.execute("SELECT count(*) FROM cases WHERE external_ref = ?", (ref,)).fetchone()[0]
                    == 1
                )
                history = conn.execute(
                    "SELECT action FROM case_history WHERE case_id = ?", (real,)
                ).fetchall()
                assert [a for (a,) in history] == ["report", "send_verify"]
            wait_until(lambda: converged(pair, console), timeout=30, what="replica after the outage")
            # The centre's rules won: the district shows the voided case, and no provisional case is left.
            assert local.call("query.case", {"id": conflict["id"]})["state"] == "voided"
            assert all(c["id"] > 0 for c in local.call("query.cases", {"limit": 50})["cases"])
    pair.district.terminate()
    pair.centre.terminate()


def test_duplicate_command_ids_wrong_keys_and_scope(pair):
    pair.start_centre()
    x1, y1 = inside(pair.centre_db, D1)
    x2, y2 = inside(pair.centre_db, D2)

    # The same command id sent twice (a resend after a lost reply) is applied once, same reply.
    replies: list[CommandReply] = []
    client = CommandClient(
        HOST, pair.cport + 3, outbox=MemoryOutbox(), security=Security.from_dir(pair.keys, f"district-{D1}"),
        heartbeat=HB, on_reply=replies.append,
    )  # fmt: skip
    with client:
        body = encode_call("case.report", {**report_args(x1, y1, "sent twice"), "login": OPERATOR_D1})
        client.submit(body, "dup-1")
        wait_until(lambda: len(replies) == 1, what="first reply")
        client.submit(body, "dup-1")
        wait_until(lambda: len(replies) == 2, what="second reply")
    assert replies[0].status == replies[1].status == "OK" and replies[0].body == replies[1].body
    with sqlite3.connect(pair.centre_db) as conn:
        assert conn.execute("SELECT count(*) FROM cases WHERE description = 'sent twice'").fetchone()[0] == 1
    first_case = decode_result(replies[0].body)["id"]

    with pair.link() as console:
        other = console.call("case.report", report_args(x2, y2, "in the other district"))
    with sqlite3.connect(pair.centre_db) as conn:
        component = conn.execute("SELECT id FROM components WHERE id LIKE ? LIMIT 1", (f"{D2}%",)).fetchone()[
            0
        ]

    # A district key acting outside its district is refused, with the reason.
    with pair.link(identity=f"district-{D1}") as district:
        with pytest.raises(LinkRefused, match=f"district {D1}"):
            district.call("case.act", {"id": other["id"], "action": "send_verify", "login": OPERATOR_D1})
        with pytest.raises(LinkRefused, match=D1):
            district.call("case.report", {**report_args(x2, y2, "not mine"), "login": OPERATOR_D1})
        with pytest.raises(LinkRefused, match="municipal centre"):
            district.call("mode.switch", {"mode": "emergency", "reason": "x", "login": "city_commander"})
        with pytest.raises(LinkRefused, match=f"district {D1}"):
            district.call(
                "asset.status", {"kind": "component", "id": component, "status": "lost", "login": OPERATOR_D1}
            )
        assert (
            district.call("case.act", {"id": first_case, "action": "send_verify", "login": OPERATOR_D1})[
                "state"
            ]
            == "verifying"
        )

    # A key the centre does not know, and no key at all: no answer, and the centre counts the refusal.
    rogue_dir = pair.tmp / "rogue"
    generate_keys(rogue_dir, "intruder", f"district:{D1}")
    shutil.copyfile(pair.keys / "centre.key", rogue_dir / "centre.key")
    with LinkClient(pair.centre_ep, Security.from_dir(rogue_dir, "intruder"), heartbeat=HB) as rogue:
        with pytest.raises(LinkError):
            rogue.call("query.stats", timeout=2.0)
    with LinkClient(pair.centre_ep, None, heartbeat=HB) as plain:
        with pytest.raises(LinkError):
            plain.call("query.stats", timeout=2.0)
    with pair.link() as console:
        stats = console.call("link.status")["stats"]["commands"]
        assert stats.get("auth_denied", 0) >= 1
    assert pair.centre.terminate() == 0


def test_cli_report_through_a_district_reaches_the_centre(pair):
    pair.start_centre()
    pair.start_district()
    x1, y1 = inside(pair.centre_db, D1)
    out = pair.cli("report", "--x", str(x1), "--y", str(y1), "--channel", "hotline", "--type", "06010",
                   "--text", "from the command line", "--as", "city_operator", "--json",
                   *pair.via_district())  # fmt: skip
    doc = json.loads(out.stdout)
    assert doc["id"] > 0 and doc["district"] == D1 and doc["text"] == "from the command line"
    shown = json.loads(
        pair.cli("case", "show", str(doc["id"]), "--json", "--db", f"sqlite:///{pair.centre_db}").stdout
    )
    assert shown["text"] == "from the command line" and shown["reporter"] == "city_operator"
    stats = json.loads(pair.cli("stats", "--json", *pair.via_district()).stdout)
    assert stats["cases"] == 1
    refused = pair.cli(
        "case", "act", str(doc["id"]), "file", "--as", "city_shift_leader", *pair.via_district(), check=False
    )
    assert refused.returncode == 2 and "cannot file" in refused.stderr
    status = json.loads(
        pair.cli("link", "status", "--json", "--connect", pair.centre_ep, "--keys", str(pair.keys)).stdout
    )
    assert status["node"] == "centre" and any(p["name"] == f"district-{D1}" for p in status["peers"])
    pair.district.terminate()
    pair.centre.terminate()


def test_grave_acts_and_their_orders_are_decided_at_the_centre_never_at_a_district(pair):
    # A district's replica holds no orders and does not own the city's mode: a console attached to a
    # district node is told where these are decided, and nothing changes there or at the centre.
    pair.start_centre()
    pair.start_district()
    with pair.link("district", login="city_commander") as local:
        wait_until(lambda: local.call("query.stats")["cells"] > 0, what="the district's replica")
        with pytest.raises(LinkRefused, match="municipal centre"):
            local.call("mode.switch", {"mode": "civil-defence", "reason": "drill"})
        with pytest.raises(LinkRefused, match="orders wait at the municipal centre"):
            local.call("order.confirm", {"id": 1, "login": "city_civil_defence", "password": "sanwei-demo"})
        with pytest.raises(LinkRefused, match="orders wait at the municipal centre"):
            local.call("order.refuse", {"id": 1, "note": "no"})
        with pytest.raises(LinkRefused, match="municipal centre"):
            local.call("settings.two_person", {"on": True})
    for db in (pair.centre_db, pair.district_db):
        with sqlite3.connect(db) as conn:
            kinds = {k for (k,) in conn.execute("SELECT kind FROM journal")}
        assert not kinds & {"mode.switched", "order.confirmed", "order.refused", "settings.changed"}
    assert pair.district.terminate() == 0
    assert pair.centre.terminate() == 0


def test_a_district_and_the_command_line_given_a_pair_use_the_centre_that_is_there(pair):
    # The first of the pair is a port nobody listens on; the second is the real centre.
    pair.start_centre()
    centres = f"tcp://{HOST}:{free_base()},{pair.centre_ep}"
    pair.district = pair.nodes(
        "district", D1, "--db", f"sqlite:///{pair.district_db}", "--center", centres,
        "--bind", pair.district_ep, "--keys", str(pair.keys), "--heartbeat", str(HB),
    )  # fmt: skip
    assert pair.district.wait_event("ready")["initial_mode"] == "bulk"
    x1, y1 = inside(pair.centre_db, D1)
    out = pair.cli("report", "--x", str(x1), "--y", str(y1), "--channel", "hotline", "--type", "06010",
                   "--text", "through a pair", "--as", "city_operator", "--json",
                   *pair.via_district())  # fmt: skip
    doc = json.loads(out.stdout)
    assert doc["id"] > 0 and doc["district"] == D1 and doc["text"] == "through a pair"
    status = json.loads(pair.cli("link", "status", "--json", *pair.via_district()).stdout)
    assert status["commands"]["endpoint"] == f"tcp://{HOST}:{pair.cport + 3}"
    assert status["commands"]["queue_length"] == 0
    wait_until(
        lambda: (
            json.loads(pair.cli("link", "status", "--json", *pair.via_district()).stdout)["state"]["endpoint"]
            == pair.centre_ep
        ),
        what="the district follows the centre's state",
    )
    stats = json.loads(pair.cli("stats", "--json", "--connect", centres, "--keys", str(pair.keys)).stdout)
    assert stats["cases"] == 1
    pair.district.terminate()
    pair.centre.terminate()
