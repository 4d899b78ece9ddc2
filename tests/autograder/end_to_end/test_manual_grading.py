"""Manual grading end to end: a batch, a written answer graded as formgrader does, then
nbgrader's export and feedback and `python -m autograder collect-manual` all carry it."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import nbformat
import pytest

from autograder import sandbox
from autograder.course import COURSE_ID, Course
from tests.autograder.end_to_end.test_fixture_batch import LIMITS, SOURCE, student_notebook
from tests.conftest import REPO

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sandbox.bwrap_problem() is not None or os.geteuid() != 0,
                       reason="batch grades with the full isolation: root and bubblewrap"),
]


def grade_by_hand(course: Course, student: str, grade_id: str, score: float) -> None:
    """What formgrader's grade API does (nbgrader's apihandlers.GradeHandler.put)."""
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, course_id=COURSE_ID) as gradebook:
        grade = gradebook.find_grade(grade_id, "fixture", "00_fixture", student)
        grade.manual_score = score
        grade.needs_manual_grade = False
        gradebook.db.commit()


def test_a_written_answer_graded_in_formgrader_reaches_export_feedback_and_results(tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    submissions.mkdir()
    for student in ("alice", "bob"):
        nbformat.write(student_notebook(), submissions / f"{student}.ipynb")
    batch = subprocess.run([sys.executable, "-m", "autograder", "batch", "00_fixture",
                            str(submissions), "--out", str(out), "--workers", "2",
                            "--source", str(SOURCE), *LIMITS],
                           cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert batch.returncode == 0, batch.stdout + batch.stderr
    course = Course(out / "course", SOURCE, "00_fixture")

    grade_by_hand(course, "alice", "relu_answer", 0.5)

    code, log = course.nbgrader("export", f"--to={tmp_path / 'export.csv'}", timeout=300)
    assert code == 0, log
    with open(tmp_path / "export.csv") as handle:
        exported = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert float(exported["alice"]["raw_score"]) == 5.5
    assert float(exported["bob"]["raw_score"]) == 5.0

    code, log = course.nbgrader("generate_feedback", "00_fixture", "--force", timeout=600)
    assert code == 0, log
    feedback = (out / "course" / "feedback" / "alice" / "00_fixture" / "fixture.html").read_text()
    assert "Written response</a> (Score: 0.5 / 1.0)" in feedback
    assert "fixture (Score: 5.5 / 6.0)" in feedback

    collect = subprocess.run([sys.executable, "-m", "autograder", "collect-manual",
                              "00_fixture", str(out), "--source", str(SOURCE)],
                             cwd=REPO, capture_output=True, text=True, timeout=600)
    assert collect.returncode == 0, collect.stdout + collect.stderr
    assert "written answers still to grade: bob" in collect.stdout
    alice = json.loads((out / "alice.json").read_text())
    assert alice["manual"] == [{"id": "relu_answer", "max_points": 1.0, "status": "graded",
                                "points": 0.5}]
    assert json.loads((out / "bob.json").read_text())["manual"][0]["status"] == "pending"
    with open(out / "grades.csv") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert (rows["alice"]["relu_answer"], rows["alice"]["total"]) == ("0.5", "5.5")
    assert (rows["bob"]["relu_answer"], rows["bob"]["total"]) == ("pending", "5")
    assert "(Score: 0.5 / 1.0)" in (out / "feedback" / "alice.html").read_text()
