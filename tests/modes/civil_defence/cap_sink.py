"""A command hook for the tests: writes the alert it gets on stdin to the file it is given, and its
CAP_* environment beside it (``FILE.env``)."""

import os
import sys
from pathlib import Path

out = Path(sys.argv[1])
out.write_bytes(sys.stdin.buffer.read())
out.with_name(out.name + ".env").write_text(
    "\n".join(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("CAP_"))
)
