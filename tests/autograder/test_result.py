"""autograder.result: one definition of the result, its JSON and its JSON Schema."""

import json
import subprocess
import sys

import jsonschema
import pytest

from autograder import hidden
from autograder.result import Result, grader_failed, rejected, validate
from tests.autograder.test_report import RESULT
from tests.conftest import FILES, REPO

SOURCE = FILES / "fixture_course" / "source"


@pytest.fixture(scope="module")
def fixture_assignment():
    return hidden.load_assignment(SOURCE, "00_fixture")


def test_rejected_and_failed_results_match_the_schema(fixture_assignment, tmp_path):
    notebook = tmp_path / "ann.ipynb"
    notebook.write_text("{}")
    for made in (rejected(fixture_assignment, "ann", notebook, "not a notebook"),
                 grader_failed(fixture_assignment, "ann", notebook, "nbgrader crashed")):
        data = made.to_json()
        validate(data)
        assert [t["status"] for t in data["tests"]] == ["missing"] * 3
        assert data["max_score"] == 5 and data["score"] == 0 and "timings" not in data
        assert Result.from_json(json.loads(json.dumps(data))) == made


def test_the_report_tests_sample_matches_the_schema():
    validate(RESULT)


@pytest.mark.parametrize("change", [
    {"status": "finished"}, {"score": -1}, {"surprise": 1},
    {"tests": [{"id": "t", "points": 1, "max_points": 1, "status": "ok", "message": ""}]},
])
def test_the_schema_refuses_what_a_result_cannot_be(change):
    with pytest.raises(jsonschema.ValidationError):
        validate({**RESULT, **change})


def test_the_json_of_the_grade_command_matches_the_schema(tmp_path):
    broken, out = tmp_path / "broken.ipynb", tmp_path / "r.json"
    broken.write_text("{ not json")
    process = subprocess.run([sys.executable, "-m", "autograder", "grade", "00_fixture",
                              str(broken), "--json", str(out), "--source", str(SOURCE)],
                             cwd=REPO, capture_output=True, text=True, timeout=300)
    assert process.returncode == 1, process.stderr
    validate(json.loads(out.read_text()))
