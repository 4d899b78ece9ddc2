"""Feedback without hidden tests: an nbconvert preprocessor for `nbgrader generate_feedback`."""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor

BEGIN = "### BEGIN HIDDEN TESTS"
END = "### END HIDDEN TESTS"


def strip_hidden_tests(source: str) -> str:
    """Replace each hidden-test region of a grade cell's source by a one-line note."""
    lines, hidden = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            hidden = True
            lines.append(line.replace(BEGIN, "# (hidden tests)"))
        elif stripped == END:
            hidden = False
        elif not hidden:
            lines.append(line)
    return "\n".join(lines)


def hide_cell(cell) -> None:
    """Strip hidden tests from a grade cell and reduce its error tracebacks to one line."""
    cell.source = strip_hidden_tests(cell.source)
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]


class HideHiddenTests(Preprocessor):
    """Remove hidden test code and tracebacks from every grade cell.

    Only cells marked as grade cells are touched; their source comes from the
    instructor's notebook after autograding, so student text never confuses the
    markers.
    """

    def preprocess_cell(self, cell, resources, index):
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and nbgrader.get("grade"):
            hide_cell(cell)
        return cell, resources
