"""Tables of drills and exercises (演练): an exercise run from a scenario (a Master Scenario Events List,
MSEL), its injects with their delivery state, the evaluators' notes and the improvement plan.

The rules (reading a MSEL, the exercise clock, delivering injects through the command bus, the
after-action report) live in ``modes.exercises``; these are the rows. They arrive on their own migration
branch (``ex_0001``), which also gives cases, incidents and alarms the ``exercise_id`` that keeps an
exercise's records apart from the real city.

Times are naive local datetimes like the rest of the city; the exercise clock's anchors keep their
microseconds (at 120x a wall second is two scenario minutes).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.models import Base


class ExerciseState(enum.StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"  # ended by a person before every inject was delivered
    COMPLETED = "completed"  # ended after every inject was delivered (or refused): by a person or itself


class InjectState(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    ACTIONED = "actioned"
    REFUSED = "refused"  # its command was refused: the reason is on the inject, the exercise goes on
    SKIPPED = "skipped"  # before the scenario time the exercise started at, or left when it stopped


class Exercise(Base):
    """One run of a scenario on its own clock."""

    __tablename__ = "exercises"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario: Mapped[str] = mapped_column(String(80))  # a built-in name or the file's name
    title: Mapped[str] = mapped_column(String(200), default="")
    title_zh: Mapped[str] = mapped_column(String(200), default="")
    demo: Mapped[bool] = mapped_column(Boolean, default=False)  # the first-run demo: marked DEMO
    state: Mapped[str] = mapped_column(String(12), index=True)
    speed: Mapped[float] = mapped_column(Float, default=1.0)
    start_offset_s: Mapped[float] = mapped_column(Float, default=0.0)  # the scenario time it started at
    # The clock: scenario seconds = anchor_s + (wall - wall_anchor) * speed while running.
    anchor_s: Mapped[float] = mapped_column(Float, default=0.0)
    wall_anchor: Mapped[dt.datetime] = mapped_column(DateTime)
    # Every running stretch, for turning a journal time into exercise time: [[wall_from, wall_to|null,
    # scenario_s_at_wall_from, speed], ...] (ISO times).
    segments: Mapped[list] = mapped_column(JSON, default=list)
    clock_origin: Mapped[dt.datetime] = mapped_column(DateTime)  # exercise-clock time at scenario 00:00
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    started_by: Mapped[str] = mapped_column(String(50))
    start_seq: Mapped[int] = mapped_column(Integer, default=0)  # the journal's head when it started
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    ended_by: Mapped[str | None] = mapped_column(String(50), nullable=True)
    purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    objectives: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # When its driver ends it (ENDEX) by itself: None, a person ends it; "injects", once every inject is
    # out and the last Expected Within has passed on the exercise clock; "clock", at scenario ``end_s``.
    end_after: Mapped[str | None] = mapped_column(String(8), nullable=True)
    end_s: Mapped[float | None] = mapped_column(Float, nullable=True)

    def __repr__(self) -> str:
        return f"<Exercise {self.id} {self.scenario!r} {self.state} x{self.speed:g}>"


class ExerciseInject(Base):
    """One MSEL row of an exercise (or an ad-hoc inject a controller added), with what became of it."""

    __tablename__ = "exercise_injects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order in the MSEL (ad-hoc ones after the file's)
    no: Mapped[str] = mapped_column(String(20))
    time_s: Mapped[float] = mapped_column(Float)  # scenario time
    kind: Mapped[str] = mapped_column(String(10))
    sender: Mapped[str] = mapped_column(String(80), default="")
    recipient: Mapped[str] = mapped_column(String(80), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    expected_action: Mapped[str] = mapped_column(String(200), default="")
    expected_within_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    objective: Mapped[str] = mapped_column(String(200), default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)  # the kind's own columns (type, cell...)
    adhoc: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(14), index=True)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)  # wall time
    delivered_s: Mapped[float | None] = mapped_column(Float, nullable=True)  # exercise clock, scenario s
    delivered_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)  # its exercise.inject event
    record: Mapped[str | None] = mapped_column(String(40), nullable=True)  # case/12, incident/3, alarm/7
    refusal: Mapped[str | None] = mapped_column(Text, nullable=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(50), nullable=True)

    def __repr__(self) -> str:
        return f"<ExerciseInject {self.exercise_id}/{self.no} {self.kind} {self.state}>"


class ExerciseNote(Base):
    """An evaluator's or controller's note: an observation, a strength or an area for improvement."""

    __tablename__ = "exercise_notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id"), index=True)
    inject_no: Mapped[str | None] = mapped_column(String(20), nullable=True)
    kind: Mapped[str] = mapped_column(String(12))  # observation | strength | improvement
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(50))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    clock_s: Mapped[float | None] = mapped_column(Float, nullable=True)


class ImprovementItem(Base):
    """One row of the Improvement Plan: an issue found, the corrective action, its owner and due date."""

    __tablename__ = "exercise_improvements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id"), index=True)
    objective: Mapped[str] = mapped_column(String(200), default="")
    issue: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(80))
    due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    author: Mapped[str] = mapped_column(String(50))
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class ExerciseDriverBeat(Base):
    """When a driver last ticked an exercise, and which driver: its heartbeat (``modes.exercises.liveness``).

    Written in place by ``exercise.tick`` and never journaled nor replicated: it is a fact about a
    process, not about the exercise, and an event every few seconds would bury the exercise's own in the
    journal, the replication stream and the after-action report."""

    __tablename__ = "exercise_drivers"
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id"), primary_key=True)
    last_tick: Mapped[dt.datetime] = mapped_column(DateTime)
    driver: Mapped[str] = mapped_column(String(120), default="")
