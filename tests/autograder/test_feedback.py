"""Feedback never shows hidden tests or their tracebacks."""

import nbformat
from nbformat.v4 import new_code_cell

from autograder.feedback import HideHiddenTests, strip_hidden_tests

GRADE = {"nbgrader": {"grade": True, "grade_id": "t", "points": 1, "solution": False,
                      "locked": True, "schema_version": 3}}


def test_strip_hidden_tests_keeps_visible_part():
    source = "check(a)\n### BEGIN HIDDEN TESTS\nsecret(a)\n### END HIDDEN TESTS\nprint(1)"
    assert strip_hidden_tests(source) == "check(a)\n# (hidden tests)\nprint(1)"


def test_preprocessor_hides_code_and_traceback_of_grade_cells_only():
    failing = new_code_cell(
        "visible()\n### BEGIN HIDDEN TESTS\nsecret_check(model)\n### END HIDDEN TESTS",
        metadata=GRADE,
    )
    failing.outputs = [nbformat.v4.new_output(
        "error", ename="AssertionError", evalue="accuracy too low",
        traceback=["Traceback", "----> 3 secret_check(model)", "AssertionError: accuracy too low"],
    )]
    student = new_code_cell("x = 1  # ### BEGIN HIDDEN TESTS in a comment")
    notebook = nbformat.v4.new_notebook(cells=[failing, student])
    notebook, _ = HideHiddenTests().preprocess(notebook, {})
    text = nbformat.writes(notebook)
    assert "secret_check" not in text
    assert notebook.cells[0].outputs[0]["traceback"] == ["AssertionError: accuracy too low"]
    assert notebook.cells[1].source == "x = 1  # ### BEGIN HIDDEN TESTS in a comment"


def test_unclosed_markers_hide_the_whole_cell():
    source = "visible()\n### BEGIN HIDDEN TESTS\nsecret_check(model)"
    assert strip_hidden_tests(source) == "# (hidden tests)"
