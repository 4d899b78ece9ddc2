"""autograder.deadlines: submission times and due dates, and nbgrader's late penalty."""

from __future__ import annotations

import os
from datetime import datetime

import pytest

from autograder import deadlines, sandbox
from autograder.course import Course
from autograder.deadlines import Deadline
from autograder.options import Options
from autograder.pipeline import grade
from autograder.result import validate
from tests.conftest import FILES

PARTIAL = FILES / "partial_course" / "source"


def test_times_are_read_as_nbgrader_stores_them_in_utc():
    assert deadlines.parse_time("2026-03-01T23:59:00+01:00") == datetime(2026, 3, 1, 22, 59)
    assert deadlines.parse_time("2026-03-01 22:59:00.000000 UTC") == datetime(2026, 3, 1, 22, 59)
    assert deadlines.parse_time(None) is None
    with pytest.raises(ValueError, match="ISO 8601"):
        deadlines.parse_time("next tuesday-ish")


def test_gradescope_metadata_gives_the_submission_time_and_the_students_own_due_date():
    metadata = {"created_at": "2018-07-01T14:22:32.365935-07:00",
                "assignment": {"due_date": "2018-07-31T23:00:00.000000-07:00"},
                "users": [{"email": "a@example.com", "id": 1, "name": "A"}]}
    deadline = deadlines.from_gradescope(metadata)
    assert deadline.submitted_at == datetime(2018, 7, 1, 21, 22, 32, 365935)
    assert deadline.due == datetime(2018, 8, 1, 6, 0)
    metadata["users"][0]["assignment"] = {"due_date": "2018-08-02T23:00:00-07:00"}  # extension
    assert deadlines.from_gradescope(metadata).due == datetime(2018, 8, 3, 6, 0)
    assert deadlines.from_gradescope({}) == Deadline()


def test_the_timestamp_beside_a_notebook_is_its_submission_time(tmp_path):
    notebook = tmp_path / "alice" / "partial.ipynb"
    notebook.parent.mkdir()
    assert deadlines.find(notebook) == Deadline()
    (notebook.parent / "timestamp.txt").write_text("2026-03-01 10:00:00.000000 UTC\n")
    assert deadlines.find(notebook).submitted_at == datetime(2026, 3, 1, 10)
    given = Deadline(datetime(2026, 3, 2), datetime(2026, 3, 3))
    assert deadlines.find(notebook, given) == given  # a given time wins
    (notebook.parent / "timestamp.txt").write_text("not a time")
    assert deadlines.find(notebook) == Deadline()  # a broken file never stops grading


@pytest.mark.slow
@pytest.mark.skipif(sandbox.bwrap_problem() is not None or os.geteuid() != 0,
                    reason="grades in the sandbox as root")
def test_a_late_submission_gets_nbgraders_penalty_and_an_on_time_one_none(tmp_path):
    course = Course(tmp_path / "course", PARTIAL, "00_partial")
    course.setup()
    notebook = tmp_path / "ann" / "partial.ipynb"
    notebook.parent.mkdir()
    notebook.write_text((PARTIAL / "00_partial" / "partial.ipynb").read_text())
    (notebook.parent / "timestamp.txt").write_text("2026-03-01T09:00:00+00:00")
    due = datetime(2026, 3, 1, 12)
    on_time = grade(course, "ann", notebook, Options(), deadline=Deadline(due=due))
    late = grade(course, "bob", notebook, Options(),
                 deadline=Deadline(datetime(2026, 3, 2, 12), due))
    for result in (on_time, late):
        validate(result)
    assert on_time["late"] == {"submitted_at": "2026-03-01T09:00:00Z",
                               "due": "2026-03-01T12:00:00Z", "seconds_late": 0.0,
                               "penalty": 0.0}
    assert on_time["score"] == 4.0
    assert late["late"] == {"submitted_at": "2026-03-02T12:00:00Z",
                            "due": "2026-03-01T12:00:00Z", "seconds_late": 86400.0,
                            "penalty": 4.0}
    assert late["score"] == 0.0 and late["tests"][0]["points"] == 4.0  # penalty, not a failure
