"""autograder.gradescope: the package Gradescope runs, its runner and its results.json.

Every results.json made here is validated against results.schema.json, written from
Gradescope's specification. The runner runs against a temporary folder shaped like
Gradescope's /autograder (CNNKIT_GRADESCOPE_ROOT), with this machine's Python standing in
for the one setup.sh installs.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograder import sandbox
from autograder.gradescope import MAX_MINUTES, MEMORY_MB, ROOT_ENV
from autograder.gradescope.package import build, limits
from autograder.gradescope.results import results_json, validate
from tests.autograder.test_report import RESULT
from tests.conftest import FILES, REPO, notebook_of

FIXTURE = FILES / "fixture_course" / "source"
METADATA = {"id": 123456, "created_at": "2026-03-01T14:22:32.365935-07:00",
            "assignment": {"due_date": "2026-03-31T23:00:00.000000-07:00", "id": 25828,
                           "title": "Assignment", "total_points": "6.0"},
            "submission_method": "upload",
            "users": [{"email": "student@example.com", "id": 1234, "name": "Student User"}],
            "previous_submissions": []}
needs_sandbox = pytest.mark.skipif(sandbox.bwrap_problem() is not None or os.geteuid() != 0,
                                   reason="grades in the sandbox as root")


def package_root(tmp_path: Path, assignment: str, source: Path = REPO / "source",
                 **options) -> Path:
    """A folder shaped like Gradescope's /autograder with the package of `assignment`."""
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    with zipfile.ZipFile(build(assignment, tmp_path / "autograder.zip", source,
                               **options)) as package:
        package.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    os.chmod(root / "run_autograder", 0o755)
    return root


def run_autograder(root: Path, python: str = sys.executable, timeout: float = 600) -> dict:
    """Run ROOT/run_autograder as Gradescope does; its results.json, checked by the schema."""
    env = {**os.environ, ROOT_ENV: str(root), "CNNKIT_GRADESCOPE_PYTHON": python}
    process = subprocess.run([str(root / "run_autograder")], env=env, cwd=root,
                             capture_output=True, text=True, timeout=timeout)
    assert process.returncode == 0, process.stdout + process.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    validate(results)
    return results


def _tests(results: dict) -> dict:
    return {t["name"]: t for t in results["tests"]}


# --- results.json ---------------------------------------------------------------------


def test_hidden_tests_wait_for_publishing_and_the_submission_check_is_visible():
    results = results_json(RESULT, visible_tests=["test_squares"])
    validate(results)
    tests = _tests(results)
    assert results["score"] == 3.0 and results["visibility"] == "after_published"
    assert results["output_format"] == results["test_output_format"] == "text"
    assert tests["Submission"]["visibility"] == "visible"
    assert tests["Submission"]["status"] == "passed"
    assert "relu_answer (1 points)" in tests["Submission"]["output"]
    assert tests["test_squares"]["visibility"] == "visible"
    assert {tests[n]["visibility"] for n in ("test_model", "test_trained")} == {
        "after_published"}
    assert [tests[n]["status"] for n in ("test_squares", "test_model", "test_trained")] == [
        "passed", "failed", "passed"]
    assert results_json(RESULT, visibility="visible")["visibility"] == "visible"
    with pytest.raises(ValueError, match="visibility must be one of"):
        results_json(RESULT, visibility="sometimes")


def test_the_leaderboard_late_penalty_and_partial_scores_reach_gradescope():
    assert "leaderboard" not in results_json(RESULT)
    board = [{"name": "accuracy", "value": 0.99, "order": "desc"},
             {"name": "parameters", "value": 9938.0, "order": "asc"}]
    late = {"submitted_at": "2026-03-02T12:00:00Z", "due": "2026-03-01T12:00:00Z",
            "seconds_late": 86400.0, "penalty": 3.0}
    partial = dict(RESULT["tests"][1], status="partial", points=1.0, message="1 of 2 points")
    result = {**RESULT, "leaderboard": board, "late": late, "score": 0.0,
              "tests": [RESULT["tests"][0], partial, RESULT["tests"][2]]}
    results = results_json(result)
    validate(results)
    assert results["leaderboard"] == board and results["score"] == 0.0
    assert "LATE by 24.0 h, penalty 3 points" in _tests(results)["Submission"]["output"]
    assert _tests(results)["test_model"]["score"] == 1.0
    assert _tests(results)["test_model"]["output"] == "partial: 1 of 2 points"


def test_the_schema_refuses_what_gradescope_does_not_know():
    with pytest.raises(jsonschema.ValidationError):
        validate({"score": 1, "visibility": "later"})
    with pytest.raises(jsonschema.ValidationError):
        validate({"tests": [{"name": "no score anywhere"}]})
    with pytest.raises(jsonschema.ValidationError):
        validate({"score": 1, "tests": [{"score": 1, "stauts": "passed"}]})
    validate({"tests": [{"score": 1.0, "max_score": 1.0}]})


# --- the package ------------------------------------------------------------------------


