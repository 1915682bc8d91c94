"""The case desk: report, act, show and list cases of the everyday loop.

Every call takes the caller's session (the caller owns the transaction), validates, writes the case,
its history row and its journal event together, and returns what changed. Rules come from
``modes.everyday.workflow``; time limits and the calendar from ``modes.everyday.config``.

What a step does to a case (its guard, its effect on the row, what its event records) is defined once,
at the end of this module, on any case row and either time line (``LoopRules``, ``apply_step``): the
desk applies it to its ORM row on datetimes, the bulk writers (generated history, imported cases) to
plain rows on seconds.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from data import journal
from data.codes import resolve_event_type
from data.errors import InputError, NotFound
from data.id_floor import free_id
from data.models import (
    Case,
    CaseHistory,
    Component,
    ComponentType,
    Department,
    EventType,
    Role,
    Supervisor,
)
from modes.common.actor import Actor
from modes.common.changes import Changes
from modes.common.clock import Clock
from modes.common.escalation import incident_link
from modes.everyday import workflow
from modes.everyday.calendar import Limit, T, TimeLine
from modes.everyday.config import EverydayConfig
from modes.everyday.overdue import is_overdue
from modes.everyday.routing import Router
from modes.everyday.stage_clocks import stage_clocks
from modes.everyday.workflow import FINISHED, STAGES, IllegalTransition, State, Transition


class Channel(enum.StrEnum):
    SUPERVISOR = "supervisor"  # 监督员上报
    CAMERA = "camera"  # 视频发现
    HOTLINE = "hotline"  # 12319
    INTERNET = "internet"
    PATROL = "patrol"  # 巡查车 (微波车)
    MEDIA = "media"  # 媒体曝光、转办


SATISFACTION = ("satisfied", "basic", "unsatisfied")
# The open states listed rather than "not finished": an IN list lets SQLite walk ix_cases_dup_lookup
# (type, state, reported_at) to the recent rows of each open state; NOT IN stopped it at the type and
# scanned every case of that type ever reported (0.5 s a report over a million cases, 2 ms this way).
OPEN_STATES = tuple(s.value for s in State if s not in FINISHED)
# The column holding the due time of each stage's current attempt (handling: the deadline).
DUE_COLUMN = {
    "accept": "accept_due",
    "verify": "verify_due",
    "file": "file_due",
    "dispatch": "dispatch_due",
    "handle": "deadline",
    "send_check": "send_check_due",
    "check": "check_due",
    "close": "close_due",
}


@dataclass(frozen=True, slots=True)
class _TypeFacts:
    """What a report needs of its event type."""

    code: str
    name: str
    urgent: bool


class CaseDesk:
    def __init__(
        self,
        session: Session,
        clock: Clock,
        router: Router | None = None,
        config: EverydayConfig | None = None,
    ):
        self.session = session
        self.clock = clock
        self.router = router or Router.load(session)
        self.config = config or EverydayConfig.load(session)
        self.rules: LoopRules[dt.datetime] = LoopRules(self.config)
        # Reference rows a desk reads on every call and nobody changes while it lives (a desk serves one
        # transaction or one seat): remembered as plain values, so a report, an action and the view they
        # return cost no lookups after the first.
        self._event_types: dict[str, _TypeFacts] = {}
        self._type_names: dict[tuple[str, str], str] = {}
        self._supervisor_ids: dict[str, int | None] = {}
        self._supervisor_codes: dict[int, str | None] = {}

    # --- reference rows -------------------------------------------------------------------------

    def _event_type(self, type_code: str) -> _TypeFacts:
        facts = self._event_types.get(type_code)
        if facts is None:  # unknown codes raise NotFound each time: only found types are remembered
            row = resolve_event_type(self.session, type_code)
            facts = self._event_types[type_code] = _TypeFacts(row.code, row.name, row.urgent)
            self._type_names["event", row.code] = row.name
        return facts

    def _type_name(self, kind: str, code: str) -> str:
        name = self._type_names.get((kind, code))
        if name is None:
            row = self.session.get(ComponentType if kind == "component" else EventType, code)
            name = self._type_names[kind, code] = row.name if row else ""
        return name

    def _supervisor_id(self, code: str | None) -> int | None:
        if not code:
            return None
        if code not in self._supervisor_ids:
            found = self.session.scalar(select(Supervisor.id).where(Supervisor.code == code))
            self._supervisor_ids[code] = found
            if found is not None:
                self._supervisor_codes[found] = code
        return self._supervisor_ids[code]

    def _supervisor_code(self, supervisor_id: int | None) -> str | None:
        if supervisor_id is None:
            return None
        if supervisor_id not in self._supervisor_codes:
            row = self.session.get(Supervisor, supervisor_id)
            self._supervisor_codes[supervisor_id] = row.code if row else None
        return self._supervisor_codes[supervisor_id]

    # --- intake ---------------------------------------------------------------------------------

    def report(
        self,
        actor: Actor,
        *,
        x: float,
        y: float,
        channel: str,
        type_code: str | None = None,
        component_id: str | None = None,
        text: str = "",
        urgent: bool | None = None,
        external_ref: str | None = None,
        duplicate_of: int | None = None,
        exercise_id: int | None = None,
    ) -> tuple[dict, Changes]:
        """Take a report: locate, route, link to an open duplicate or open a new case.

        ``exercise_id`` marks the case as an exercise's (an inject's report): it links only to cases of
        the same exercise, and a real report never links to an exercise's case.

        ``duplicate_of`` links the report to that case, which must be one of the duplicates the rule
        finds (``duplicate_candidates``), when an operator picked it rather than the nearest one."""
        try:
            channel = Channel(channel).value
        except ValueError:
            raise InputError(
                f"unknown channel {channel!r} (one of {', '.join(c.value for c in Channel)})"
            ) from None
        now = self.clock.now()
        if component_id:
            routing = self.router.route_component(self.session, component_id, x, y)
            comp = self._component(component_id)
            ctype = self.session.get(ComponentType, comp.type_code)
            if type_code and type_code not in (ctype.code, ctype.gb_code, ctype.legacy_code):
                raise InputError(
                    f"type {type_code!r} does not match component {comp.id}, which is a {ctype.code} {ctype.name}"
                )
            self._type_names["component", ctype.code] = ctype.name
            kind, code, type_urgent, component_id = "component", ctype.code, False, comp.id
        else:
            if not type_code:
                raise InputError("a report needs an event type code (--type) or a component id (--component)")
            etype = self._event_type(type_code)
            routing = self.router.route_event(self.session, x, y, etype.code, etype.name)
            kind, code, type_urgent = "event", etype.code, etype.urgent
        is_urgent = type_urgent if urgent is None else bool(urgent)
        loc = routing.location
        supervisor_id = self._supervisor_id(loc.supervisor)
        case = Case(
            id=free_id(self.session, Case.__table__),  # never a purged exercise case's id
            kind=kind,
            type_code=code,
            channel=channel,
            state=State.REPORTED.value,
            urgent=is_urgent,
            x=x,
            y=y,
            cell_code=loc.cell,
            community_code=loc.community,
            street_code=loc.street,
            district_code=loc.district,
            department_code=routing.department,
            supervisor_id=supervisor_id,
            component_id=component_id,
            description=text,
            reporter=actor.name,
            reported_at=now,
            external_ref=external_ref,
            updated_at=now,
            suspended_minutes=0.0,
            rework_count=0,
            return_count=0,
            extension_count=0,
            suspension_count=0,
            exercise_id=exercise_id,
        )
        original = (
            self._find_duplicate(case, now)
            if duplicate_of is None
            else self._chosen_duplicate(case, now, duplicate_of)
        )
        open_case(self.rules, case, now, None if original is None else original.id)
        self.session.add(case)
        self.session.flush()
        payload = {
            "kind": kind,
            "type": code,
            "channel": channel,
            "urgent": is_urgent,
            "x": x,
            "y": y,
            "cell": loc.cell,
            "department": routing.department,
            "state": case.state,
            "text": text,
            "duplicate_of": case.duplicate_of,
            "component": component_id,
            "routing": routing.reason,
        }
        if exercise_id is not None:
            payload["exercise"] = exercise_id
        seq = self._record(case, actor, now, "report", None, case.state, text, payload)
        changed = {case.id} | ({original.id} if original is not None else set())
        return self.view(case), Changes(
            cases=frozenset(changed), cells=frozenset({loc.cell}), journal_seq=seq
        )

    def _component(self, component_id: str) -> Component:
        comp = self.session.get(Component, component_id.strip())
        if comp is None:
            comp = self.session.scalar(select(Component).where(Component.legacy_id == component_id.strip()))
        if comp is None:
            raise NotFound(f"unknown component id {component_id!r}")
        return comp

    def duplicate_candidates(
        self,
        type_code: str,
        x: float,
        y: float,
        cell_code: str,
        now: dt.datetime | None = None,
        exercise_id: int | None = None,
        limit: int | None = None,
    ) -> list[tuple[float, Case]]:
        """Open cases of the same type reported recently in the same cell or within the radius, as
        (distance in metres, case), nearest first: what a new report there would be linked to. Real
        reports and an exercise's never link to each other (``exercise_id``). ``limit``: the nearest so many."""
        now = now or self.clock.now()
        r = self.config.duplicate_radius_m
        since = now - dt.timedelta(hours=self.config.duplicate_window_hours)
        near = and_(Case.x.between(x - r, x + r), Case.y.between(y - r, y + r))
        # Ids and places only: ix_cases_dup_lookup holds every column read here, so a busy type's
        # hundreds of open cases are tested in the index and only the ones that qualify are loaded.
        rows = self.session.execute(
            select(Case.id, Case.x, Case.y, Case.cell_code).where(
                Case.type_code == type_code,
                Case.state.in_(OPEN_STATES),
                Case.reported_at >= since,
                or_(Case.cell_code == cell_code, near),
                Case.exercise_id.is_(None) if exercise_id is None else Case.exercise_id == exercise_id,
            )
        ).all()
        scored = sorted(
            (math.hypot(cx - x, cy - y), case_id)
            for case_id, cx, cy, cell in rows
            if cell == cell_code or math.hypot(cx - x, cy - y) <= r
        )
        if limit is not None:
            scored = scored[:limit]
        cases = (
            {c.id: c for c in self.session.scalars(select(Case).where(Case.id.in_([i for _, i in scored])))}
            if scored
            else {}
        )
        return [(d, cases[i]) for d, i in scored]

    def _find_duplicate(self, case: Case, now: dt.datetime) -> Case | None:
        found = self.duplicate_candidates(
            case.type_code, case.x, case.y, case.cell_code, now, case.exercise_id, limit=1
        )
        return found[0][1] if found else None

    def _chosen_duplicate(self, case: Case, now: dt.datetime, case_id: int) -> Case:
        for _, c in self.duplicate_candidates(
            case.type_code, case.x, case.y, case.cell_code, now, case.exercise_id
        ):
            if c.id == case_id:
                return c
        chosen = self.session.get(Case, case_id)
        if chosen is not None and chosen.exercise_id != case.exercise_id:
            theirs = "a real case" if chosen.exercise_id is None else f"exercise {chosen.exercise_id}'s case"
            ours = "a real report" if case.exercise_id is None else f"exercise {case.exercise_id}'s report"
            raise InputError(f"case {case_id} is {theirs}: {ours} is never linked to it")
        raise InputError(
            f"case {case_id} is not an open {case.type_code} case reported near this point within "
            f"{self.config.duplicate_window_hours:g} hours: the report cannot be linked to it"
        )

    # --- the loop -------------------------------------------------------------------------------

    def get(self, case_id: int, *, lock: bool = False) -> Case:
        stmt = select(Case).where(Case.id == case_id)
        if lock:
            stmt = stmt.with_for_update()
        case = self.session.scalar(stmt)
        if case is None:
            raise NotFound(f"case {case_id} does not exist")
        return case

    def act(
        self,
        case_id: int,
        action: str,
        actor: Actor,
        note: str = "",
        *,
        department: str | None = None,
        extension: str | None = None,
        satisfaction: str | None = None,
    ) -> tuple[dict, Changes]:
        """Apply one action of the transition table, or raise ``IllegalTransition`` saying why."""
        case = self.get(case_id, lock=True)
        tr = workflow.check(case.state, action, actor.role)
        self._check_scope(case, actor, action)
        check_step(case, tr, action, note.strip())
        step = Step(self.clock.now(), actor.name, note.strip(), department, None, satisfaction)
        if extension is not None:
            try:
                step.extension = Limit.parse(extension)
            except (ValueError, TypeError) as exc:
                raise InputError(f"invalid extension {extension!r}: {exc} (e.g. '2 working_days')") from None
        if department and tr.effect == "dispatch" and self.session.get(Department, department) is None:
            raise NotFound(f"unknown department {department!r}")
        before = case.state
        payload = apply_step(self.rules, case, tr, step)
        seq = self._record(
            case, actor, step.now, action, before, case.state, step.note, payload, stage_due=step.held_to
        )
        return self.view(case), Changes(
            cases=frozenset({case.id}), cells=frozenset({case.cell_code}), journal_seq=seq
        )

    def _check_scope(self, case: Case, actor: Actor, action: str) -> None:
        if actor.district and case.district_code != actor.district:
            raise IllegalTransition(
                f"case {case.id} is in district {case.district_code}; {actor.name} acts for district {actor.district}"
            )
        if actor.role == Role.DEPARTMENT and actor.department and case.department_code != actor.department:
            raise IllegalTransition(
                f"case {case.id} is with {case.department_code or 'the district'}, not {actor.department}: "
                f"{actor.name} may not {action} it"
            )

    def _record(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        action: str,
        before: str | None,
        after: str,
        note: str,
        payload: dict,
        *,
        stage_due: dt.datetime | None = None,
    ) -> int:
        self.session.add(
            CaseHistory(
                case_id=case.id,
                at=now,
                actor=actor.name,
                role=actor.role.value,
                action=action,
                from_state=before,
                to_state=after,
                note=note,
                stage_due=stage_due,
            )
        )
        return journal.append(
            self.session,
            journal.NewEvent(
                kind=f"case.{action}",
                actor=actor.name,
                at=now,
                subject=f"case/{case.id}",
                district_code=case.district_code,
                payload={"role": actor.role.value, "from": before, "to": after, "note": note, **payload},
            ),
        )

    # --- reading --------------------------------------------------------------------------------

    def next_actions(self, case: Case) -> list[dict]:
        out = []
        for tr in workflow.allowed(case.state):
            if tr.guard and not GUARDS[tr.guard](case):
                continue
            out.append(
                {"action": tr.action, "roles": sorted(r.value for r in tr.roles), "needs_note": tr.needs_note}
            )
        return out

    def stage_clocks(self, case: Case, history: list[CaseHistory] | None = None) -> list[dict]:
        """Each stage's clock, attempt by attempt (``modes.everyday.stage_clocks``)."""
        if history is None:
            history = self._history(case)
        rules = self.rules
        limits = {s: rules.stage_limit(s) for s in STAGES if s != "handle"}
        limits["handle"] = rules.handling_limit(case.kind, case.type_code, case.urgent)

        def due_of(stage: str, start: dt.datetime) -> dt.datetime:
            if stage == "handle":
                return rules.handling_due(case, start)
            return rules.stage_due(stage, start, case.urgent)

        return stage_clocks(
            case,
            history,
            limits=limits,
            due_of=due_of,
            calendar=self.config.calendar,
            now=self.clock.now(),
            due_column=DUE_COLUMN,
        )

    def _history(self, case: Case) -> list[CaseHistory]:
        return list(
            self.session.scalars(
                select(CaseHistory).where(CaseHistory.case_id == case.id).order_by(CaseHistory.id)
            )
        )

    def view(self, case: Case, *, full: bool = False) -> dict:
        now = self.clock.now()
        doc = {
            "id": case.id,
            "kind": case.kind,
            "type": case.type_code,
            "type_name": self._type_name(case.kind, case.type_code),
            "channel": case.channel,
            "state": case.state,
            "urgent": case.urgent,
            "x": round(case.x, 2),
            "y": round(case.y, 2),
            "cell": case.cell_code,
            "community": case.community_code,
            "street": case.street_code,
            "district": case.district_code,
            "department": case.department_code,
            "responsible": f"department:{case.department_code}"
            if case.department_code
            else f"district:{case.district_code}",
            "supervisor": self._supervisor_code(case.supervisor_id),
            "component": case.component_id,
            "text": case.description,
            "reporter": case.reporter,
            "reported_at": _iso(case.reported_at),
            "deadline": _iso(case.deadline),
            "overdue": is_overdue(case.state, case.deadline, now),
            "closed_at": _iso(case.closed_at),
            "closure_kind": case.closure_kind,
            "duplicate_of": case.duplicate_of,
            "satisfaction": case.satisfaction,
            "counts": {
                "rework": case.rework_count,
                "return": case.return_count,
                "extension": case.extension_count,
                "suspension": case.suspension_count,
            },
            "pending": json.loads(case.pending) if case.pending else None,
            "exercise": case.exercise_id,  # the exercise whose inject reported it; None for a real case
        }
        if full:
            doc["duplicates"] = list(
                self.session.scalars(select(Case.id).where(Case.duplicate_of == case.id).order_by(Case.id))
            )
            history = self._history(case)
            doc["history"] = [
                {
                    "at": _iso(h.at),
                    "actor": h.actor,
                    "role": h.role,
                    "action": h.action,
                    "from": h.from_state,
                    "to": h.to_state,
                    "note": h.note,
                    "stage_due": _iso(h.stage_due),
                }
                for h in history
            ]
            link = incident_link(self.session, case.id)
            doc["incident"] = None if link is None else link.as_doc()
            if link is not None:
                # The escalation in the timeline, where it happened (after the steps of its second).
                at = link.escalated_at
                entry = {
                    "at": _iso(at),
                    "actor": link.escalated_by,
                    "role": link.escalated_role,
                    "action": "escalated",
                    "from": link.state_at_escalation,
                    "to": link.state_at_escalation or case.state,
                    "note": link.note,
                    "stage_due": None,
                    "incident": link.id,
                }
                i = sum(1 for h in history if h.at <= at)
                doc["history"].insert(i, entry)
            doc["stages"] = self.stage_clocks(case, history)
            doc["next_actions"] = self.next_actions(case)
        return doc

    def show(self, case_id: int) -> dict:
        return self.view(self.get(case_id), full=True)


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat(timespec="seconds") if t else None


