"""The closed loop as data: states, the transition table and who may take each step.

Stages (domain.md section 3): intake -> acceptance and on-site verification -> filing or voiding ->
dispatch (the handling clock starts) -> handling -> feedback -> on-site check -> closing or rework ->
evaluation, plus the special paths: return (回退), extension (延期), suspension (挂账) and resumption,
void (作废) and supervisor self-fix (自处理), each needing approval and kept in the record.

The table is the only place these rules live: ``modes.everyday.cases`` applies a row by name and runs
the row's named effect; tests are parametrised over it.

Stage clocks are in the table too: a step may stop the clock of the stage it completes (``stops``, its
verdict kept on the step's history row) and start the clock of the next one (``starts``). A step that
starts a stage again (a return to the centre, a failed check sent back to dispatch) starts it afresh and
ends, uncharged, any later stage still running; a step into a finished state ends every clock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from data.models import Role
from modes.common.state_table import StateTable


class State(enum.StrEnum):
    REPORTED = "reported"  # 上报, waiting for the operator
    VERIFYING = "verifying"  # 核实中, a supervisor is sent to look
    NOT_FOUND = "not_found"  # the supervisor could not confirm the problem
    ACCEPTED = "accepted"  # 受理, waiting for the shift leader to file or void
    SELF_FIX_REVIEW = "self_fix_review"  # the supervisor fixed it on the spot; awaiting review
    FILED = "filed"  # 立案, waiting for dispatch
    DISPATCHED = "dispatched"  # 派遣, the handling clock runs
    HANDLING = "handling"  # 处置中, the department has taken it up
    EXTENSION_REQUESTED = "extension_requested"  # 延期申请
    RETURN_REQUESTED = "return_requested"  # 回退申请
    SUSPENSION_REQUESTED = "suspension_requested"  # 挂账申请
    SUSPENDED = "suspended"  # 挂账, the clock is stopped
    FEEDBACK = "feedback"  # 反馈, the department says it is done
    CHECKING = "checking"  # 核查中
    CHECKED = "checked"  # the check confirmed the fix
    REWORK_PENDING = "rework_pending"  # the check failed
    CLOSED = "closed"  # 结案
    EVALUATED = "evaluated"  # 评价
    VOIDED = "voided"  # 作废
    MERGED = "merged"  # linked to an earlier report of the same problem


FINISHED = frozenset({State.CLOSED, State.EVALUATED, State.VOIDED, State.MERGED})

# The stages whose clocks the loop keeps, in the loop's order, and who works against each: accept (the
# operator: accept or send to verify), verify (the supervisor on site), file (the shift leader: file or
# void; also a self-fix's review), dispatch (the dispatcher; again after a return or a failed check),
# handle (the department, against the handling deadline), send_check (the operator sends the check task
# after the feedback), check (the supervisor on site), close (the shift leader closes a passed check).
STAGES = ("accept", "verify", "file", "dispatch", "handle", "send_check", "check", "close")

S = State
R = Role


@dataclass(frozen=True)
class Transition:
    source: State
    action: str
    target: State
    roles: frozenset[Role]
    effect: str | None = None  # the name of what the step records on the case (see cases.EFFECTS)
    guard: str | None = None  # the name of an extra condition (see cases.GUARDS)
    needs_note: bool = False  # refusals, voids and requests must say why
    stops: str | None = None  # the stage whose clock the step stops: its verdict is this step's
    starts: str | None = None  # the stage whose clock the step starts afresh


def t(
    source, action, target, roles, effect=None, guard=None, needs_note=False, stops=None, starts=None
) -> Transition:
    return Transition(source, action, target, frozenset(roles), effect, guard, needs_note, stops, starts)


_APPROVER = (R.DISPATCHER, R.COMMANDER)
_LEADER = (R.SHIFT_LEADER, R.COMMANDER)

TRANSITIONS: tuple[Transition, ...] = (
    # intake and acceptance
    t(S.REPORTED, "accept", S.ACCEPTED, [R.OPERATOR], "accept", guard="reported_on_site",
      stops="accept", starts="file"),
    t(S.REPORTED, "send_verify", S.VERIFYING, [R.OPERATOR], "send_verify", stops="accept", starts="verify"),
    t(S.REPORTED, "self_fix", S.SELF_FIX_REVIEW, [R.SUPERVISOR], "self_fix", guard="reported_on_site",
      stops="accept", starts="file"),
    t(S.REPORTED, "void", S.VOIDED, _LEADER, "void", needs_note=True),
    t(S.VERIFYING, "verify", S.ACCEPTED, [R.SUPERVISOR], "verify", stops="verify", starts="file"),
    t(S.VERIFYING, "not_found", S.NOT_FOUND, [R.SUPERVISOR], "verify", needs_note=True, stops="verify"),
    t(S.VERIFYING, "void", S.VOIDED, _LEADER, "void", needs_note=True),
    t(S.NOT_FOUND, "send_verify", S.VERIFYING, [R.OPERATOR], "send_verify", starts="verify"),
    t(S.NOT_FOUND, "void", S.VOIDED, _LEADER, "void", needs_note=True),
    t(S.SELF_FIX_REVIEW, "approve_self_fix", S.CLOSED, _LEADER, "close_self_fixed", stops="file"),
    t(S.SELF_FIX_REVIEW, "reject_self_fix", S.ACCEPTED, _LEADER, "accept", needs_note=True,
      stops="file", starts="file"),
    # filing and dispatch
    t(S.ACCEPTED, "file", S.FILED, _LEADER, "file", stops="file", starts="dispatch"),
    t(S.ACCEPTED, "void", S.VOIDED, _LEADER, "void", needs_note=True),
    t(S.FILED, "dispatch", S.DISPATCHED, _APPROVER, "dispatch", stops="dispatch", starts="handle"),
    t(S.FILED, "void", S.VOIDED, _LEADER, "void", needs_note=True),
    # handling and the special paths
    t(S.DISPATCHED, "start", S.HANDLING, [R.DEPARTMENT], "start"),
    t(S.DISPATCHED, "request_return", S.RETURN_REQUESTED, [R.DEPARTMENT], "request", needs_note=True),
    t(S.HANDLING, "feedback", S.FEEDBACK, [R.DEPARTMENT], "feedback", stops="handle", starts="send_check"),
    t(S.HANDLING, "request_extension", S.EXTENSION_REQUESTED, [R.DEPARTMENT], "request", needs_note=True),
    t(S.HANDLING, "request_return", S.RETURN_REQUESTED, [R.DEPARTMENT], "request", needs_note=True),
    t(S.HANDLING, "request_suspension", S.SUSPENSION_REQUESTED, [R.DEPARTMENT], "request", needs_note=True),
    t(S.EXTENSION_REQUESTED, "approve_extension", S.HANDLING, _APPROVER, "extend"),
    t(S.EXTENSION_REQUESTED, "reject_extension", S.HANDLING, _APPROVER, "clear_request", needs_note=True),
    # back to the centre: dispatch again on a fresh clock; the misrouted handling is not charged
    t(S.RETURN_REQUESTED, "approve_return", S.FILED, _APPROVER, "return_to_centre", starts="dispatch"),
    t(S.RETURN_REQUESTED, "reject_return", S.HANDLING, _APPROVER, "clear_request", needs_note=True),
    t(S.SUSPENSION_REQUESTED, "approve_suspension", S.SUSPENDED, _APPROVER, "suspend"),
    t(S.SUSPENSION_REQUESTED, "reject_suspension", S.HANDLING, _APPROVER, "clear_request", needs_note=True),
    t(S.SUSPENDED, "resume", S.HANDLING, _APPROVER, "resume"),
    t(S.SUSPENDED, "close_special", S.CLOSED, _LEADER, "close_special", needs_note=True),
    # check, close, rework, evaluate
    t(S.FEEDBACK, "send_check", S.CHECKING, [R.OPERATOR], "send_check", stops="send_check", starts="check"),
    t(S.CHECKING, "check_pass", S.CHECKED, [R.SUPERVISOR], "check", stops="check", starts="close"),
    # a failed check waits for the dispatcher's rework order: a dispatch on a fresh clock
    t(S.CHECKING, "check_fail", S.REWORK_PENDING, [R.SUPERVISOR], "check", needs_note=True,
      stops="check", starts="dispatch"),
    t(S.CHECKED, "close", S.CLOSED, _LEADER, "close", stops="close"),
    t(S.REWORK_PENDING, "rework", S.DISPATCHED, _APPROVER, "rework", stops="dispatch", starts="handle"),
    t(S.CLOSED, "evaluate", S.EVALUATED, [R.OPERATOR, R.COMMANDER], "evaluate"),
    # closing in error: a case found, after dispatch, never to have been a valid case
    *(
        t(src, "close_error", S.CLOSED, _LEADER, "close_error", needs_note=True)
        for src in (S.DISPATCHED, S.HANDLING, S.FEEDBACK, S.CHECKING, S.CHECKED, S.REWORK_PENDING)
    ),
    # duplicates: an operator may undo the automatic link
    t(S.MERGED, "unlink", S.REPORTED, [R.OPERATOR, R.SHIFT_LEADER], "unlink", starts="accept"),
)  # fmt: skip


class IllegalTransition(Exception):
    """The action is not possible from the case's state, or not for this role."""


