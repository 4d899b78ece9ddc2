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
    assert merge(test, {"status": "missing", "message": "", "missing": ["best_model"]}, 1) == (
        "missing", missing_message(["best_model"]), 0.0)


def test_a_partial_score_counts_only_as_far_as_both_kernels_agree():
    test = Test(id="test_x", points=4, manual=False, hidden="")
    passed = {"status": "passed", "message": ""}
    assert merge(test, passed, 4.0) == ("passed", "", 4.0)
    assert merge(test, {**passed, "points": 4.0}, 4.0) == ("passed", "", 4.0)
    status, message, points = merge(test, {**passed, "points": 3.0}, 3.0)
    assert (status, points) == ("partial", 3.0) and "3 of 4 points (partial credit)" in message
    status, message, points = merge(test, {**passed, "points": 1.0}, 3.0)  # the room is lower
    assert (status, points) == ("partial", 1.0) and "3 points in your kernel, 1 in the" in message
    assert merge(test, {**passed, "points": 9.0}, 9.0)[::2] == ("passed", 4.0)  # capped
    assert merge(test, {**passed, "points": 0.0}, 2.0)[::2] == ("failed", 0.0)
    assert merge(test, {"status": "failed", "message": "AssertionError: no"}, 2.0)[::2] == (
        "tampered", 0.0)
