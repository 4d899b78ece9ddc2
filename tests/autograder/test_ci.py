"""The command line's exit statuses and the CI script the GitHub workflow runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import FILES, REPO

SOURCE = FILES / "fixture_course" / "source"
FIXTURE = SOURCE / "00_fixture" / "fixture.ipynb"


def _run(*args, env=None, timeout=900):
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def test_grade_rejects_invalid_json_with_status_1_and_still_writes_json(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not json")
    out, gradescope = tmp_path / "r.json", tmp_path / "results.json"
    process = _run("autograder", "grade", "00_fixture", str(broken), "--json", str(out),
                   "--gradescope", str(gradescope), "--source", str(SOURCE))
    assert process.returncode == 1, process.stderr
    result = json.loads(out.read_text())
    assert (result["status"], result["score"], result["max_score"]) == ("rejected", 0, 5)
    assert "invalid JSON" in result["message"] and "rejected" in process.stdout
    assert json.loads(gradescope.read_text())["score"] == 0


def test_grade_exits_2_when_the_grader_cannot_work(tmp_path):
    process = _run("autograder", "grade", "no_such_assignment", str(FIXTURE),
                   "--source", str(SOURCE), "--json", str(tmp_path / "r.json"))
    assert process.returncode == 2
    assert "grader failure" in process.stderr and not (tmp_path / "r.json").exists()


def test_ci_without_a_notebook_passes_unless_a_minimum_score_is_set(tmp_path):
    summary = tmp_path / "summary.md"
    args = ["autograder.ci", "--assignment", "00_fixture", "--submission", str(tmp_path),
            "--source", str(SOURCE), "--out", str(tmp_path / "results")]
    assert _run(*args, env={"GITHUB_STEP_SUMMARY": str(summary)}).returncode == 0
    assert "(rejected)" in summary.read_text()
    failing = _run(*args, "--min-score", "1", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert failing.returncode == 1 and "below the minimum" in failing.stdout


@pytest.mark.slow
def test_ci_grades_the_submitted_notebook_and_writes_the_summary(tmp_path):
    repository = tmp_path / "submission"
    (repository / "work").mkdir(parents=True)
    (repository / "work" / "fixture.ipynb").write_bytes(FIXTURE.read_bytes())
    summary, results = tmp_path / "summary.md", tmp_path / "results"
    process = _run("autograder.ci", "--assignment", "00_fixture", "--submission",
                   str(repository), "--source", str(SOURCE), "--out", str(results),
                   "--min-score", "5", "--memory", "2",
                   env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert process.returncode == 0, process.stdout + process.stderr
    text = summary.read_text()
    assert "00_fixture: 5 / 5 points (graded)" in text
    assert "| test_model | 2 / 2 | passed |" in text
    assert json.loads((results / "result.json").read_text())["status"] == "graded"
    assert json.loads((results / "results.json").read_text())["score"] == 5