# How a refusal names a case in each state: a person's words for the stage, not the state's code.
STAGE_PHRASES = {
    S.REPORTED: "a reported case",
    S.VERIFYING: "a case being verified on site",
    S.NOT_FOUND: "a case not found on site",
    S.ACCEPTED: "an accepted case",
    S.SELF_FIX_REVIEW: "a case fixed on the spot and awaiting review",
    S.FILED: "a filed case",
    S.DISPATCHED: "a dispatched case",
    S.HANDLING: "a case being handled",
    S.EXTENSION_REQUESTED: "a case awaiting a decision on its extension",
    S.RETURN_REQUESTED: "a case awaiting a decision on its return",
    S.SUSPENSION_REQUESTED: "a case awaiting a decision on its suspension",
    S.SUSPENDED: "a suspended case",
    S.FEEDBACK: "a case reported done and awaiting its check",
    S.CHECKING: "a case being checked on site",
    S.CHECKED: "a checked case",
    S.REWORK_PENDING: "a case awaiting rework",
    S.CLOSED: "a closed case",
    S.EVALUATED: "an evaluated case",
    S.VOIDED: "a voided case",
    S.MERGED: "a case merged into an earlier report",
}
TABLE = StateTable(
    TRANSITIONS, State, noun="case", finished="the case is finished", refused=IllegalTransition,
    phrases={state.value: phrase for state, phrase in STAGE_PHRASES.items()},
)  # fmt: skip
ACTIONS = TABLE.actions


def find(state: State | str, action: str) -> Transition | None:
    return TABLE.find(state, action)


def allowed(state: State | str) -> list[Transition]:
    return TABLE.leaving(state)


def check(state: State | str, action: str, role: Role | str) -> Transition:
    """The transition for ``action`` from ``state`` by ``role``, or ``IllegalTransition`` saying why."""
    return TABLE.step_by_action(state, action, role)
