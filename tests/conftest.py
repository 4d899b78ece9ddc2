"""Shared fixtures: the assignments of the kit and their graded reference/untouched runs."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from autograder import course

REPO = Path(__file__).resolve().parent.parent
FILES = Path(__file__).resolve().parent / "files"

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def notebook_of(folder: Path) -> Path:
    """The one notebook of an assignment folder."""
    notebooks = sorted(folder.glob("*.ipynb"))
    if len(notebooks) != 1:
        raise ValueError(f"expected one notebook in {folder}, found {notebooks}")
    return notebooks[0]


@pytest.fixture(scope="session")
def autograded(tmp_path_factory):
    """Autograde submissions with nbgrader, once per assignment; returns a lookup function.

    `autograded(assignment, {"student": notebook_path, ...})` returns
    `{student: [TestScore, ...]}`. Results are cached for the session, so the
    reference and untouched runs of an assignment are graded only once.
    `grade.runs[assignment]` holds the course folder and the seconds the last
    autograde of that assignment took (tests/test_benchmarks.py checks the budgets).
    """
    cache: dict = {}
    runs: dict = {}

    def grade(assignment: str, submissions: dict[str, Path]) -> dict:
        key = (assignment, tuple(sorted((s, str(p)) for s, p in submissions.items())))
        if key not in cache:
            root = tmp_path_factory.mktemp(f"course-{assignment}")
            course.make_course(root, assignment)
            for student, path in submissions.items():
                course.submit(root, assignment, student, path)
            start = time.perf_counter()
            course.autograde(root, assignment)
            runs[assignment] = {"root": root, "seconds": time.perf_counter() - start}
            cache[key] = {s: course.scores(root, assignment, s) for s in submissions}
        return cache[key]

    grade.runs = runs
    return grade
