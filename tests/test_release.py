"""release/ is a fresh nbgrader generation of source/, without solutions or hidden tests."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from autograder import course
from tests.conftest import REPO, notebook_of

ASSIGNMENTS = course.assignments()


def test_every_assignment_has_a_release():
    assert ASSIGNMENTS, "no assignments in source/"
    for assignment in ASSIGNMENTS:
        assert notebook_of(REPO / "release" / assignment).exists()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_matches_fresh_generation(assignment, tmp_path):
    shutil.copytree(REPO / "source" / assignment, tmp_path / "source" / assignment)
    shutil.copy(REPO / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    course.nbgrader(tmp_path, "generate_assignment", assignment, "--force")
    fresh = nbformat.read(notebook_of(tmp_path / "release" / assignment), as_version=4)
    committed = nbformat.read(notebook_of(REPO / "release" / assignment), as_version=4)
    assert committed == fresh, f"release/{assignment} is stale: run `make release`"


def _solution_and_hidden_lines(source_notebook):
    """Lines of solution regions and hidden-test regions of the instructor notebook that
    appear nowhere else in it (a line such as `keras.Input(shape=(28, 28, 1)),` may be in
    a solution and in a given example too)."""
    lines, outside = [], set()
    for cell in source_notebook.cells:
        inside = False
        for line in cell.source.splitlines():
            marker = line.strip()
            if marker in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
                inside = True
            elif marker in ("### END SOLUTION", "### END HIDDEN TESTS"):
                inside = False
            elif inside and len(marker) > 12:
                lines.append(marker)
            elif not inside:
                outside.add(marker)
    return [line for line in lines if line not in outside]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_has_no_solutions_or_hidden_tests(assignment):
    source = nbformat.read(notebook_of(REPO / "source" / assignment), as_version=4)
    release_path = notebook_of(REPO / "release" / assignment)
    text = release_path.read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    release = nbformat.read(release_path, as_version=4)
    release_lines = {line.strip() for cell in release.cells for line in cell.source.splitlines()}
    leaked = [line for line in _solution_and_hidden_lines(source) if line in release_lines]
    assert not leaked, f"solution or hidden-test lines in the release: {leaked[:5]}"
    for cell in release.cells:
        assert cell.get("outputs", []) == [], "release notebooks are saved without outputs"


@pytest.mark.slow  # a real kernel per notebook
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_release_stops_at_first_answer_cell(assignment):
    path = notebook_of(REPO / "release" / assignment)
    notebook = nbformat.read(path, as_version=4)
    first_answer = next(
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")
    )
    client = NotebookClient(notebook, timeout=300, resources={"metadata": {"path": path.parent}})
    with pytest.raises(CellExecutionError) as error:
        client.execute()
    assert error.value.ename == "NotImplementedError"
    failed = [
        index
        for index, cell in enumerate(notebook.cells)
        if any(out.get("output_type") == "error" for out in cell.get("outputs", []))
    ]
    assert failed == [first_answer]
