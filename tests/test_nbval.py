"""The source notebooks run plainly under nbval (`pytest --nbval-lax`), the kit's declared
notebook runner: every cell in one fresh kernel, a cell failing on an error or timeout.

The reference notebooks are otherwise executed through the grader (once per suite, see
`tests/conftest.autograded`); nbval runs the cheapest, 01, as a student's Run All would
(no sandbox, no captures), so that a source notebook that breaks outside the grader fails
here with the cell that broke. The fixture `tests/files/nbval/broken.ipynb` proves that
nbval's verdict is collected and fails the test.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from benchmarks import budgets
from tests.conftest import FILES, REPO, notebook_of

CHEAPEST = "01_simple_cnn"  # the smallest time budget of the kit's notebooks


def nbval(notebook: Path, cell_timeout: float, scratch: Path) -> tuple[int, dict[str, tuple]]:
    """Run `pytest --nbval-lax` on `notebook` in the virtualenv's kernel.

    Returns (pytest's exit status, {cell: (outcome, message)}) in cell order, outcome one
    of passed, failed, skipped; cells are named as nbval names them ("Cell 0", ...).
    """
    report = scratch / "nbval.xml"
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
               f"--nbval-cell-timeout={cell_timeout:.0f}", "-p", "no:cacheprovider",
               "-q", f"--junitxml={report}", str(notebook)]
    done = subprocess.run(command, cwd=notebook.parent, capture_output=True, text=True,
                          timeout=cell_timeout * 20 + 300)
    assert report.is_file(), f"nbval wrote no report:\n{done.stdout[-3000:]}{done.stderr}"
    cells = {}
    for case in ElementTree.parse(report).iter("testcase"):
        problem = next((p for p in (case.find("failure"), case.find("error"))
                        if p is not None), None)  # an Element without children is falsy
        if problem is not None:
            cells[case.get("name")] = ("failed", problem.text or problem.get("message", ""))
        elif case.find("skipped") is not None:
            cells[case.get("name")] = ("skipped", "")
        else:
            cells[case.get("name")] = ("passed", "")
    return done.returncode, cells


def code_cells(notebook: Path) -> int:
    import nbformat

    return sum(c.cell_type == "code" for c in nbformat.read(notebook, as_version=4).cells)


def test_nbval_fails_a_broken_notebook_at_the_cell_that_broke(tmp_path):
    notebook = Path(shutil.copy(FILES / "nbval" / "broken.ipynb", tmp_path))
    status, cells = nbval(notebook, 60, tmp_path)
    assert status == 1, cells
    assert [outcome for outcome, _ in cells.values()] == ["passed", "failed", "passed"], cells
    assert "NameError" in list(cells.values())[1][1]


@pytest.mark.slow  # the whole reference notebook: 13 s on the AVX-512/AMX CPU, ~36 s on AVX2
def test_cheapest_source_notebook_runs_under_nbval(tmp_path):
    folder = Path(shutil.copytree(REPO / "source" / CHEAPEST, tmp_path / CHEAPEST))
    notebook = notebook_of(folder)
    timeout = budgets.TOLERANCE * budgets.budget(CHEAPEST)  # per cell: the whole budget
    status, cells = nbval(notebook, timeout, tmp_path)
    failed = {name: message[-1500:] for name, (outcome, message) in cells.items()
              if outcome != "passed"}
    assert status == 0 and not failed, failed
    assert len(cells) == code_cells(notebook)
