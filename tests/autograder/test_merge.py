"""autograder.merge: results folders are merged only when they match the plan exactly."""

import json

import pytest

from autograder import provenance, results_folder
from autograder.merge import MergeError, collect, write_final
from tests.autograder.test_provenance import SOURCE


def plan_of(students):
    return {"format": 1, "assignment": "00_fixture",
            "provenance": provenance.current(SOURCE, "00_fixture"),
            "submissions": [{"student": s, "path": f"{s}.ipynb", "sha256": s[0] * 64}
                            for s in students]}


def result_of(plan, student, **changes):
    entry = next(e for e in plan["submissions"] if e["student"] == student)
    return {"student": student, "status": "graded", "score": 1, "max_score": 5, "tests": [],
            "sha256": entry["sha256"], "provenance": plan["provenance"], **changes}


def test_matching_results_are_collected_in_plan_order(tmp_path):
    plan = plan_of(["a", "b", "c"])
    for student, folder in (("a", "r0"), ("b", "r1"), ("c", "r0")):
        results_folder.save(tmp_path / folder, student, result_of(plan, student))
    found = collect(plan, [tmp_path / "r0", tmp_path / "r1"])
    assert list(found) == ["a", "b", "c"]
    assert found["b"][0] == result_of(plan, "b") and found["b"][1]["rows"] is None


def test_missing_duplicated_stale_and_foreign_results_are_each_named(tmp_path):
    plan = plan_of(["a", "b", "c", "d", "e"])
    results_folder.save(tmp_path / "r0", "a", result_of(plan, "a"))
    results_folder.save(tmp_path / "r1", "a", result_of(plan, "a"))
    results_folder.save(tmp_path / "r0", "b", result_of(plan, "b", sha256="f" * 64))
    results_folder.save(tmp_path / "r0", "c", result_of(
        plan, "c", provenance={**plan["provenance"], "grader": "0.0.1+old"}))
    results_folder.save(tmp_path / "r0", "e", result_of(plan, "e"))
    (tmp_path / "r0" / "e.json").write_text(json.dumps(result_of(plan, "e", score=5)))
    results_folder.save(tmp_path / "r1", "zed", {"student": "zed"})
    with pytest.raises(MergeError) as refused:
        collect(plan, [tmp_path / "r0", tmp_path / "r1"])
    lines = str(refused.value).splitlines()
    assert lines[0] == "cannot merge 6 problem(s):"
    text = str(refused.value)
    assert "zed: a result in " in text and "that the plan does not list" in text
    assert f"a: a result in each of {tmp_path / 'r0'}, {tmp_path / 'r1'}" in text
    assert "b: the result in" in text and "notebook: ffffffffffff -> bbbbbbbbbbbb" in text
    assert "c: the result in" in text and "grader: 0.0.1+old -> " in text
    assert "d: no result; rerun plan entry 3 (--index 3" in text
    assert "e: " in text and "come from different runs" in text


def test_a_grader_failure_is_merged_not_refused(tmp_path):
    plan = plan_of(["a"])
    results_folder.save(tmp_path / "r", "a", result_of(plan, "a", status="error"))
    assert collect(plan, [tmp_path / "r"])["a"][0]["status"] == "error"


def test_merge_never_writes_over_a_merged_course(tmp_path):
    (tmp_path / "final" / "course").mkdir(parents=True)
    with pytest.raises(MergeError, match="exists already .* merge into a new folder"):
        write_final(plan_of([]), {}, SOURCE, tmp_path / "final")
