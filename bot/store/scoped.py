"""SQL for a scope: the one place that turns "these shows" into a WHERE clause."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.scope import Scope

# Conditions as both engines read them (PostgreSQL has no integer truth: `WHERE 1` is an error there).
TRUE, FALSE = "1 = 1", "1 = 0"


def show_clause(scope: Scope, column: str = "e.show_id") -> tuple[str, tuple[int, ...]]:
    """A condition on `column` and its parameters: true for the scope's shows only. An unbounded scope
    is no condition at all; an empty one matches nothing."""
    if scope.unbounded:
        return TRUE, ()
    if not scope.show_ids:
        return FALSE, ()
    ids = tuple(sorted(scope.show_ids))
    return f"{column} IN ({','.join('?' * len(ids))})", ids
