"""The result of grading one submission: defined, built and checked here and nowhere else.

`Result` is what the pipeline fills in; its JSON form (`Result.to_json()`, a plain dict,
the output of `python -m autograder grade --json`) is what reports, batches and tests
read. `result.schema.json` beside this file is its JSON Schema (`validate`):

    assignment, student, notebook, sha256
    status      graded | timeout | crashed | rejected (| error: the grader failed)
    message     why, when the status is not `graded`
    score, max_score, seconds
    tests       [{id, points, max_points, status, message}], status one of
                passed, failed, error, timeout, missing, tampered
    manual      [{id, max_points, status: pending | missing}]
    isolation   {sandbox, network, memory_limit_gib, ...}
    timings     {notebook, autograde, replay} seconds, only when the notebook ran
    leaderboard [{name, value, order}] when a hidden test posted values in the clean room
                (`cnnkit.grading.leaderboard`); absent otherwise
    provenance  {source, tests, grader, packages}: what the grade was computed from
                (`autograder.provenance`); absent in results of older graders
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.hidden import Assignment

SCHEMA = Path(__file__).resolve().parent / "result.schema.json"
STATUSES = ("graded", "timeout", "crashed", "rejected", "error")
TEST_STATUSES = ("passed", "failed", "error", "timeout", "missing", "tampered")


@dataclass
class TestResult:
    """One autograded test of a result."""

    id: str
    points: float
    max_points: float
    status: str  # one of TEST_STATUSES
    message: str = ""


@dataclass
class ManualResult:
    """One written answer: graded by hand (`pending`), or its cell is `missing`."""

    id: str
    max_points: float
    status: str


@dataclass
class Result:
    """The result of one submission (see the module docstring for its JSON)."""

    assignment: str
    student: str
    notebook: str
    status: str = "graded"
    message: str = ""
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    tests: list[TestResult] = field(default_factory=list)
    manual: list[ManualResult] = field(default_factory=list)
    isolation: dict = field(default_factory=dict)
    timings: dict | None = None
    sha256: str | None = None
    leaderboard: list[dict] = field(default_factory=list)
    provenance: dict | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        for optional in ("timings", "provenance"):
            if data[optional] is None:
                del data[optional]
        if not data["leaderboard"]:
            del data["leaderboard"]
        return data

    @classmethod
    def from_json(cls, data: dict) -> Result:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["tests"] = [TestResult(**t) for t in data.get("tests", [])]
        known["manual"] = [ManualResult(**m) for m in data.get("manual", [])]
        return cls(**known)


def sha256(path: Path) -> str | None:
    """The submission's fingerprint (None when it cannot be read)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def new_result(assignment: Assignment, student: str, notebook: Path) -> Result:
    """A result with nothing graded yet: status `graded`, score 0, no tests."""
    return Result(assignment=assignment.name, student=student, notebook=str(notebook),
                  max_score=sum(t.points for t in assignment.autograded))


def rejected(assignment: Assignment, student: str, notebook: Path, reason: str) -> Result:
    """The result of a submission that cannot be graded as this assignment."""
    result = new_result(assignment, student, notebook)
    result.status, result.message, result.sha256 = "rejected", reason, sha256(notebook)
    result.tests = [TestResult(t.id, 0.0, t.points, "missing",
                               "not graded: the submission was rejected")
                    for t in assignment.autograded]
    result.manual = [ManualResult(t.id, t.points, "missing") for t in assignment.manual]
    return result


def grader_failed(assignment: Assignment, student: str, notebook: Path, error: str) -> Result:
    """The result of a submission the grader failed on (status `error`)."""
    result = rejected(assignment, student, notebook, error)
    result.status, result.message = "error", f"the grader failed: {error}"
    for test in result.tests:
        test.message = "not graded: the grader failed"
    return result


def validate(data: dict) -> None:
    """Raise `jsonschema.ValidationError` unless `data` is a result's JSON."""
    import jsonschema

    jsonschema.validate(data, json.loads(SCHEMA.read_text()))


@dataclass
class TestScore:
    """One graded cell of one submission, as the assignment tests compare them."""

    id: str
    points: float
    max_points: float
    needs_manual_grade: bool
    manual: bool


def scores_of(result: dict) -> list[TestScore]:
    """Per-test scores of a result's JSON, autograded tests then written answers."""
    autograded = [TestScore(id=t["id"], points=float(t["points"]),
                            max_points=float(t["max_points"]), needs_manual_grade=False,
                            manual=False) for t in result["tests"]]
    manual = [TestScore(id=m["id"], points=0.0, max_points=float(m["max_points"]),
                        needs_manual_grade=True, manual=True) for m in result["manual"]]
    return autograded + manual
