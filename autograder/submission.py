"""Reading a submission: reject what is not a notebook of the assignment, tidy the rest.

A submission is untrusted input. It is rejected (with a reason) when it is not a
readable notebook or not a notebook of the assignment. Otherwise it is rebuilt as a
clean nbformat-4 notebook: cells keep their type and source; nbgrader metadata is kept
only on cells whose id belongs to the assignment (first occurrence), and is reset to
the instructor's, so that nbgrader restores every test cell from the gradebook. A test
cell the student deleted, or whose nbgrader metadata they removed, stays missing: it
earns nothing (see `missing_tests`).
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from autograder.hidden import Assignment

MAX_BYTES = 50 * 1024**2
MAKERS = {"code": new_code_cell, "markdown": new_markdown_cell, "raw": new_raw_cell}


class Rejected(Exception):
    """The submission cannot be graded as this assignment; the message says why."""


def _text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    raise Rejected("not a readable notebook: a cell's source is neither text nor lines")


def read_cells(path: Path) -> tuple[list[tuple[str, str, dict]], dict]:
    """(cells as (type, source, nbgrader metadata), notebook metadata); Rejected if unreadable."""
    path = Path(path)
    if not path.is_file():
        raise Rejected(f"not a readable notebook: {path.name} is not a file")
    if path.stat().st_size > MAX_BYTES:
        raise Rejected(f"not a readable notebook: larger than {MAX_BYTES // 1024**2} MiB")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise Rejected("not a readable notebook: the file is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise Rejected(f"not a readable notebook: invalid JSON ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells", data.get("worksheets")),
                                                   list):
        raise Rejected("not a readable notebook: no list of cells")
    try:
        if data.get("nbformat") != 4:
            data = nbformat.convert(nbformat.from_dict(data), 4)
    except Exception as error:  # nbformat raises many kinds for odd old notebooks
        raise Rejected(
            f"not a readable notebook: cannot convert it to nbformat 4 ({error})") from None
    cells = []
    for cell in data.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") not in MAKERS:
            raise Rejected("not a readable notebook: a cell has no valid cell_type")
        metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        nbgrader = metadata.get("nbgrader") if isinstance(metadata.get("nbgrader"), dict) else {}
        cells.append((cell["cell_type"], _text(cell.get("source", "")), nbgrader))
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    return cells, metadata


def similarity(cells: list[tuple[str, str, dict]], assignment: Assignment) -> float:
    """How much of `assignment` is recognisable in the cells: a fraction in [0, 1]."""
    ids = {meta.get("grade_id") for _, _, meta in cells}
    texts = {source.strip() for _, source, _ in cells}
    found = len(ids & set(assignment.cell_ids)) + len(texts & assignment.texts)
    return found / max(1, len(assignment.cell_ids) + len(assignment.texts))


def check_assignment(cells, assignment: Assignment, others: list[Assignment]) -> None:
    """Reject a notebook that is not (or is more like another assignment than) `assignment`."""
    mine = similarity(cells, assignment)
    best = max(others, key=lambda other: similarity(cells, other), default=None)
    if best is not None and best.name != assignment.name and similarity(cells, best) > mine:
        raise Rejected(f"this is a notebook of assignment {best.name}, not {assignment.name}")
    ids = {meta.get("grade_id") for _, _, meta in cells} & set(assignment.cell_ids)
    texts = {source.strip() for _, source, _ in cells} & assignment.texts
    if len(texts) < 0.2 * len(assignment.texts) and len(ids) < 0.5 * len(assignment.cell_ids):
        raise Rejected(f"not a notebook of assignment {assignment.name}: "
                       "too few of its cells are in it")


def rebuild(cells, assignment: Assignment) -> nbformat.NotebookNode:
    """A clean notebook of the cells, with the instructor's nbgrader metadata on known ids."""
    seen, rebuilt = set(), []
    for cell_type, source, meta in cells:
        cell = MAKERS[cell_type](source)
        grade_id = meta.get("grade_id")
        if isinstance(grade_id, str) and grade_id in assignment.metadata and grade_id not in seen:
            seen.add(grade_id)
            source_type, source_meta = assignment.metadata[grade_id]
            if source_type != cell_type:
                cell = MAKERS[source_type](source)
            cell.metadata["nbgrader"] = dict(source_meta)
        rebuilt.append(cell)
    metadata = {"kernelspec": assignment.kernelspec, "language_info": {"name": "python"}}
    return new_notebook(cells=rebuilt, metadata=metadata)


def missing_tests(notebook: nbformat.NotebookNode, assignment: Assignment) -> list[str]:
    """Tests of the assignment that are not in the rebuilt notebook (deleted or un-marked)."""
    present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells}
    return [t.id for t in assignment.tests if t.id not in present]


def prepare(path: Path, assignment: Assignment, others: list[Assignment]):
    """Read, check and rebuild a submission: (notebook, missing test ids). Raises Rejected."""
    try:
        cells, _ = read_cells(path)
        check_assignment(cells, assignment, others)
        notebook = rebuild(cells, assignment)
        nbformat.validate(notebook)
    except Rejected:
        raise
    except Exception as error:  # student input never crashes the grader
        raise Rejected(f"not a readable notebook: {type(error).__name__}: {error}") from None
    return notebook, missing_tests(notebook, assignment)
