"""autograder.submission: rebuilding a submitted notebook from the instructor's cells."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder import hidden
from autograder.submission import Rejected, prepare
from tests.conftest import FILES, REPO

FIXTURE_SOURCE = FILES / "fixture_course" / "source"


@pytest.fixture(scope="module")
def fixture_assignment():
    return hidden.load_assignment(FIXTURE_SOURCE, "00_fixture")


def _student_copy(assignment, tmp_path, edit=None, name="s.ipynb"):
    notebook = nbformat.read(assignment.notebook, as_version=4)
    if edit:
        edit(notebook)
    path = tmp_path / name
    nbformat.write(notebook, path)
    return path


def test_invalid_json_is_rejected(fixture_assignment, tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [')
    with pytest.raises(Rejected, match="invalid JSON"):
        prepare(path, fixture_assignment, [fixture_assignment])


def test_other_assignment_is_rejected(fixture_assignment):
    other = hidden.load_assignment(REPO / "source", "01_simple_cnn")
    with pytest.raises(Rejected, match="not a notebook of assignment 00_fixture"):
        prepare(other.notebook, fixture_assignment, [fixture_assignment])
    with pytest.raises(Rejected, match="this is a notebook of assignment 01_simple_cnn"):
        prepare(other.notebook, fixture_assignment, [fixture_assignment, other])


def test_deleted_and_unmarked_test_cells_are_missing(fixture_assignment, tmp_path):
    def edit(notebook):
        ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells]
        del notebook.cells[ids.index("test_model")]
        ids.remove("test_model")
        del notebook.cells[ids.index("test_trained")].metadata["nbgrader"]

    path = _student_copy(fixture_assignment, tmp_path, edit)
    _, missing = prepare(path, fixture_assignment, [fixture_assignment])
    assert missing == ["test_model", "test_trained"]


def test_unknown_and_duplicate_ids_are_dropped_and_metadata_reset(fixture_assignment, tmp_path):
    def edit(notebook):
        bonus = new_code_cell("pass", metadata={"nbgrader": {
            "grade": True, "grade_id": "bonus", "points": 100, "locked": True,
            "solution": False, "schema_version": 3}})
        copy = nbformat.from_dict(notebook.cells[4])  # the test_squares cell again
        copy["id"] = "copied-test-cell"
        notebook.cells[4].metadata["nbgrader"]["points"] = 50
        notebook.cells += [bonus, copy]

    path = _student_copy(fixture_assignment, tmp_path, edit)
    notebook, missing = prepare(path, fixture_assignment, [fixture_assignment])
    graded = [c.metadata["nbgrader"] for c in notebook.cells if "nbgrader" in c.metadata]
    assert [m["grade_id"] for m in graded].count("test_squares") == 1
    assert "bonus" not in [m["grade_id"] for m in graded]
    assert next(m for m in graded if m["grade_id"] == "test_squares")["points"] == 1
    assert missing == []


def test_a_bogus_kernelspec_is_replaced(fixture_assignment, tmp_path):
    def edit(notebook):
        notebook.metadata["kernelspec"] = {"name": "evil", "display_name": "x", "language": "sh"}

    notebook, _ = prepare(_student_copy(fixture_assignment, tmp_path, edit),
                          fixture_assignment, [fixture_assignment])
    assert notebook.metadata["kernelspec"]["name"] == "python3"


def test_not_a_notebook_is_rejected(fixture_assignment, tmp_path):
    weird = json.dumps({"nbformat": 4, "cells": [{"cell_type": "weird"}]})
    for content, reason in [("[1, 2]", "no list of cells"), (weird, "cell_type"),
                            ("\udcff", "not UTF-8")]:
        path = tmp_path / "x.ipynb"
        path.write_bytes(content.encode("utf-8", "surrogateescape"))
        with pytest.raises(Rejected, match=reason):
            prepare(path, fixture_assignment, [fixture_assignment])
    with pytest.raises(Rejected, match="is not a file"):
        prepare(tmp_path / "nothing.ipynb", fixture_assignment, [fixture_assignment])



def test_a_notebook_like_object_is_written_cleanly(fixture_assignment, tmp_path):
    notebook = new_notebook(cells=[new_code_cell("x = 1")])
    path = tmp_path / "n.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(Rejected, match="too few of its cells"):
        prepare(path, fixture_assignment, [fixture_assignment])
