"""Leaderboard values: what a hidden test measured, for platforms that rank submissions.

A trusted hidden test `post`s a value it measured itself (e.g. the test accuracy of the
captured model). The autograder's clean-room replay `take`s the posted values after each
test and adds them to the result's `leaderboard`, in Gradescope's format
(`{"name", "value", "order"}`, `order` `"desc"` when higher is better). Values posted in
the student's own kernel are never read.
"""

from __future__ import annotations

_POSTED: list[dict] = []


def post(name: str, value: float, order: str = "desc") -> None:
    """Post one leaderboard value; `order` is `"desc"` (higher is better) or `"asc"`."""
    if order not in ("asc", "desc"):
        raise ValueError(f"order must be 'asc' or 'desc', got {order!r}")
    _POSTED.append({"name": str(name), "value": float(value), "order": order})


def take() -> list[dict]:
    """The values posted since the last call, in order; forgets them."""
    posted = list(_POSTED)
    _POSTED.clear()
    return posted
