"""autograder.contract: the one parser of hidden-test regions."""

import pytest

from autograder.contract import (
    BEGIN,
    END,
    ContractError,
    Region,
    hidden_code,
    hidden_regions,
    split_hidden,
    strip_hidden,
)


def test_regions_are_found_in_order():
    source = f"a\n{BEGIN}\nb\n{END}\nc\n  {BEGIN}\n  d\n  {END}"
    assert hidden_regions(source) == [Region(1, 3), Region(5, 7)]
    assert split_hidden(source) == ("a\nc", "b\n  d")
    assert hidden_code(source) == ["b", "  d"]


def test_a_marker_inside_a_longer_line_is_not_a_marker():
    source = f"x = 1  # {BEGIN} in a comment\ny = '{END}'"
    assert hidden_regions(source) == []
    assert split_hidden(source) == (source, None)


def test_an_empty_region_is_still_a_region():
    assert split_hidden(f"a\n{BEGIN}\n{END}") == ("a", "")


def test_strip_keeps_the_indent_of_the_marker():
    source = f"check()\n    {BEGIN}\n    secret()\n    {END}\nafter()"
    assert strip_hidden(source, "# (hidden)") == "check()\n    # (hidden)\nafter()"


@pytest.mark.parametrize("source, words", [
    (f"a\n{BEGIN}\nsecret()", "line 2: the hidden region is never closed"),
    (f"{BEGIN}\n{BEGIN}\nx\n{END}\n{END}", "line 2: ### BEGIN HIDDEN TESTS inside"),
    (f"a\n{END}", "line 2: ### END HIDDEN TESTS without"),
])
def test_bad_markers_are_rejected_with_the_line(source, words):
    with pytest.raises(ContractError, match=words):
        hidden_regions(source)
    with pytest.raises(ContractError):
        split_hidden(source)


def test_the_markers_are_cnnkits():
    from cnnkit import paths

    assert (BEGIN, END) == (paths.HIDDEN_BEGIN, paths.HIDDEN_END)


def test_an_instructor_notebook_with_an_unclosed_region_is_refused(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from autograder.hidden import load_assignment

    cell = new_code_cell(f"check()\n{BEGIN}\nsecret()")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "test_x", "points": 1,
                                 "solution": False, "locked": True, "schema_version": 3}
    (tmp_path / "00_x").mkdir()
    nbformat.write(new_notebook(cells=[cell]), tmp_path / "00_x" / "x.ipynb")
    with pytest.raises(ValueError, match=r"cell 0 \(test_x\): line 2: the hidden region is never"):
        load_assignment(tmp_path, "00_x")
