"""The result of grading one submission, built here and nowhere else.

A result is a dict, the JSON of `python -m autograder grade` (schema:
`autograder/result.schema.json`):

    assignment, student, notebook, sha256
    status      graded | timeout | crashed | rejected (| error: the grader failed)
    message     why, when the status is not `graded`
    score, max_score, seconds
    tests       [{id, points, max_points, status, message}], status one of
                passed, failed, error, timeout, missing, tampered
    manual      [{id, max_points, status: pending | missing}]
    isolation   {sandbox, network, memory_limit_gib, ...}
    timings     {notebook, autograde, replay} seconds, when the notebook ran
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from autograder.hidden import Assignment

TEST_STATUSES = ("passed", "failed", "error", "timeout", "missing", "tampered")


def sha256(path: Path) -> str | None:
    """The submission's fingerprint (None when it cannot be read)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def new_result(assignment: Assignment, student: str, notebook: Path) -> dict:
    """A result with nothing graded yet: status `graded`, score 0, no tests."""
    return {
        "assignment": assignment.name,
        "student": student,
        "notebook": str(notebook),
        "status": "graded",
        "message": "",
        "score": 0.0,
        "max_score": sum(t.points for t in assignment.autograded),
        "seconds": 0.0,
        "tests": [],
        "manual": [],
        "isolation": {},
    }


def test_entry(test_id: str, points: float, max_points: float, status: str,
               message: str = "") -> dict:
    """One autograded test of a result."""
    return {"id": test_id, "points": points, "max_points": max_points, "status": status,
            "message": message}


def rejected(assignment: Assignment, student: str, notebook: Path, reason: str) -> dict:
    """The result of a submission that cannot be graded as this assignment."""
    result = new_result(assignment, student, notebook)
    result.update(status="rejected", message=reason, sha256=sha256(notebook))
    result["tests"] = [test_entry(t.id, 0.0, t.points, "missing",
                                  "not graded: the submission was rejected")
                       for t in assignment.autograded]
    result["manual"] = [{"id": t.id, "max_points": t.points, "status": "missing"}
                        for t in assignment.manual]
    return result


def grader_failed(assignment: Assignment, student: str, notebook: Path, error: str) -> dict:
    """The result of a submission the grader failed on (status `error`)."""
    result = rejected(assignment, student, notebook, error)
    result.update(status="error", message=f"the grader failed: {error}")
    for test in result["tests"]:
        test["message"] = "not graded: the grader failed"
    return result


@dataclass
class TestScore:
    """One graded cell of one submission, as the assignment tests compare them."""

    id: str
    points: float
    max_points: float
    needs_manual_grade: bool
    manual: bool


def scores_of(result: dict) -> list[TestScore]:
    """Per-test scores of a result, autograded tests then written answers."""
    autograded = [TestScore(id=t["id"], points=float(t["points"]),
                            max_points=float(t["max_points"]), needs_manual_grade=False,
                            manual=False) for t in result["tests"]]
    manual = [TestScore(id=m["id"], points=0.0, max_points=float(m["max_points"]),
                        needs_manual_grade=True, manual=True) for m in result["manual"]]
    return autograded + manual
