"""The demo: grade the reference solution and the untouched student notebook of 01.

    python -m autograder.demo [--course DIR]

Both go through the autograder (`python -m autograder grade`): nbgrader's autograde
with the student's kernel in the sandbox, then the clean-room replay of the hidden
tests. The tables show each test's points: the reference earns full marks, the
untouched notebook nothing on any autograded test.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from autograder import REPO
from autograder.course import Course
from autograder.options import Options
from autograder.pipeline import grade
from autograder.report import table

ASSIGNMENT = "01_simple_cnn"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", type=Path, default=REPO / ".demo", help="scratch course dir")
    args = parser.parse_args(argv)
    course = Course(args.course.resolve(), REPO / "source", ASSIGNMENT)
    course.setup()
    submissions = {
        "reference": course.assignment.notebook,
        "untouched": REPO / "release" / ASSIGNMENT / course.notebook_name,
    }
    print(f"Grading {len(submissions)} submissions of {ASSIGNMENT} ...", flush=True)
    start = time.perf_counter()
    results = {student: grade(course, student, path, Options())
               for student, path in submissions.items()}
    print(f"done in {time.perf_counter() - start:.0f} s (nbgrader course: {course.root})\n")
    for student, result in results.items():
        print(student)
        print(table(result), end="\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
