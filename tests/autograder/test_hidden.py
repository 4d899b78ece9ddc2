"""autograder.hidden: an assignment's tests and the hidden-region contract."""

from __future__ import annotations

import pytest

from autograder import hidden
from tests.conftest import FILES, REPO

FIXTURE_SOURCE = FILES / "fixture_course" / "source"


@pytest.fixture(scope="module")
def fixture_assignment():
    return hidden.load_assignment(FIXTURE_SOURCE, "00_fixture")


@pytest.mark.parametrize("name", hidden.assignments(REPO / "source"))
def test_every_assignment_can_be_replayed(name):
    """Every hidden region starts with a capture of everything it uses (see hidden.py)."""
    assignment = hidden.load_assignment(REPO / "source", name)
    assert hidden.contract_problems(assignment) == []


def test_fixture_assignment_tests(fixture_assignment):
    tests = {t.id: t for t in fixture_assignment.tests}
    assert [t.id for t in fixture_assignment.autograded] == [
        "test_squares", "test_model", "test_trained"]
    assert tests["test_model"].captured == ["model"]
    assert "count_params" in tests["test_model"].replay
    assert "capture" not in tests["test_model"].replay
    assert [t.id for t in fixture_assignment.manual] == ["relu_answer"]


def _grade_test(source):
    test = hidden.Test(id="test_x", points=1, manual=False, source=source)
    test.hidden = hidden.split_hidden(source)[1] or ""
    hidden.parse_hidden(test)
    return test


@pytest.mark.parametrize(("hidden_code", "problem"), [
    ('cnnkit.grading.capture("test_x", a=a)\nassert a == 1', None),
    ("assert a == 1", "does not start with"),
    ('cnnkit.grading.capture("test_y", a=a)\nassert a == 1', 'capture("test_x"'),
    ('cnnkit.grading.capture("test_x", a=a)\nassert a == b', "does not capture: b"),
    ('cnnkit.grading.capture("test_x", a=a)\nfor i in range(3):\n    assert a[i] > np.e', None),
])
def test_contract_problems_are_found(hidden_code, problem):
    test = _grade_test(f"check()\n{hidden.BEGIN}\n{hidden_code}\n{hidden.END}")
    if problem is None:
        assert test.problem is None
    else:
        assert problem in test.problem


def test_a_name_defined_only_inside_a_function_is_still_free_outside():
    code = ('cnnkit.grading.capture("test_x", a=a)\n'
            "def check(model):\n    return model\ncheck(a)\nassert model")
    test = _grade_test(f"check()\n{hidden.BEGIN}\n{code}\n{hidden.END}")
    assert test.problem == "the hidden region uses names it does not capture: model"


def test_capture_must_keep_each_name():
    """The hidden code after the capture runs in the student's kernel too: names must exist."""
    renamed = hidden.Test(id="test_x", points=1, manual=False, hidden=(
        'cnnkit.grading.capture("test_x", training=cnnkit.provenance.training_log())\n'
        "cnnkit.grading.check(training)"))
    hidden.parse_hidden(renamed)
    assert "capture every object under its own name (training=training)" in renamed.problem
    same = hidden.Test(id="test_x", points=1, manual=False, hidden=(
        'cnnkit.grading.capture("test_x", training=training)\ncnnkit.grading.check(training)'))
    hidden.parse_hidden(same)
    assert same.problem is None and same.captured == ["training"]
