"""A scope: the shows a question may be answered from.

Every read that a listener can reach (episodes, people, quotes, chapters, the newest episode) takes one,
so "which shows may this server see" is decided once, where the question comes in (the cog, from the
interaction; the CLI, from `--show`), and never re-decided, or forgotten, further down.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scope:
    """The ids of the shows in scope. An empty scope answers nothing (a server whose shows were all
    removed with defaults turned off), which is different from "every show" (`Scope.everything()`)."""

    show_ids: frozenset[int]
    # The CLI's scope: every show in the store, whatever it holds now and later in the same run.
    unbounded: bool = False

    @classmethod
    def of(cls, *show_ids: int) -> Scope:
        return cls(frozenset(show_ids))

    @classmethod
    def everything(cls) -> Scope:
        return cls(frozenset(), unbounded=True)

    def __contains__(self, show_id: object) -> bool:
        return self.unbounded or show_id in self.show_ids

    def __bool__(self) -> bool:
        return self.unbounded or bool(self.show_ids)

    def narrowed(self, show_id: int) -> Scope:
        """Only `show_id`, if it is in scope; else an empty scope (never a way out of the scope)."""
        return Scope.of(show_id) if show_id in self else Scope(frozenset())

    def ids(self, known: frozenset[int] | set[int]) -> frozenset[int]:
        """The scope's show ids among `known` (all of them, for an unbounded scope)."""
        return frozenset(known) if self.unbounded else self.show_ids & frozenset(known)
