"""The demo: grade the reference solution and the untouched student notebook of 01.

    python -m autograder.demo [--course DIR]

Both go through nbgrader's autograde in a scratch course directory; the table
shows each test's points. The reference earns full marks, the untouched notebook
nothing on any autograded test.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from autograder.course import REPO, autograde, make_course, scores, submit

ASSIGNMENT = "01_simple_cnn"


def format_scores(student: str, rows) -> str:
    """A per-test table for one student."""
    lines = [f"{student}", f"  {'test':<28}{'points':>8}  kind"]
    for row in rows:
        kind = "manual (pending)" if row.manual else "autograded"
        lines.append(f"  {row.id:<28}{row.points:>4g} / {row.max_points:<4g} {kind}")
    auto = [r for r in rows if not r.manual]
    total = sum(r.points for r in auto)
    lines.append(f"  {'autograded total':<28}{total:>4g} / {sum(r.max_points for r in auto):g}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", type=Path, default=REPO / ".demo", help="scratch course dir")
    args = parser.parse_args(argv)
    course = make_course(args.course.resolve(), ASSIGNMENT)
    notebook = next((REPO / "source" / ASSIGNMENT).glob("*.ipynb")).name
    submissions = {
        "reference": REPO / "source" / ASSIGNMENT / notebook,
        "untouched": REPO / "release" / ASSIGNMENT / notebook,
    }
    for student, path in submissions.items():
        submit(course, ASSIGNMENT, student, path)
    start = time.perf_counter()
    print(f"Autograding {len(submissions)} submissions of {ASSIGNMENT} with nbgrader ...")
    autograde(course, ASSIGNMENT)
    print(f"done in {time.perf_counter() - start:.0f} s (course directory: {course})\n")
    for student in submissions:
        print(format_scores(student, scores(course, ASSIGNMENT, student)), end="\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
