"""The progress of a long data job (founding the demo city, its history, a big import) as text.

The jobs report through a ``Progress`` callback, ``progress(stage, fraction)``. ``TextProgress`` is one
for a text stream: on a terminal a single line, a bar redrawn in place; anywhere else (a log, a pipe)
one line per stage, so the record reads stage after stage instead of running together.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

Progress = Callable[[str, float], None]

BAR_WIDTH = 30


class TextProgress:
    """A ``Progress`` callback writing to ``stream`` (default stderr); ``tty`` overrides the stream's own
    answer (tests). ``finish()`` ends the bar's line."""

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None, prefix: str = ""):
        self.stream = stream if stream is not None else sys.stderr
        self.tty = tty if tty is not None else bool(getattr(self.stream, "isatty", lambda: False)())
        self.prefix = prefix
        self.stage: str | None = None
        self._drawn = False

    def __call__(self, stage: str, fraction: float) -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        if self.tty:
            filled = round(fraction * BAR_WIDTH)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stream.write(f"\r{self.prefix}[{bar}] {fraction * 100:5.1f}%  {stage:<32.32}")
            self._drawn = True
        elif stage != self.stage:
            self.stream.write(f"{self.prefix}{stage} ({fraction * 100:.0f}%)\n")
        self.stage = stage
        self.stream.flush()

    def finish(self) -> None:
        """End the bar's line (on a terminal); nothing to do otherwise."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
