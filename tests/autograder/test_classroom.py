"""autograder.classroom and `python -m autograder classroom`: the visible checks, scored
and encoded as GitHub Classroom's graders do for its grading reporter."""

from __future__ import annotations

import base64
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder import classroom
from autograder.__main__ import main


def _grade(source: str, grade_id: str, points: float):
    return new_code_cell(source, metadata={"nbgrader": {
        "grade": True, "grade_id": grade_id, "points": points, "solution": False,
        "locked": True, "schema_version": 3}})


def _notebook(folder, *cells):
    notebook = new_notebook(cells=[new_code_cell("x = 2"), *cells, new_markdown_cell(
        "my answer", metadata={"nbgrader": {"grade": True, "solution": True, "points": 1,
                                            "grade_id": "written", "schema_version": 3}})])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / "work.ipynb")
    return folder / "work.ipynb"


def _run(tmp_path, monkeypatch, *args):
    """Run the command as one GitHub Actions step; ({runner: decoded result}, summary)."""
    step = tmp_path / f"step{len(list(tmp_path.glob('step*')))}"
    step.mkdir()
    files = {name: step / name for name in ("env", "output", "summary")}
    for variable, name in [("GITHUB_ENV", "env"), ("GITHUB_OUTPUT", "output"),
                           ("GITHUB_STEP_SUMMARY", "summary")]:
        monkeypatch.setenv(variable, str(files[name]))
    assert main(["classroom", *args]) == 0
    runners = files["output"].read_text().strip().removeprefix("runners=").split(",")
    env = dict(line.split("=", 1) for line in files["env"].read_text().splitlines())
    # What the reporter does: process.env[`${runner.toUpperCase()}_RESULTS`], base64, JSON.
    decoded = {r: json.loads(base64.b64decode(env[f"{r.upper()}_RESULTS"])) for r in runners}
    return decoded, files["summary"].read_text()


def test_points_are_the_visible_checks_as_the_reporter_totals_them(tmp_path, monkeypatch):
    _notebook(tmp_path / "repo", _grade('"""x is 2."""\nassert x == 2', "test_two", 1),
              _grade('assert x == 3, "x should be 3"', "test_three", 2),
              _grade('import sys\nsys.stderr.write("careful")', "test_quiet", 1.5))
    decoded, summary = _run(tmp_path, monkeypatch, "--root", str(tmp_path / "repo"))
    assert list(decoded) == ["test_two", "test_three", "test_quiet"]
    assert classroom.points(decoded) == (1, 4.5)
    for result in decoded.values():  # the reporter's table: passed share of max_score
        passed = sum(t["status"] == "pass" for t in result["tests"]) / len(result["tests"])
        assert passed * result["max_score"] == sum(t["score"] for t in result["tests"])
    assert decoded["test_three"]["tests"][0]["message"] == "AssertionError: x should be 3"
    assert decoded["test_quiet"]["status"] == "fail"
    assert "stderr" in decoded["test_quiet"]["tests"][0]["message"]
    assert "Visible checks: 1 / 4.5 points" in summary and "| test_three | 0 / 2 | fail" in summary


def test_a_repository_without_the_notebook_reports_an_error(tmp_path, monkeypatch):
    (tmp_path / "repo").mkdir()
    decoded, _ = _run(tmp_path, monkeypatch, "--root", str(tmp_path / "repo"))
    assert list(decoded) == ["notebook"] and decoded["notebook"]["status"] == "error"
    assert "no notebook with autograded checks" in decoded["notebook"]["tests"][0]["message"]


def test_checks_after_the_time_limit_fail_and_say_why(tmp_path, monkeypatch):
    path = _notebook(tmp_path / "repo", _grade("assert x == 2", "test_first", 1),
                     new_code_cell("import time\ntime.sleep(30)"),
                     _grade("assert x == 2", "test_late", 1))
    decoded, _ = _run(tmp_path, monkeypatch, str(path), "--cell-seconds", "1")
    assert decoded["test_first"]["status"] == "pass"
    assert decoded["test_late"]["tests"][0]["message"] == \
        "cell 3 ran out of time; later cells did not run"
    assert classroom.points(decoded) == (1, 2)


@pytest.mark.slow
def test_the_fixture_student_notebook_scores_its_visible_checks(tmp_path, monkeypatch):
    from tests.autograder.end_to_end.test_fixture_batch import WRONG_MODEL, student_notebook

    nbformat.write(student_notebook(), tmp_path / "fixture.ipynb")
    decoded, _ = _run(tmp_path, monkeypatch, str(tmp_path / "fixture.ipynb"))
    assert classroom.points(decoded) == (5, 5)
    # A wrong architecture fails only the hidden test: the visible points stay 5 / 5,
    # which is why Classroom's points are feedback, not the grade.
    nbformat.write(student_notebook({"build_model": WRONG_MODEL}), tmp_path / "fixture.ipynb")
    decoded, _ = _run(tmp_path, monkeypatch, str(tmp_path / "fixture.ipynb"))
    assert classroom.points(decoded) == (5, 5)
    nbformat.write(student_notebook({"squares_answer": "squares = [0, 1, 4]"}),
                   tmp_path / "fixture.ipynb")
    decoded, _ = _run(tmp_path, monkeypatch, str(tmp_path / "fixture.ipynb"))
    assert decoded["test_squares"]["tests"][0]["message"] == \
        "AssertionError: squares should hold ten numbers"
    assert classroom.points(decoded) == (4, 5)
