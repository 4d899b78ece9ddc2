"""Partial credit through the real pipeline: nbgrader's score in the student's kernel and
the clean room's, the lower of the two, recorded in nbgrader's gradebook too."""

from __future__ import annotations

import os

import nbformat
import pytest

from autograder import sandbox
from autograder.course import Course
from autograder.options import Options
from autograder.pipeline import grade
from autograder.result import validate
from tests.conftest import FILES

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sandbox.bwrap_problem() is not None or os.geteuid() != 0,
                       reason="grades in the sandbox as root"),
]
SOURCE = FILES / "partial_course" / "source"


def _submission(path, answer):
    notebook = nbformat.read(SOURCE / "00_partial" / "partial.ipynb", as_version=4)
    notebook.cells[3].source = answer
    notebook.cells[4].source = notebook.cells[4].source.split("### BEGIN HIDDEN TESTS")[0]
    nbformat.write(notebook, path)
    return path


def test_three_right_numbers_of_four_earn_three_points_in_both_kernels(tmp_path):
    course = Course(tmp_path / "course", SOURCE, "00_partial")
    course.setup()
    three = _submission(tmp_path / "three.ipynb", "answers = np.array([1, 4, 9, 20])")
    fake = _submission(tmp_path / "fake.ipynb", "answers = np.array([1, 0, 0, 0])\n"
                       "np.sum = lambda *args, **kwargs: 4")  # in the student's kernel only
    results = {name: grade(course, name, path, Options())
               for name, path in [("three", three), ("fake", fake)]}
    for result in results.values():
        validate(result)
    test = results["three"]["tests"][0]
    assert (test["status"], test["points"], results["three"]["score"]) == ("partial", 3.0, 3.0)
    assert "3 of 4 points (partial credit)" in test["message"]
    assert course.auto_scores("three") == {"test_answers": 3.0}
    test = results["fake"]["tests"][0]
    assert (test["status"], test["points"]) == ("partial", 1.0), test["message"]
    assert "4 points in your kernel, 1 in the clean-room check" in test["message"]
