"""A failover pair of centres under load: kill -9 the active one while the districts send commands.

Runs as production would, one process each: ``center --primary`` on a copy of the city, ``center
--backup`` from an empty file (it loads its copy from the primary), ``--districts`` district nodes given
both centres (``--center A,B``), CURVE on. Each district's console (its key, a signed-in operator of the
district) toggles components of the district through its district node, together ``--rate`` commands a
second; the district applies each provisionally and forwards it through its persisted outbox.

Figures:
- **failover**: from the kill of the primary to the first command the backup acknowledged (its applied
  time), target under 5 s;
- **counts**: commands sent, applied by the backup (from its copy or by itself), each exactly once, every
  district's outbox empty at the end;
- **catch-up**: the killed primary restarted: from its start to standing by with the backup's journal
  head, target under 10 s at Harbin scale;
- **baseline, same run**: no standby, the single centre killed and restarted at once: from the kill to
  the first command acknowledged after the restart.

    python bench/bench_failover.py [--db sqlite:///harbin.db] [--districts 3] [--rate 200] [--before 8] [--after 12]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import msgpack

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from _city import seeded_demo_url  # noqa: E402
from _links import HOST, free_base  # noqa: E402

PAIR_HB = 1.0


def free_block(taken: set[int]) -> int:
    return free_base(5, taken)


class Proc:
    """A node process whose JSON log lines are kept as they come."""

    def __init__(self, args: list[str]) -> None:
        self.events: list[dict] = []
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "main.py"), *args],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**__import__("os").environ, "SANWEI_PASSWORD": "sanwei-demo"},
        )
        self.started = time.monotonic()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            doc["_t"] = time.monotonic()
            self.events.append(doc)

    def wait(self, pred, timeout: float = 300.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for e in list(self.events):
                if pred(e):
                    return e
            if self.proc.poll() is not None:
                raise RuntimeError(f"node exited {self.proc.returncode}: {self.events[-5:]}")
            time.sleep(0.02)
        raise RuntimeError(f"timed out; last events {self.events[-5:]}")

    def kill(self) -> float:
        self.proc.kill()
        at = time.time()
        self.proc.wait(10)
        return at

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(sql, params).fetchall()


class Sender:
    """One district's console: toggles the district's components through its district node."""

    def __init__(self, endpoint: str, keys: Path, code: str, login: str, components: list[str], rate: float):
        from comms.keys import Security
        from nodes.client import LinkClient

        self.link = LinkClient(
            endpoint, Security.from_dir(keys, f"console-{code}"), server=f"district-{code}"
        ).start()
        assert self.link.sign_in(login, "sanwei-demo")["ok"]
        self.code = code
        self.components = components
        self.interval = 1.0 / rate
        self.sent: list[str] = []
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.n = 0
        # Two callers share the link: one command in flight each, so a slow reply does not cut the rate.
        self.threads = [threading.Thread(target=self._run, args=(k,), daemon=True) for k in range(2)]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def join(self) -> None:
        for t in self.threads:
            t.join(30)

    def _run(self, k: int) -> None:
        interval = self.interval * len(self.threads)
        next_at = time.monotonic() + k * self.interval
        while not self.stop.is_set():
            with self.lock:
                n = self.n
                self.n += 1
            comp = self.components[n % len(self.components)]
            status = "damaged" if (n // len(self.components)) % 2 == 0 else "intact"
            try:
                doc = self.link.call("asset.status", {"kind": "component", "id": comp, "status": status}, timeout=10)
                self.sent.append(doc["forward_id"])
            except Exception as exc:
                self.errors.append(str(exc)[:200])
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))


def district_queue(endpoint: str, keys: Path, code: str) -> int:
    from comms.keys import Security
    from nodes.client import LinkClient

    with LinkClient(endpoint, Security.from_dir(keys, f"console-{code}"), server=f"district-{code}") as link:
        return link.call("link.status", timeout=10)["commands"]["queue_length"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", help="a city to copy (default: a Harbin-scale demo city seeded now)")
    ap.add_argument("--districts", type=int, default=3)
    ap.add_argument("--rate", type=float, default=200.0, help="commands a second, all districts together")
    ap.add_argument("--before", type=float, default=8.0, help="seconds of load before the kill")
    ap.add_argument("--after", type=float, default=12.0, help="seconds of load after the kill")
    opts = ap.parse_args()

    from comms.keys import generate_keys

    work = Path(tempfile.mkdtemp(prefix="sanwei-failover-"))
    city = (
        Path(opts.db.removeprefix("sqlite:///"))
        if opts.db
        else Path(seeded_demo_url(str(work)).removeprefix("sqlite:///"))
    )
    keys = work / "keys"
    generate_keys(keys, "centre", "centre")
    districts = [c for (c,) in rows(city, "SELECT code FROM districts ORDER BY code")][: opts.districts]
    logins = dict(
        rows(
            city,
            "SELECT district_code, login FROM staff WHERE role = 'operator' AND district_code IS NOT NULL",
        )
    )
    for code in districts:
        generate_keys(keys, f"district-{code}", f"district:{code}")
        generate_keys(keys, f"console-{code}", f"console:{code}")
    a_db, b_db = work / "a.db", work / "b.db"
    shutil.copyfile(city, a_db)
    taken: set[int] = set()
    pa, pb = free_block(taken), free_block(taken)
    a_ep, b_ep = f"tcp://{HOST}:{pa}", f"tcp://{HOST}:{pb}"
    common = ["--keys", str(keys), "--pair-heartbeat", str(PAIR_HB)]
    procs: list[Proc] = []
    try:
        a = Proc(
            ["center", "--db", f"sqlite:///{a_db}", "--bind", a_ep, "--primary", "--peer", b_ep, *common]
        )
        procs.append(a)
        a.wait(lambda e: e.get("event") == "ready")
        b = Proc(["center", "--db", f"sqlite:///{b_db}", "--bind", b_ep, "--backup", "--peer", a_ep, *common])
        procs.append(b)
        loaded = b.wait(lambda e: e.get("event") == "standby_loaded")
        print(f"backup loaded its copy: {loaded['entries']:,} keys in {loaded['seconds']:.2f} s")
        a.wait(lambda e: e.get("event") == "pair" and e.get("state") == "active")
        senders: list[Sender] = []
        d_eps = {}
        for code in districts:
            d_ep = f"tcp://{HOST}:{free_block(taken)}"
            d_eps[code] = d_ep
            d = Proc(["district", code, "--db", f"sqlite:///{work}/district-{code}.db", "--center", f"{a_ep},{b_ep}",
                      "--bind", d_ep, "--keys", str(keys)])  # fmt: skip
            procs.append(d)
            d.wait(lambda e: e.get("event") == "ready")
            comps = [
                c for (c,) in rows(city, "SELECT id FROM components WHERE id LIKE ? || '%' LIMIT 500", code)
            ]
            senders.append(Sender(d_ep, keys, code, logins[code], comps, opts.rate / len(districts)))
        start_seq = rows(b_db, "SELECT seq FROM journal_head")[0][0]
        for s in senders:
            s.start()
        time.sleep(opts.before)
        killed_at = a.kill()
        at_kill = sum(len(s.sent) for s in senders)
        print(f"primary killed after {at_kill:,} commands")
        time.sleep(opts.after)
        for s in senders:
            s.stop.set()
        for s in senders:
            s.join()
        took = b.wait(lambda e: e.get("event") == "took_over", timeout=60)
        deadline = time.monotonic() + 120
        while any(district_queue(d_eps[c], keys, c) for c in districts):
            if time.monotonic() > deadline:
                raise RuntimeError("outboxes did not drain")
            time.sleep(0.2)
        first_ack = rows(
            b_db, "SELECT min(applied_at) FROM link_applied_command WHERE applied_at > ?", killed_at
        )[0][0]
        sent = [fid for s in senders for fid in s.sent]
        errors = [e for s in senders for e in s.errors]
        applied = {
            cid
            for (cid,) in rows(
                b_db,
                "SELECT command_id FROM link_applied_command WHERE peer LIKE 'district-%' AND applied_at > ?",
                killed_at - opts.before - 30,
            )
        }
        via = dict(
            rows(
                b_db,
                "SELECT json_extract(payload, '$.via'), count(*) FROM journal WHERE seq > ?"
                " AND json_extract(payload, '$.via') LIKE 'district-%' GROUP BY 1",
                start_seq,
            )
        )
        owner = {fid: f"district-{s.code}/{fid}" for s in senders for fid in s.sent}
        once = sum(1 for fid in owner.values() if via.get(fid) == 1)
        twice = sum(1 for fid in owner.values() if via.get(fid, 0) > 1)
        none = sum(1 for fid in owner.values() if fid not in via)
        silent = [fid.split("/")[1] for fid in owner.values() if fid not in via]
        unchanged = 0
        for i in range(0, len(silent), 500):
            part = silent[i : i + 500]
            mark = ",".join("?" * len(part))
            for (reply,) in rows(b_db, f"SELECT reply FROM link_applied_command WHERE command_id IN ({mark})", *part):
                unchanged += msgpack.unpackb(bytes(reply)).get("changed") is False
        missing = [f for f in sent if f not in applied]
        failover = first_ack - killed_at if first_ack else float("nan")
        total = len([f for s in senders for f in s.sent])
        print(f"load: {opts.rate:.0f} commands/s offered through {len(districts)} district nodes; taken "
              f"{at_kill / opts.before:.0f}/s before the kill, {(total - at_kill) / opts.after:.0f}/s after")
        print(f"failover: first command acknowledged by the backup {failover:.2f} s after the kill "
              f"(it took over {took['seconds']:.2f} s after being asked: {took.get('steps')})")  # fmt: skip
        print(f"counts: sent {len(sent):,}; every district's outbox empty; applied ids at the backup "
              f"{len(set(sent) & applied):,}, missing {len(missing)}; the backup's journal names {once:,} of them "
              f"exactly once, {twice} more than once, {none} not at all (of these, {unchanged} set a "
              f"component to the state it had: no change, no event); send errors {len(errors)}")  # fmt: skip

        # The killed primary returns: passive, and caught up.
        head = rows(b_db, "SELECT seq, hash FROM journal_head")[0]
        a2 = Proc(
            ["center", "--db", f"sqlite:///{a_db}", "--bind", a_ep, "--primary", "--peer", b_ep, *common]
        )
        procs.append(a2)
        a2.wait(lambda e: e.get("event") == "pair" and e.get("state") == "passive", timeout=120)
        while rows(a_db, "SELECT seq, hash FROM journal_head")[0] != head:
            if time.monotonic() - a2.started > 120:
                raise RuntimeError("the returning primary did not catch up")
            time.sleep(0.05)
        caught = time.monotonic() - a2.started
        print(
            f"catch-up: the restarted primary stands by with the backup's journal head {caught:.2f} s after its start"
        )
        for p in procs:
            p.stop()
        procs.clear()

        # Baseline: no standby; the one centre is killed and restarted at once.
        c_db = work / "single.db"
        shutil.copyfile(city, c_db)
        pc = free_block(taken)
        c_ep = f"tcp://{HOST}:{pc}"
        c = Proc(["center", "--db", f"sqlite:///{c_db}", "--bind", c_ep, "--keys", str(keys)])
        procs.append(c)
        c.wait(lambda e: e.get("event") == "ready")
        code = districts[0]
        d_ep = f"tcp://{HOST}:{free_block(taken)}"
        d = Proc(["district", code, "--db", f"sqlite:///{work}/single-{code}.db", "--center", c_ep,
                  "--bind", d_ep, "--keys", str(keys)])  # fmt: skip
        procs.append(d)
        d.wait(lambda e: e.get("event") == "ready")
        comps = [x for (x,) in rows(city, "SELECT id FROM components WHERE id LIKE ? || '%' LIMIT 500", code)]
        s = Sender(d_ep, keys, code, logins[code], comps, opts.rate / len(districts))
        s.start()
        time.sleep(3)
        killed_at = c.kill()
        c2 = Proc(["center", "--db", f"sqlite:///{c_db}", "--bind", c_ep, "--keys", str(keys)])
        procs.append(c2)
        c2.wait(lambda e: e.get("event") == "ready")
        deadline = time.monotonic() + 60
        while True:
            first = rows(
                c_db, "SELECT min(applied_at) FROM link_applied_command WHERE applied_at > ?", killed_at
            )[0][0]
            if first is not None or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        s.stop.set()
        s.join()
        base = (first - killed_at) if first else float("nan")
        print(
            f"baseline (no standby, the centre restarted at once): first command acknowledged {base:.2f} s after the kill"
        )
        print(f"failover / baseline: {failover / base:.2f}x")
        return 0
    finally:
        for p in procs:
            p.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
