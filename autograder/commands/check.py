"""`python -m autograder check [ASSIGNMENT ...]`: can every hidden test be replayed?

Exit status 1 when an assignment breaks the hidden-region contract (`autograder.hidden`).
"""

from __future__ import annotations

from pathlib import Path

from autograder.hidden import assignments as assignments_in
from autograder.hidden import contract_problems, load_assignment


def main(assignments: list[str], source: Path) -> int:
    """Print every contract problem of `assignments` (default: all of `source`)."""
    names = assignments or assignments_in(source)
    problems = []
    for name in names:
        try:
            problems += contract_problems(load_assignment(source, name))
        except ValueError as error:  # markers that do not form regions
            problems.append(f"{name}: {error}")
    for problem in problems:
        print(problem)
    if not problems:
        print(f"ok: the hidden tests of {', '.join(names)} can be replayed")
    return 1 if problems else 0
