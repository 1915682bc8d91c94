"""Cases taken round the loop at random through the case desk: every legal action of the transition
table in turn, with the notes, extensions, satisfaction and departments the actions ask for. What the
audit replays (tests/modes/test_case_audit.py) and what bench/bench_audit.py adds after its generated
history, so the live journal events of every row of the table are there to check."""

from __future__ import annotations

import random
from collections.abc import Sequence

from modes.common.actor import Actor
from modes.common.clock import FixedClock
from modes.everyday import workflow
from modes.everyday.cases import GUARDS, SATISFACTION, CaseDesk

CHANNELS = ("supervisor", "camera", "hotline", "internet", "patrol", "media")
# Ways out of the loop taken rarely, as in a centre: otherwise most walks end at their first step.
RARE = {"void": 0.1, "close_error": 0.1, "close_special": 0.2}


def walk_case(desk: CaseDesk, clock: FixedClock, rng: random.Random, case_id: int, steps: int) -> list[str]:
    """Up to ``steps`` random legal actions on one case, minutes to hours apart; returns the actions."""
    taken = []
    for _ in range(steps):
        case = desk.get(case_id)
        options = [tr for tr in workflow.allowed(case.state) if not tr.guard or GUARDS[tr.guard](case)]
        if not options:
            break
        tr = rng.choices(options, weights=[RARE.get(o.action, 1.0) for o in options])[0]
        clock.advance(minutes=rng.randint(1, 600))
        desk.act(
            case_id,
            tr.action,
            Actor.of(rng.choice(sorted(tr.roles))),
            f"{tr.action}: 随机 note {rng.randint(1, 999)}" if tr.needs_note or rng.random() < 0.2 else "",
            extension=f"{rng.randint(1, 3)} working_days" if tr.action == "request_extension" else None,
            satisfaction=rng.choice(SATISFACTION) if tr.action == "evaluate" else None,
        )
        taken.append(tr.action)
    return taken


def report_and_walk(
    desk: CaseDesk,
    clock: FixedClock,
    rng: random.Random,
    points: Sequence[tuple[float, float]],
    cases: int,
    *,
    types: Sequence[str] = ("06010", "07001"),
    steps: int = 14,
) -> list[int]:
    """Report ``cases`` problems at random ``points`` (some land on an open case: linked duplicates)
    and walk each; returns the case ids."""
    ids = []
    for _ in range(cases):
        x, y = rng.choice(points)
        clock.advance(minutes=rng.randint(1, 90))
        channel = rng.choice(CHANNELS)
        doc, _ = desk.report(
            Actor.of("supervisor" if channel == "supervisor" else "operator"),
            x=x,
            y=y,
            channel=channel,
            type_code=rng.choice(types),
            text=rng.choice(("", "垃圾堆在路边", 'quote " and \\ back')),
        )
        ids.append(doc["id"])
        walk_case(desk, clock, rng, doc["id"], rng.randint(0, steps))
    return ids