# --- the rules of a step, on any case row: the desk's and the bulk writers' --------------------------------
#
# A case row here is anything with the ``Case`` columns as attributes: the desk's ORM object, or a plain
# slotted row of a bulk writer (``history.SimulatedCase``). Moments are whatever the rules' time line
# counts in: datetimes at the desk, whole seconds in bulk. So a step has one definition, whoever takes it.


class LoopRules(Generic[T]):
    """The loop's time rules: stage and handling limits from the configuration, counted on a time line.

    The case desk counts on the city's ``WorkingCalendar`` (datetimes); bulk writers on the same calendar
    as a ``WorkingClock`` (seconds), with ``time_text`` writing a moment as an event records it."""

    def __init__(
        self,
        config: EverydayConfig,
        calendar: TimeLine[T] | None = None,
        time_text: Callable[[T], str] | None = None,
    ):
        self.config = config
        self.calendar: TimeLine[T] = calendar if calendar is not None else config.calendar
        self._text = time_text or _iso
        self._stages: dict[str, Limit] = {}
        self._handling: dict[tuple[str, str, bool], Limit] = {}

    def text(self, t: T | None) -> str | None:
        return None if t is None else self._text(t)

    def due(self, limit: Limit, start: T, urgent: bool) -> T:
        return limit.due(start, self.calendar, continuous=urgent)

    def stage_limit(self, stage: str) -> Limit:
        limit = self._stages.get(stage)
        if limit is None:
            limit = self._stages[stage] = self.config.stage_limit(stage)
        return limit

    def stage_due(self, stage: str, start: T, urgent: bool) -> T:
        limit = self._stages.get(stage) or self.stage_limit(stage)
        return limit.due(start, self.calendar, continuous=urgent)

    def handling_limit(self, kind: str, type_code: str, urgent: bool) -> Limit:
        key = (kind, type_code, urgent)
        limit = self._handling.get(key)
        if limit is None:
            limit = self._handling[key] = self.config.handling_limit(kind, type_code, urgent)
        return limit

    def handling_due(self, c, start: T) -> T:
        return self.handling_limit(c.kind, c.type_code, c.urgent).due(
            start, self.calendar, continuous=c.urgent
        )