def test_limits_fit_in_gradescopes_and_default_to_them():
    grading = limits()
    assert grading["memory_gib"] == round(MEMORY_MB / 1024, 3)
    assert grading["timeout"] + grading["replay_timeout"] <= MAX_MINUTES * 60 - 120
    assert grading["cell_timeout"] <= grading["timeout"]
    with pytest.raises(ValueError, match="1 to 40 minutes"):
        limits(60)
    with pytest.raises(ValueError, match="at least 5"):
        limits(4)


def test_the_zip_has_gradescopes_two_scripts_at_its_root_and_the_whole_course(tmp_path):
    path = build("01_simple_cnn", tmp_path / "autograder.zip", minutes=20,
                 visibility="visible")
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in package.infolist()}
        config = json.loads(package.read("gradescope.json"))
    for script in ("setup.sh", "run_autograder"):
        assert script in names and modes[script] & stat.S_IXUSR
    assert {"kit/pyproject.toml", "kit/nbgrader_config.py", "kit/cnnkit/__init__.py",
            "kit/autograder/gradescope/run.py"} <= names
    for assignment in (p.name for p in (REPO / "source").iterdir() if p.is_dir()):
        assert f"kit/source/{assignment}/{notebook_of(REPO / 'source' / assignment).name}" \
            in names
    assert not [n for n in names if "__pycache__" in n or "/." in n]
    assert config == {"assignment": "01_simple_cnn", "notebook": "simple_cnn.ipynb",
                      "visibility": "visible", "minutes": 20, "memory_mb": MEMORY_MB,
                      **limits(20)}


def test_a_submission_without_a_notebook_is_told_so_visibly(tmp_path):
    root = package_root(tmp_path, "00_fixture", FIXTURE)
    (root / "submission" / "answers.txt").write_text("I forgot the notebook")
    results = run_autograder(root)
    check = _tests(results)["Submission"]
    assert check["status"] == "failed" and check["visibility"] == "visible"
    assert "no notebook (.ipynb) in the submission: upload fixture.ipynb" in check["output"]
    assert results["score"] == 0


def test_results_are_written_when_the_grader_fails_or_cannot_start(tmp_path):
    root = package_root(tmp_path, "00_fixture", FIXTURE)
    (root / "source" / "gradescope.json").write_text("{broken")
    check = _tests(run_autograder(root))["Submission"]
    assert check["visibility"] == "visible" and "not your fault" in check["output"]
    assert "JSONDecodeError" in check["output"]
    check = _tests(run_autograder(root, python=str(tmp_path / "no-python")))["Submission"]
    assert check["status"] == "failed" and "failed to start" in check["output"]


# --- real grading (slow) ----------------------------------------------------------------


@pytest.mark.slow
@needs_sandbox
def test_the_fixture_reference_is_graded_with_hidden_tests_after_publishing(tmp_path):
    root = package_root(tmp_path, "00_fixture", FIXTURE, minutes=10)
    shutil.copy(FIXTURE / "00_fixture" / "fixture.ipynb", root / "submission")
    (root / "submission_metadata.json").write_text(json.dumps(METADATA))
    results = run_autograder(root)
    tests = _tests(results)
    assert results["score"] == 5.0, tests
    assert tests["Submission"]["status"] == "passed"
    assert "on time" in tests["Submission"]["output"]
    assert {tests[n]["visibility"] for n in ("test_squares", "test_model", "test_trained")} \
        == {"after_published"}
    assert results["extra_data"]["late"]["seconds_late"] == 0


@pytest.mark.slow
@pytest.mark.concurrent
@needs_sandbox
def test_assignment_01_reference_scores_full_and_another_notebook_is_rejected(tmp_path):
    # TensorFlow's kernel for 01 dies in Gradescope's default 768 MB (measured: "kernel
    # died"); the assignment's Gradescope setting must raise the memory, as here.
    root = package_root(tmp_path, "01_simple_cnn", memory_mb=4096)
    submission = root / "submission"
    shutil.copy(notebook_of(REPO / "source" / "05_compact_cnn"), submission)
    late = {**METADATA, "created_at": "2026-04-01T10:00:00-07:00"}
    (root / "submission_metadata.json").write_text(json.dumps(late))
    rejected = run_autograder(root)
    check = _tests(rejected)["Submission"]
    assert (check["status"], check["visibility"], rejected["score"]) == ("failed", "visible", 0)
    assert "this is a notebook of assignment 05_compact_cnn, not 01_simple_cnn" in \
        check["output"]
    for path in submission.iterdir():
        path.unlink()
    shutil.copy(notebook_of(REPO / "source" / "01_simple_cnn"), submission)
    (root / "submission_metadata.json").write_text(json.dumps(METADATA))
    (tmp_path / "results-rejected.json").write_text(json.dumps(rejected, indent=2))
    results = run_autograder(root, timeout=1800)
    (tmp_path / "results-reference.json").write_text(json.dumps(results, indent=2))
    tests = _tests(results)
    assert results["score"] == 8, tests
    assert tests["Submission"]["status"] == "passed"
    assert {tests[n]["visibility"] for n in ("test_preprocess", "test_architecture",
                                             "test_accuracy")} == {"after_published"}
    assert all(tests[n]["status"] == "passed" for n in ("test_preprocess",
                                                        "test_architecture",
                                                        "test_accuracy"))
