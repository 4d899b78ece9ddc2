"""autograder.exports.canvas and `python -m autograder export-canvas`: grades as Canvas's
gradebook import reads them, checked against a Canvas gradebook export (tests/files/canvas)."""

from __future__ import annotations

import copy
import csv
import json

import pytest

from autograder.__main__ import main
from autograder.exports.canvas import CanvasExportError, write_canvas_csv
from tests.autograder.test_report import RESULT
from tests.conftest import FILES

ROSTER = FILES / "canvas" / "gradebook_export.csv"
COLUMN = "Lab 0: Fixture (48213)"


def _result(student, score=3.0, manual_points=None, status="graded"):
    result = {**copy.deepcopy(RESULT), "student": student, "score": score, "status": status}
    if manual_points is not None:
        result["manual"][0].update(status="graded", points=manual_points)
    if status == "rejected":
        result["manual"][0]["status"] = "missing"
    return result


def _rows(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def test_the_export_has_canvass_columns_and_rows(tmp_path):
    out = tmp_path / "canvas.csv"
    warnings = write_canvas_csv([_result("alice", 5.0, 0.5), _result("bob", 3.0, 1.0),
                                 _result("grace", 0.0, status="rejected")],
                                ROSTER, out, COLUMN)
    sample, ours = _rows(ROSTER), _rows(out)
    assert ours[0] == sample[0][:5] + [COLUMN] and sample[0][5] == COLUMN
    assert ours[1][0] == sample[1][0] and ours[1][5] == sample[1][5] == "6.00"
    assert [row[:5] for row in ours[2:]] == [row[:5] for row in sample[2:]]
    assert [row[5] for row in ours[2:]] == ["5.50", "4.00", "0.00", ""]
    assert warnings == [
        "Student, Test (SIS Login ID '2f1c9a0e7b3d5c8a'): no result; the cell is left empty, "
        "so Canvas keeps the grade it has",
    ]


def test_pending_answers_and_a_column_without_canvas_id_are_warned_about(tmp_path):
    warnings = write_canvas_csv([_result("alice")], ROSTER, tmp_path / "c.csv", "Lab 0")
    assert "Canvas will create a new assignment" in warnings[0]
    assert "alice: written answers not graded yet (relu_answer)" in warnings[1]
    assert len(warnings) == 5  # and bob, grace, the test student: no result


def test_results_of_students_not_in_the_roster_stop_the_export(tmp_path):
    out = tmp_path / "canvas.csv"
    with pytest.raises(CanvasExportError) as error:
        write_canvas_csv([_result("alice"), _result("mallory"), _result("bob", status="error")],
                         ROSTER, out, COLUMN)
    text = str(error.value)
    assert "mallory: has a result but no roster row with SIS Login ID = 'mallory'" in text
    assert "bob: the grader failed" in text
    assert not out.exists()


def test_a_roster_without_canvass_columns_is_refused(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,login\nAda,alice\n")
    with pytest.raises(CanvasExportError, match="no column 'Student', 'ID'"):
        write_canvas_csv([_result("alice")], roster, tmp_path / "c.csv", COLUMN)


def test_the_command_reads_a_batchs_results_and_matches_another_column(tmp_path, capsys):
    results = tmp_path / "results"
    results.mkdir()
    for student in ("S1815001", "S1791002"):
        (results / f"{student}.json").write_text(json.dumps(_result(student, 4.0, 1.0)))
    (results / "grades.csv").write_text("not a result\n")
    out = tmp_path / "canvas.csv"
    assert main(["export-canvas", str(results), "--roster", str(ROSTER), "--assignment-column",
                 COLUMN, "--out", str(out), "--match-column", "SIS User ID"]) == 0
    printed = capsys.readouterr().out
    assert "2 grades written" in printed and printed.count("warning: ") == 2
    assert [row[5] for row in _rows(out)[2:]] == ["5.00", "5.00", "", ""]
    assert main(["export-canvas", str(results), "--roster", str(ROSTER), "--assignment-column",
                 COLUMN, "--out", str(tmp_path / "x.csv")]) == 1
    assert "no roster row with SIS Login ID = 'S1791002'" in capsys.readouterr().out