@dataclass(slots=True)
class Step:
    """What an effect needs: the moment, who takes the step, why, and the extra inputs of some actions."""

    now: Any  # a datetime at the desk, seconds in bulk (the rules' time line)
    actor: str  # the name the journal records
    note: str = ""
    department: str | None = None
    extension: Limit | None = None
    satisfaction: str | None = None
    # Set by ``apply_step``: the due time of the stage clock the step stopped (None: it stopped none),
    # which the step's history row keeps as that attempt's verdict.
    held_to: Any = None


GUARDS: dict[str, Callable[[Case], bool]] = {
    "reported_on_site": lambda c: c.channel == Channel.SUPERVISOR.value,
}
GUARD_REASONS = {
    "reported_on_site": "only a supervisor's own on-site report may {action} without verification "
    "(case {case.id} came by {case.channel}: send it for verification)",
}


def open_case(rules: LoopRules, c, now, duplicate_of: int | None) -> None:
    """A report's new case: linked to the open original it repeats, or waiting for the operator with
    its acceptance due time and a provisional handling deadline (dispatch sets the real one)."""
    if duplicate_of is not None:
        c.state = State.MERGED.value
        c.duplicate_of = duplicate_of
    else:
        c.state = State.REPORTED.value
        c.accept_due = rules.stage_due("accept", now, c.urgent)
        c.deadline = rules.handling_due(c, now)


