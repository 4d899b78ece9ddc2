"""autograder.manual: scores given by hand in formgrader, applied to results and totals."""

from __future__ import annotations

import copy

import pytest

from autograder import manual, report
from autograder.result import validate
from tests.autograder.test_report import RESULT


def test_apply_grades_written_answers_and_keeps_the_autograders_test_points():
    result = copy.deepcopy(RESULT)
    notes = manual.apply(result, {"relu_answer": 0.5, "test_squares": 1.0, "test_model": 2.0})
    assert result["manual"] == [{"id": "relu_answer", "max_points": 1.0, "status": "graded",
                                 "points": 0.5}]
    assert [t["points"] for t in result["tests"]] == [1.0, 0.0, 2.0]
    assert notes == ["ann: formgrader gives test_model 2 points, the autograder 0; the result "
                     "keeps the autograder's (regrade to change it)"]
    assert manual.points_of_record(result) == (3.5, 6.0, [])
    validate({**result, "isolation": {}})


def test_answers_not_graded_yet_stay_pending_and_missing_ones_stay_missing():
    result = copy.deepcopy(RESULT)
    result["manual"].append({"id": "gone", "max_points": 2.0, "status": "missing"})
    manual.apply(result, {"relu_answer": None, "gone": 1.0})
    assert [m["status"] for m in result["manual"]] == ["pending", "missing"]
    assert manual.points_of_record(result) == (3.0, 8.0, ["relu_answer"])


def test_the_schema_wants_points_exactly_when_graded():
    import jsonschema

    graded = {**RESULT, "manual": [{"id": "relu_answer", "max_points": 1.0,
                                    "status": "graded"}]}
    with pytest.raises(jsonschema.ValidationError):
        validate(graded)
    pending = {**RESULT, "manual": [{"id": "relu_answer", "max_points": 1.0,
                                     "status": "pending", "points": 1.0}]}
    with pytest.raises(jsonschema.ValidationError):
        validate(pending)


def test_grades_csv_shows_written_answers_and_the_total_of_record():
    graded = copy.deepcopy(RESULT)
    manual.apply(graded, {"relu_answer": 1.0})
    bob = {**copy.deepcopy(RESULT), "student": "bob"}
    lines = report.grades_csv([graded, bob], ["test_squares", "test_model", "test_trained"])
    header, ann, bob_row = lines.strip().splitlines()
    assert header.endswith("test_trained,relu_answer,total,total_max,message")
    assert ann.startswith("ann,graded,3,5,1,0,2,1,4,6,")
    assert bob_row.startswith("bob,graded,3,5,1,0,2,pending,3,6,")


def test_collect_says_which_folder_it_needs(tmp_path):
    with pytest.raises(ValueError, match="no nbgrader gradebook"):
        manual.collect(tmp_path, "00_fixture")
