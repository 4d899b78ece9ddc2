"""Every assignment through nbgrader: the reference earns full marks, the untouched 0."""

from __future__ import annotations

import pytest

from autograder import course
from tests.conftest import reference_and_untouched

ASSIGNMENTS = course.assignments()


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_solution_earns_full_marks(assignment, autograded):
    scores = autograded(assignment, reference_and_untouched(assignment))["reference"]
    auto = [s for s in scores if not s.manual]
    assert auto, "the assignment has no autograded tests"
    # extra credit (05's 99.4%) is not part of full marks: not every seed reaches it
    lost = [(s.id, s.points, s.max_points) for s in auto
            if s.points != s.max_points and not s.id.startswith("test_extra_credit")]
    assert not lost, f"the reference solution loses points: {lost}"
    assert all(s.needs_manual_grade for s in scores if s.manual)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_notebook_earns_nothing(assignment, autograded):
    scores = autograded(assignment, reference_and_untouched(assignment))["untouched"]
    earned = [(s.id, s.points) for s in scores if not s.manual and s.points != 0]
    assert not earned, f"the untouched notebook earns points: {earned}"
