"""What the link benchmarks (``bench_links_*.py``) share: the loopback host, a free port block for a
node (its ROUTER at P, PUB at P+1, SUB at P+2 and the command port at P+3) and the percentiles they
print. Imported from beside them (each adds ``bench/`` to ``sys.path``), as they run as scripts."""

from __future__ import annotations

import random
import socket

HOST = "127.0.0.1"


def free_base(count: int = 4, taken: set[int] | None = None) -> int:
    """A base port P with P..P+count-1 free on ``HOST``: a node binds four consecutive ports (a centre
    of a failover pair five). ``taken``: blocks handed out already (not yet bound), avoided and added to."""
    for _ in range(500):
        port = random.randrange(20000, 60000, 8)
        if taken is not None and any(abs(port - t) < 8 for t in taken):
            continue
        ok = True
        for i in range(count):
            with socket.socket() as s:
                try:
                    s.bind((HOST, port + i))
                except OSError:
                    ok = False
        if ok:
            if taken is not None:
                taken.add(port)
            return port
    raise RuntimeError("no free ports")


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """Median, 99th percentile and worst of ``values``."""
    ordered = sorted(values)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], ordered[-1]
