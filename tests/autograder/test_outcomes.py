"""autograder.outcomes: each test's status in the student's kernel and in the clean room."""

from __future__ import annotations

from autograder.hidden import Test
from autograder.outcomes import kernel_outcome, merge, missing_message
from autograder.scrub import scrub


def _error_cell(ename: str) -> dict:
    return {"outputs": [{"output_type": "error", "ename": ename, "evalue": "no", "traceback": []}]}


def test_a_failed_check_is_a_failure_and_anything_else_an_error():
    assert kernel_outcome(_error_cell("AssertionError"))[0] == "failed"
    assert kernel_outcome(_error_cell("CheckFailed"))[0] == "failed"  # cnnkit.checks
    assert kernel_outcome(_error_cell("NameError"))[0] == "error"
    assert kernel_outcome({"outputs": []}) is None


def test_missing_message_names_the_variables_and_the_fix():
    message = missing_message(["baseline_model", "best_model"])
    assert "`baseline_model` and `best_model`" in message
    assert "Restart & Run All" in message and "cnnkit.grading.capture" in message
    # The grader does not scrub it: a hidden line "baseline_model," cannot cut it up.
    assert scrub(message, ["baseline_model,"]) == message
    test = Test(id="test_x", points=1, manual=False, hidden="")
    assert merge(test, {"status": "missing", "message": "", "missing": ["best_model"]}) == (
        "missing", missing_message(["best_model"]))
