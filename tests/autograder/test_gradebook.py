"""autograder.gradebook: one submission's rows carried from one nbgrader course to another."""

import os
import shutil
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.course import COURSE_ID
from autograder.gradebook import export_submission, import_submission


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A gradebook holding assignment `a1`: notebook `nb`, two grade cells, one written answer."""
    path = tmp_path_factory.mktemp("gradebook") / "template.db"
    # a new gradebook runs `alembic` (as nbgrader's commands do, from the venv's bin)
    environ = os.environ["PATH"]
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environ}"
    try:
        make_course_db(path)
    finally:
        os.environ["PATH"] = environ
    return path


def make_course_db(path) -> None:
    with Gradebook(f"sqlite:///{path}", course_id=COURSE_ID) as gradebook:
        gradebook.add_assignment("a1")
        gradebook.add_notebook("nb", "a1")
        gradebook.add_grade_cell("test_a", "nb", "a1", max_score=1, cell_type="code")
        gradebook.add_grade_cell("test_b", "nb", "a1", max_score=2, cell_type="code")
        gradebook.add_grade_cell("answer", "nb", "a1", max_score=1, cell_type="markdown")
        gradebook.add_solution_cell("answer", "nb", "a1")
        gradebook.add_solution_cell("code", "nb", "a1")


def course_db(template: Path, path: Path) -> str:
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.mark.filterwarnings("ignore:Object of type")  # nbgrader's add_submission
def test_rows_carry_scores_comments_and_timestamp(template, tmp_path):
    source = course_db(template, tmp_path / "one.db")
    target = course_db(template, tmp_path / "two.db")
    with Gradebook(source, course_id=COURSE_ID) as gradebook:
        gradebook.add_student("alice", first_name="Alice", email="a@example.org")
        submission = gradebook.add_submission("a1", "alice", timestamp="2026-11-30 10:00:00")
        notebook = submission.notebooks[0]
        notebook.late_submission_penalty = 0.5
        for grade in notebook.grades:
            grade.auto_score = {"test_a": 1.0, "test_b": 0.0}.get(grade.name)
            grade.needs_manual_grade = grade.name == "answer"
        for comment in notebook.comments:
            comment.auto_comment = f"about {comment.name}"
        gradebook.db.commit()
    rows = export_submission(source, "a1", "alice")
    assert rows["student"]["first_name"] == "Alice"
    import_submission(target, "a1", rows)
    import_submission(target, "a1", rows)  # again: replaces, never duplicates
    assert export_submission(target, "a1", "alice") == rows
    with Gradebook(target, course_id=COURSE_ID) as gradebook:
        submission = gradebook.find_submission("a1", "alice")
        assert (submission.score, submission.needs_manual_grade) == (1.0, True)
        assert len(gradebook.assignment_submissions("a1")) == 1


@pytest.mark.filterwarnings("ignore:Object of type")
def test_a_regrade_keeps_what_was_graded_by_hand(template, tmp_path):
    url = course_db(template, tmp_path / "one.db")
    with Gradebook(url, course_id=COURSE_ID) as gradebook:
        gradebook.add_student("bob")
        gradebook.add_submission("a1", "bob")
    rows = export_submission(url, "a1", "bob")
    with Gradebook(url, course_id=COURSE_ID) as gradebook:
        grade = gradebook.find_grade("answer", "nb", "a1", "bob")
        grade.manual_score, grade.needs_manual_grade = 0.5, False
        gradebook.find_comment("answer", "nb", "a1", "bob").manual_comment = "good"
        gradebook.db.commit()
    import_submission(url, "a1", rows, keep_manual=True)
    kept = export_submission(url, "a1", "bob")["notebooks"]["nb"]
    assert kept["grades"]["answer"]["manual_score"] == 0.5
    assert kept["grades"]["answer"]["needs_manual_grade"] is False
    assert kept["comments"]["answer"]["manual_comment"] == "good"
    import_submission(url, "a1", rows)
    assert export_submission(url, "a1", "bob") == rows