def check_step(c, tr: Transition, action: str, note: str) -> None:
    """What a row of the table asks beyond state and role: a note saying why, and its guard."""
    if tr.needs_note and not note:
        raise IllegalTransition(f"{action} needs a note saying why")
    if tr.guard and not GUARDS[tr.guard](c):
        raise IllegalTransition(GUARD_REASONS[tr.guard].format(action=action, case=c))


def apply_step(rules: LoopRules, c, tr: Transition, step: Step) -> dict:
    """One row of the table on a case row: the stage clocks it stops and starts, its named effect, its
    target state, the time of the change. Returns what the step's journal event records beside its
    states and note; ``step.held_to`` is left holding the due time of the clock it stopped.

    A started stage's due time is counted from this step on the stage's own limit (the handling
    deadline is the dispatch and rework effects' own); a stage started again is timed afresh, so an
    earlier attempt keeps its verdict and the new one is not charged for it."""
    step.held_to = getattr(c, DUE_COLUMN[tr.stops]) if tr.stops else None
    if tr.starts is not None and tr.starts != "handle":
        setattr(c, DUE_COLUMN[tr.starts], rules.stage_due(tr.starts, step.now, c.urgent))
    effect = EFFECTS.get(tr.effect) if tr.effect else None
    payload = effect(rules, c, tr, step) if effect is not None else {}
    if step.held_to is not None:
        payload["stage_due"] = rules.text(step.held_to)
    c.state = tr.target.value
    c.updated_at = step.now
    return payload


