"""A CAP receiver for the hook tests, run as its own process: an HTTP server on 127.0.0.1 that answers
503 to the first ``--fail`` POSTs and 200 after, or (``--hang``) never answers at all. Each POST's body
goes to ``OUT/<n>.xml`` and its Content-Type to ``OUT/<n>.type``; the port it bound (a free one, chosen
by the system) is written to ``OUT/port`` once it listens."""

from __future__ import annotations

import argparse
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("out", type=Path)
    p.add_argument("--fail", type=int, default=0)
    p.add_argument("--hang", action="store_true")
    args = p.parse_args()
    lock = threading.Lock()
    seen = [0]
    never = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                seen[0] += 1
                n = seen[0]
            (args.out / f"{n}.xml").write_bytes(body)
            (args.out / f"{n}.type").write_text(self.headers.get("Content-Type") or "")
            if args.hang:
                never.wait()  # the connection stays open and silent
                return
            status = 503 if n <= args.fail else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    (args.out / "port.tmp").write_text(str(server.server_address[1]))
    (args.out / "port.tmp").replace(args.out / "port")
    server.serve_forever()


if __name__ == "__main__":
    main()
