"""A failed check shows its message and the notebook line, and still fails the cell."""

import logging
import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbgrader.utils import determine_grade

from cnnkit import checks
from cnnkit.checks import CheckFailed

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def rendered(error: BaseException) -> list[str]:
    return [ANSI.sub("", line) for line in error._render_traceback_()]


def test_a_failed_check_is_an_assertion_error():
    with pytest.raises(AssertionError, match="below the required 0.9000"):
        checks.check_accuracy(0.5, 0.9)
    assert issubclass(CheckFailed, AssertionError)


def test_the_traceback_shows_the_caller_and_the_message_not_cnnkit():
    with pytest.raises(CheckFailed) as caught:
        checks.check_accuracy(0.5, 0.9)  # the line the traceback must show
    lines = rendered(caught.value)
    assert lines[0] == f"File {__file__}:{caught.traceback[0].lineno + 1}"
    assert lines[1] == "----> checks.check_accuracy(0.5, 0.9)  # the line the traceback must show"
    assert lines[2].startswith("CheckFailed: test accuracy 0.5000 is below the required 0.9000")
    assert len(lines) == 3
    assert not any("cnnkit" in line and ".py" in line for line in lines)


CELL = """\
import cnnkit.checks
accuracy = 0.5
cnnkit.checks.check_accuracy(accuracy, 0.9)
"""


def failing_notebook() -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(CELL)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "check", "points": 1,
                                 "solution": False, "locked": True, "schema_version": 3}
    return nbformat.v4.new_notebook(cells=[cell])


@pytest.mark.slow  # runs a real kernel or trains: keeps `make test-fast` under 2 minutes
def test_in_a_kernel_the_cell_fails_with_a_short_traceback(tmp_path):
    notebook = failing_notebook()
    client = NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    [error] = [o for o in notebook.cells[0].outputs if o.output_type == "error"]
    lines = [ANSI.sub("", line) for line in error.traceback]
    assert error.ename == "CheckFailed"
    assert lines[:2] == ["Cell In[1], line 3",
                         "----> cnnkit.checks.check_accuracy(accuracy, 0.9)"]
    assert len(lines) == 3
    assert lines[2].startswith("CheckFailed: test accuracy 0.5000 is below the required 0.9000")
    # nbgrader reads the error output: the grade cell earns nothing.
    assert determine_grade(notebook.cells[0], logging.getLogger("test")) == (0, 1)


@pytest.mark.slow  # runs a real kernel or trains: keeps `make test-fast` under 2 minutes
def test_run_all_stops_at_a_failed_check(tmp_path):
    notebook = failing_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell("print('after')"))
    client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError, match="CheckFailed"):
        client.execute()
    assert notebook.cells[1].outputs == []
