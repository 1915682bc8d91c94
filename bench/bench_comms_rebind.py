"""Key revocation's cost to the peers that stay: after a node rebinds its servers (what it does when a
key leaves its allow-list, docs/protocol.md section 1), how long until each still-allowed district is
back on both channels, CURVE on, default heartbeat and resend settings.

Seven districts, each a CommandClient and a whole-map CloneClient in this process. Each run: rebind the
CloneServer and the CommandServer, then at once submit one command per district and publish one update;
a district is back when its command is answered and the update is in its replica. Baseline in the same
run: a fresh district (new clients, same keys) connecting and getting both from scratch.

    python bench/bench_comms_rebind.py [--runs 10] [--districts 7]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _links import HOST, free_base, percentiles  # noqa: E402

from comms.clone import CloneClient, CloneServer  # noqa: E402
from comms.commands import CommandClient, CommandReply, CommandServer  # noqa: E402
from comms.keys import Security, generate_keys  # noqa: E402


class District:
    def __init__(self, folder: Path, name: str, port: int) -> None:
        self.answered: dict[str, float] = {}
        self.updated: dict[str, float] = {}
        self.changed = threading.Condition()
        security = Security.from_dir(folder, name)
        self.commands = CommandClient(HOST, port + 3, security=security, on_reply=self._on_reply)
        self.state = CloneClient(HOST, port, security=security, on_update=self._on_update)

    def _on_reply(self, reply: CommandReply) -> None:
        self.answered[reply.body.decode()] = time.monotonic()

    def _on_update(self, entry) -> None:
        self.updated[entry.key] = time.monotonic()

    def start(self) -> District:
        self.commands.start()
        self.state.start()
        return self

    def stop(self) -> None:
        self.commands.stop()
        self.state.stop()

    def back(self, tag: str, timeout: float = 60.0) -> float:
        deadline = time.monotonic() + timeout
        while tag not in self.answered or f"/bench/{tag}" not in self.updated:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{tag}: not back within {timeout} s")
            time.sleep(0.002)
        return max(self.answered[tag], self.updated[f"/bench/{tag}"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--districts", type=int, default=7)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sanwei-bench-rebind-"))
    generate_keys(folder, "centre", "centre")
    names = [f"district-2301{i:02d}" for i in range(2, 2 + args.districts)]
    for name in names:
        generate_keys(folder, name, f"district:{name[-6:]}")
    port = free_base()
    security = Security.from_dir(folder, "centre")
    state = CloneServer(HOST, port, security=security).start()
    commands = CommandServer(HOST, port + 3, lambda cmd, tx: cmd.body, security=security).start()
    districts = [District(folder, name, port).start() for name in names]
    try:
        for d in districts:
            while not d.commands.link.up or not d.state.link.synced:
                time.sleep(0.01)
        back: list[float] = []
        answered: list[float] = []
        updated: list[float] = []
        rebinds: list[float] = []
        fresh: list[float] = []
        for run in range(args.runs):
            tag = f"run{run}"
            started = time.monotonic()
            state.rebind()
            commands.rebind()
            rebinds.append((time.monotonic() - started) * 1000)
            for d in districts:
                d.commands.submit(tag.encode())
            state.publish(f"/bench/{tag}", b"x")
            back.extend((d.back(tag) - started) * 1000 for d in districts)
            answered.extend((d.answered[tag] - started) * 1000 for d in districts)
            updated.extend((d.updated[f"/bench/{tag}"] - started) * 1000 for d in districts)
            # Baseline: a district connecting from scratch.
            started = time.monotonic()
            newcomer = District(folder, names[0], port).start()
            newcomer.commands.submit(f"{tag}-fresh".encode())
            state.publish(f"/bench/{tag}-fresh", b"x")
            fresh.append((newcomer.back(f"{tag}-fresh") - started) * 1000)
            newcomer.stop()
        med, p99, worst = percentiles(back)
        print(f"rebind of both servers: median {percentiles(rebinds)[0]:.1f} ms, worst {max(rebinds):.1f} ms")
        print(
            f"still-allowed district back on both channels after a rebind ({len(back)} = {args.runs} runs x "
            f"{args.districts}): median {med:.0f} ms, p99 {p99:.0f} ms, worst {worst:.0f} ms"
        )
        for what, values in (("command answered", answered), ("update in the replica", updated)):
            med, p99, worst = percentiles(values)
            print(f"  {what}: median {med:.0f} ms, p99 {p99:.0f} ms, worst {worst:.0f} ms")
        med, _, worst = percentiles(fresh)
        print(
            f"baseline, a fresh district connecting from scratch: median {med:.0f} ms, worst {worst:.0f} ms"
        )
    finally:
        for d in districts:
            d.stop()
        commands.stop()
        state.stop()


if __name__ == "__main__":
    main()
