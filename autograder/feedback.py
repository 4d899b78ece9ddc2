"""Feedback without hidden tests: an nbconvert preprocessor for `nbgrader generate_feedback`.

Hidden tests must not reach students, neither as code nor through outputs: a student's
kernel runs the hidden tests, so student code could print them. `HideHiddenTests`
therefore strips hidden regions and tracebacks from grade cells and also removes, from
every cell's outputs, any line of hidden-test code it finds (`scrub`). Residual risk: an
encoded copy (e.g. base64) of hidden code printed by the student is not recognised.
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor

from autograder.contract import BEGIN, ContractError, hidden_code, strip_hidden
from autograder.scrub import REDACTED, scrub, scrub_notebook

__all__ = ["REDACTED", "HideHiddenTests", "hidden_code_lines", "hide_cell", "scrub",
           "scrub_notebook", "strip_hidden_tests"]

HIDDEN_NOTE = "# (hidden tests)"


def strip_hidden_tests(source: str) -> str:
    """Replace each hidden-test region of a grade cell's source by a one-line note.

    Markers that do not form closed regions hide the whole cell: never guess and leak.
    """
    try:
        return strip_hidden(source, HIDDEN_NOTE)
    except ContractError:
        return HIDDEN_NOTE


def hide_cell(cell) -> None:
    """Strip hidden tests from a grade cell and reduce its error tracebacks to one line."""
    cell.source = strip_hidden_tests(cell.source)
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]


def hidden_code_lines(notebook, minimum: int = 12) -> list[str]:
    """Lines of the hidden regions of a notebook's grade cells, longest first."""
    lines = set()
    for cell in notebook.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade") and BEGIN in cell.source:
            try:
                code = hidden_code(cell.source)
            except ContractError:
                code = cell.source.splitlines()  # bad markers: treat every line as hidden
            lines.update(line.strip() for line in code if len(line.strip()) >= minimum)
    return sorted(lines, key=len, reverse=True)


class HideHiddenTests(Preprocessor):
    """Remove hidden test code and tracebacks from grade cells, and hidden code from outputs.

    Only cells marked as grade cells have their source changed; their source comes from
    the instructor's notebook after autograding, so student text never confuses the
    markers.
    """

    def preprocess(self, nb, resources):
        leaks = hidden_code_lines(nb)
        nb, resources = super().preprocess(nb, resources)
        scrub_notebook(nb, leaks)
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and nbgrader.get("grade"):
            hide_cell(cell)
        return cell, resources
