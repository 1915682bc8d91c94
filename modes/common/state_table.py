"""One engine for the three state machines: the case workflow (``modes/everyday/workflow.py``), the
incident's status (``modes/emergency/incidents.py``) and the dispatch task's status
(``modes/emergency/dispatch.py``).

Each machine is a table of steps; a step leaves one state (``source``) by a named ``action`` for another
state (``target``), and names the roles that may take it. The machines differ only in how a person asks
for a step (the case by its action, ``accept``; an incident or a task by the state it should reach,
``responding``) and in their words. The engine finds the step and, when there is none or the role may
not take it, refuses with a message that says what is possible now and who may act:

    TABLE = StateTable(STEPS, IncidentStatus, noun="incident", finished="the incident is closed",
                       refused=IncidentRefused)
    step = TABLE.step_to(current, "responding", role)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Generic, Protocol, TypeVar

from data.errors import InputError
from data.models import Role


class Step(Protocol):
    @property
    def source(self) -> Enum: ...
    @property
    def action(self) -> str: ...
    @property
    def target(self) -> Enum: ...
    @property
    def roles(self) -> frozenset[Role]: ...


StepT = TypeVar("StepT", bound=Step)


def article(word: str) -> str:
    return "an" if word[:1] in ("a", "e", "i", "o", "u") else "a"


class StateTable(Generic[StepT]):
    """The steps of one machine, looked up by (state, action) or by (state, target state)."""

    def __init__(
        self,
        steps: Iterable[StepT],
        states: type[Enum],
        *,
        noun: str,
        finished: str,
        refused: type[Exception],
        phrases: Mapping[str, str] | None = None,
    ) -> None:
        """``phrases``: how a refusal names a thing in a state, by the state's value ("a case awaiting
        an extension decision"), where "a(n) <state> <noun>" does not read."""
        self.steps: tuple[StepT, ...] = tuple(steps)
        self.states, self.noun, self.finished, self.refused = states, noun, finished, refused
        self.phrases = dict(phrases or {})
        self.actions: tuple[str, ...] = tuple(sorted({st.action for st in self.steps}))
        self._by_action = {(st.source, st.action): st for st in self.steps}
        self._by_target = {(st.source, st.target): st for st in self.steps}
        if len(self._by_action) != len(self.steps):
            raise ValueError(f"the {noun} table has two steps with one action from one state")

    # --- lookups ----------------------------------------------------------------------------------------

    def a(self, state: Enum | str) -> str:
        """A thing in ``state`` as a sentence names it: "a reported case", "an assigned task"."""
        value = self.states(state).value
        return self.phrases.get(value) or f"{article(value)} {value} {self.noun}"

    def leaving(self, state: Enum | str) -> list[StepT]:
        """The steps out of ``state``, in the table's order."""
        state = self.states(state)
        return [st for st in self.steps if st.source == state]

    def find(self, state: Enum | str, action: str) -> StepT | None:
        return self._by_action.get((self.states(state), action))

    # --- checked steps ----------------------------------------------------------------------------------

    def step_by_action(self, state: Enum | str, action: str, role: Role | str) -> StepT:
        """The step ``action`` from ``state`` for ``role``, or the refusal saying why."""
        # A legal step is one dict lookup (string-valued enums hash and compare as their values, so plain
        # strings find it too): bulk writers take millions of steps. Anything else goes the long way.
        step = self._by_action.get((state, action))
        if step is not None and role in step.roles:
            return step
        state = self.states(state)
        if action not in self.actions:
            raise self.refused(f"unknown action {action!r} (known: {', '.join(self.actions)})")
        role = self._role(role)
        step = self.find(state, action)
        if step is None:
            possible = ", ".join(st.action for st in self.leaving(state)) or f"none: {self.finished}"
            raise self.refused(
                f"cannot {action} {self._that_is(state)} ({self._state_note(state)}possible now: {possible})"
            )
        if role not in step.roles:
            raise self.refused(
                f"{article(role.value)} {role.value} may not {action} {self.a(state)} (only {self._who(step)})"
            )
        return step

    def step_to(self, state: Enum | str, target: Enum | str, role: Role | str) -> StepT:
        """The step from ``state`` to the state ``target`` for ``role``, or the refusal saying why."""
        state = self.states(state)
        try:
            target = self.states(target)
        except ValueError:
            known = ", ".join(s.value for s in self.states)
            raise self.refused(f"unknown {self.noun} status {target!r} (one of {known})") from None
        role = self._role(role)
        step = self._by_target.get((state, target))
        if step is None:
            possible = ", ".join(st.target.value for st in self.leaving(state)) or f"none: {self.finished}"
            raise self.refused(
                f"{article(self.noun)} {self.noun} that is {state.value} cannot become {target.value} "
                f"(possible now: {possible})"
            )
        if role not in step.roles:
            raise self.refused(
                f"{article(role.value)} {role.value} may not make {self.a(state)} {target.value} "
                f"({step.action}: only {self._who(step)})"
            )
        return step

    def _that_is(self, state: Enum) -> str:
        """The thing in ``state`` as the object of "cannot <action>": its phrase, else "a light that is off"."""
        return self.phrases.get(state.value) or f"{article(self.noun)} {self.noun} that is {state.value}"

    def _state_note(self, state: Enum) -> str:
        """The state's code beside a phrase that does not name it ("it is verifying; "), for the
        commands that take codes."""
        return "" if state.value in self._that_is(state) else f"it is {state.value}; "

    def _role(self, role: Role | str) -> Role:
        try:
            return Role.parse(role)
        except InputError as exc:
            raise self.refused(str(exc)) from None

    @staticmethod
    def _who(step: StepT) -> str:
        return ", ".join(sorted(r.value for r in step.roles))
