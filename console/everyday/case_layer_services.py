"""The read behind the map's live cases layer: every open case as numpy columns
(``modes.everyday.case_map.open_cases``), one short read per refresh in the worker pool, at the injected
clock's now, or at a past moment the user chose (``moment``).
"""

from __future__ import annotations

import datetime as dt
import threading

from data.db import SessionFactory
from modes.common.clock import Clock
from modes.everyday.case_map import OpenCases, open_cases, open_cases_as_of
from modes.everyday.queue import type_names


class CaseLayerServices:
    def __init__(self, session_factory: SessionFactory, clock: Clock):
        self.session_factory = session_factory
        self.clock = clock
        self._type_names: dict[str, str] = {}
        self._lock = threading.Lock()  # reads may overlap in the pool
        self.exercises = "leave"  # the console's exercise-records choice: real cases unless asked
        self.moment: dt.datetime | None = None  # a past instant to draw, None: now

    @classmethod
    def of(cls, services) -> CaseLayerServices:
        """From the console's services (same sessions and clock)."""
        return cls(services.session_factory, services.clock)

    def open_cases(self) -> OpenCases:
        """The open cases now, or at ``moment`` when one is set (each in its state then)."""
        moment = self.moment
        now = self.clock.now()
        with self.session_factory() as s:

            def names_of(keys: set[str]) -> dict[str, str]:
                # Type names (a few hundred, they never change while the console runs): read once, and
                # again only when a case brings a type not seen before.
                with self._lock:
                    if keys - self._type_names.keys():
                        self._type_names = type_names(s)
                    return dict(self._type_names)

            if moment is not None:
                return open_cases_as_of(s, moment, names_of, exercises=self.exercises)
            return open_cases(s, now, names_of, exercises=self.exercises)