# --- the effects: what each named effect of the table sets on the row, and what its event records ---------


def _accept(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    if c.accepted_at is None:
        c.accepted_at = s.now
    return {}


def _send_verify(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    if c.accepted_at is None:
        c.accepted_at = s.now
    c.verified_at = None
    return {"verify_due": rules.text(c.verify_due)}


def _verify(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    c.verified_at = s.now
    return {}


def _self_fix(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    c.accepted_at = s.now
    return {"self_fixed": True}


def _file(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    c.filed_at = s.now
    return {}


def _dispatch(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    if s.department:  # the desk checked that it exists
        c.department_code = s.department
    c.dispatched_at = s.now
    c.started_at = None
    c.deadline = rules.handling_due(c, s.now)
    return {"department": c.department_code, "deadline": rules.text(c.deadline)}


def _start(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    c.started_at = s.now
    return {}


def _request(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    req = {"action": tr.action, "by": s.actor, "at": rules.text(s.now), "note": s.note}
    if tr.action == "request_extension":
        if s.extension is None:
            raise InputError(
                "request_extension needs the time asked for (--extension, e.g. '2 working_days')"
            )
        req["extension"] = str(s.extension)
    c.pending = json.dumps(req, ensure_ascii=False)
    return {"request": req}


def _extend(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    req = json.loads(c.pending or "{}")
    limit = s.extension or Limit.parse(req.get("extension", "1 working_days"))
    old = c.deadline
    c.deadline = rules.due(limit, old if old is not None else s.now, c.urgent)
    c.extension_count += 1
    c.pending = None
    return {
        "extension": str(limit),
        "old_deadline": rules.text(old),
        "deadline": rules.text(c.deadline),
        "approver": s.actor,
    }


def _clear_request(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    c.pending = None
    return {}


def _return_to_centre(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    c.return_count += 1
    c.pending = None
    return {"returned_by": c.department_code, "approver": s.actor}


def _suspend(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    c.suspended_at = s.now
    c.suspension_count += 1
    c.pending = None
    return {"approver": s.actor}


def _stop_suspension(rules: LoopRules, c: Case, now) -> float:
    """End the suspension: the deadline moves by the time the clock was stopped."""
    cal = rules.calendar
    start = c.suspended_at if c.suspended_at is not None else now
    if c.urgent:
        stopped = cal.minutes_between(start, now)
        if c.deadline is not None:
            c.deadline += now - start
    else:
        stopped = cal.working_minutes(start, now)
        if c.deadline is not None:
            remaining = cal.working_minutes(start, c.deadline)
            c.deadline = cal.add_working(now, remaining) if remaining > 0 else c.deadline + (now - start)
    c.suspended_minutes += stopped
    c.suspended_at = None
    return stopped


def _resume(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    stopped = _stop_suspension(rules, c, s.now)
    return {"stopped_minutes": round(stopped, 1), "deadline": rules.text(c.deadline)}


def _close_as(rules: LoopRules, c: Case, s: Step, kind: str | None) -> dict:
    if c.suspended_at is not None:
        _stop_suspension(rules, c, s.now)
    c.closed_at = s.now
    if kind is None:  # an ordinary close: on time if the department fed back by the deadline
        done = c.feedback_at if c.feedback_at is not None else s.now
        c.closure_kind = "normal" if c.deadline is None or done <= c.deadline else "overdue"
    else:
        c.closure_kind = kind
    return {"closure_kind": c.closure_kind}


def _close_with(kind: str | None):
    def effect(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
        return _close_as(rules, c, s, kind)

    return effect


def _close_self_fixed(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    if c.filed_at is None:
        c.filed_at = s.now
    return _close_as(rules, c, s, "normal") | {"self_fixed": True}


def _feedback(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    c.feedback_at = s.now
    return {"on_time": c.deadline is None or s.now <= c.deadline}


def _send_check(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    c.checked_at = None
    return {"check_due": rules.text(c.check_due)}


def _check(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    c.checked_at = s.now
    return {"passed": tr.target == State.CHECKED}


def _rework(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    c.rework_count += 1
    c.dispatched_at = s.now
    c.started_at = c.feedback_at = c.check_due = c.checked_at = None
    c.deadline = rules.handling_due(c, s.now)
    return {"deadline": rules.text(c.deadline), "rework": c.rework_count}


def _evaluate(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    if s.satisfaction not in SATISFACTION:
        raise InputError(f"evaluate needs --satisfaction, one of {', '.join(SATISFACTION)}")
    c.evaluated_at = s.now
    c.satisfaction = s.satisfaction
    return {"satisfaction": s.satisfaction}


def _void(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    c.voided_at = s.now
    return {"was_filed": c.filed_at is not None}


def _unlink(rules: LoopRules, c: Case, tr: Transition, s: Step) -> dict:
    was = c.duplicate_of
    c.duplicate_of = None
    c.deadline = rules.handling_due(c, s.now)
    return {"was_duplicate_of": was}


EFFECTS: dict[str, Callable[[LoopRules, Case, Transition, Step], dict]] = {
    "accept": _accept,
    "send_verify": _send_verify,
    "verify": _verify,
    "self_fix": _self_fix,
    "file": _file,
    "dispatch": _dispatch,
    "start": _start,
    "request": _request,
    "extend": _extend,
    "clear_request": _clear_request,
    "return_to_centre": _return_to_centre,
    "suspend": _suspend,
    "resume": _resume,
    "feedback": _feedback,
    "send_check": _send_check,
    "check": _check,
    "close": _close_with(None),
    "close_special": _close_with("special"),
    "close_error": _close_with("error"),
    "close_self_fixed": _close_self_fixed,
    "rework": _rework,
    "evaluate": _evaluate,
    "void": _void,
    "unlink": _unlink,
}
