"""What the console's exercise banner and controller page may ask: reads through ``modes.exercises.screens``
in a short session of their own, writes as the ``exercise.*`` commands through the console's write
gateway (the local door, or the attached node, which is where a connected console's exercises run).

Every method runs in a worker.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from pathlib import Path
from typing import Any

from console.dto import Login
from console.gateway import WriteGateway, provisional_result
from data.db import SessionFactory
from data.errors import InputError
from modes.common import exercise_clock as xclock
from modes.common.clock import Clock
from modes.exercises import screens
from modes.exercises.exercises import STARTERS, scenario_args
from modes.exercises.liveness import DriverState
from modes.exercises.msel import Scenario, read_scenario
from nodes.client import LinkError

# Who runs an exercise (start, pause, stop, inject, the improvement plan): the rules' own list.
RUNNERS = frozenset(r.value for r in STARTERS)


def _result(result: Any) -> dict[str, Any]:
    doc, _queued = provisional_result(result)
    return doc if isinstance(doc, dict) else {}


class ExerciseServices:
    def __init__(
        self,
        session_factory: SessionFactory,
        clock: Clock,
        login: Login,
        gateway: WriteGateway,
        link: Any = None,
    ) -> None:
        self.session_factory = session_factory  # the city's database, or the node's replica
        self.clock = clock
        self.login = login
        self.gateway = gateway
        self.link = link  # a connected console's link: the node judges the injects' progress

    @classmethod
    def of(cls, services) -> ExerciseServices:
        """From the console's services (same sessions, clock, login, gateway and link)."""
        return cls(
            services.session_factory,
            services.clock,
            services.login,
            services.gateway,
            getattr(services, "link", None),
        )

    @property
    def remote(self) -> bool:
        return bool(self.gateway.remote)

    @property
    def may_run(self) -> bool:
        """Whether this login may start, pause, stop, inject and write the improvement plan (a drill
        coordinator or the city commander, at the municipal centre)."""
        login = self.login
        return login is not None and login.role in RUNNERS and not login.district_code

    @property
    def signed_in(self) -> bool:
        return self.login is not None and bool(self.login.role)

    def wall(self) -> dt.datetime:
        return xclock.wall_now(self.clock)

    # --- reads -----------------------------------------------------------------------------------------

    def banner(self) -> screens.BannerState:
        login = self.login
        with self.session_factory() as s:
            return screens.banner_state(
                s, self.wall(), login.actor if login else "", login.role if login else ""
            )

    def controller(self, exercise_id: int | None = None) -> screens.ControllerView | None:
        wall = self.wall()
        with self.session_factory() as s:
            progress, driver = None, None
            if self.link is not None:
                exercise_id = screens.shown_exercise_id(s, exercise_id)
                if exercise_id is None:
                    return None
                doc = self._node_status(exercise_id)
                progress = list(doc.get("injects") or ())
                driver = DriverState.from_dict(doc.get("driver"))
            return screens.controller_view(s, wall, exercise_id, progress, driver)

    def _node_status(self, exercise_id: int) -> dict[str, Any]:
        """The node's status of the exercise: its judgement of each inject (the replica holds no journal
        to judge them from) and its driver's heartbeat; empty when the node does not answer (the page
        then shows the stored states alone)."""
        try:
            doc = self.link.call("query.exercise", {"id": int(exercise_id)}, timeout=10.0, persist=False)
        except LinkError:
            return {}
        return doc if isinstance(doc, dict) else {}

    def drive_command(self, exercise_id: int) -> str:
        """The command that drives the exercise from a terminal on this console's database."""
        engine = getattr(self.session_factory, "kw", {}).get("bind")
        where = f" --db {engine.url.render_as_string(hide_password=True)}" if engine is not None else ""
        return f"python main.py exercise drive {int(exercise_id)}{where} &"

    def choices(self) -> screens.InjectChoices:
        with self.session_factory() as s:
            return screens.inject_choices(s)

    def case_exercise(self, case_id: int) -> screens.ExerciseTag | None:
        with self.session_factory() as s:
            return screens.case_exercise(s, case_id)

    def exercise_case_ids(self, case_ids) -> frozenset[int]:
        with self.session_factory() as s:
            return screens.exercise_case_ids(s, case_ids)

    @staticmethod
    def read_scenario(path: str | Path) -> Scenario:
        """A MSEL file (.csv, .xlsx, .yaml) read and checked; ``MselError`` names the bad row and column."""
        return read_scenario(path)

    # --- writes ----------------------------------------------------------------------------------------

    def start(
        self,
        *,
        builtin: str | None = None,
        scenario: Scenario | None = None,
        speed: float = 1.0,
        start: str = "",
    ) -> dict[str, Any]:
        """Start a built-in scenario by name or a scenario read from a file (its rows travel with the
        command: a node cannot read this console's file)."""
        if (builtin is None) == (scenario is None):
            raise InputError("start either a built-in scenario or one read from a file")
        args: dict[str, Any] = {"speed": float(speed)}
        if builtin is not None:
            args["builtin"] = builtin
        else:
            args["scenario"] = scenario_args(scenario)
        if start.strip():
            args["from"] = start.strip()
        return self.gateway.write("exercise.start", args, decode=_result)

    def tick(self) -> dict[str, Any]:
        """Deliver what is due (the local console drives its own database's exercises), saying which
        driver ticks (the controller page and ``exercise status`` show it)."""
        who = (self.login.actor if self.login is not None else "") or "?"
        driver = f"console of {who} (pid {os.getpid()} on {socket.gethostname()})"
        return self.gateway.write("exercise.tick", {"driver": driver}, decode=_result)

    def pause(self, exercise_id: int) -> dict[str, Any]:
        return self.gateway.write("exercise.pause", {"id": int(exercise_id)}, decode=_result)

    def resume(self, exercise_id: int) -> dict[str, Any]:
        return self.gateway.write("exercise.resume", {"id": int(exercise_id)}, decode=_result)

    def stop(self, exercise_id: int) -> dict[str, Any]:
        return self.gateway.write("exercise.stop", {"id": int(exercise_id)}, decode=_result)

    def inject(self, exercise_id: int, row: dict[str, Any]) -> dict[str, Any]:
        """An ad-hoc inject (MSEL columns: kind, to, message and the kind's own), out at the next tick."""
        cleaned = {k: v for k, v in row.items() if v not in (None, "")}
        return self.gateway.write(
            "exercise.inject", {"id": int(exercise_id), "inject": cleaned}, decode=_result
        )

    def acknowledge(self, exercise_id: int, no: str) -> dict[str, Any]:
        return self.gateway.write("exercise.ack", {"id": int(exercise_id), "no": str(no)}, decode=_result)

    def note(self, exercise_id: int, text: str, kind: str, no: str | None = None) -> dict[str, Any]:
        args: dict[str, Any] = {"id": int(exercise_id), "text": text, "kind": kind}
        if no:
            args["no"] = str(no)
        return self.gateway.write("exercise.note", args, decode=_result)

    def improve(
        self,
        exercise_id: int,
        *,
        issue: str,
        action: str,
        owner: str,
        due: dt.date | None = None,
        objective: str = "",
    ) -> dict[str, Any]:
        args = {
            "id": int(exercise_id),
            "issue": issue,
            "action": action,
            "owner": owner,
            "due": due.isoformat() if due else None,
            "objective": objective,
        }
        return self.gateway.write("exercise.improvement", args, decode=_result)
