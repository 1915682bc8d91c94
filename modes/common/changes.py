"""What a service call changed, so the UI refreshes exactly that (the idea of Anki's ``OpChanges``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    cases: frozenset[int] = field(default_factory=frozenset)
    cells: frozenset[str] = field(default_factory=frozenset)
    components: frozenset[str] = field(default_factory=frozenset)
    mode: bool = False
    journal_seq: int = 0

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.cases | other.cases,
            self.cells | other.cells,
            self.components | other.components,
            self.mode or other.mode,
            max(self.journal_seq, other.journal_seq),
        )
