"""Time budgets of the reference notebooks, and the time a notebook's execution took.

The budgets are CURRICULUM.md's: the whole reference notebook on the 2-core machine.
A run is a regression when it exceeds its budget by more than `TOLERANCE` (50%):
shared machines are noisy, and a test must not flake on noise.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import nbformat

BUDGETS = {  # seconds, whole reference notebook
    "01_simple_cnn": 90,
    "02_variants": 5 * 60,
    "03_mlp_vs_cnn": 6 * 60,
    "04_learning_curves": 4 * 60,
}
TOLERANCE = 1.5


def budget(assignment: str) -> float:
    """The budget of `assignment` in seconds."""
    if assignment not in BUDGETS:
        raise ValueError(f"no time budget for {assignment!r}; known: {', '.join(BUDGETS)}")
    return BUDGETS[assignment]


def _stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def cell_seconds(cell) -> float | None:
    """How long a code cell ran, from the timing nbclient records in its metadata."""
    timing = cell.get("metadata", {}).get("execution", {})
    start = timing.get("iopub.execute_input") or timing.get("iopub.status.busy")
    end = timing.get("shell.execute_reply") or timing.get("iopub.status.idle")
    if not (start and end):
        return None
    return (_stamp(end) - _stamp(start)).total_seconds()


def execution_seconds(notebook: Path | nbformat.NotebookNode) -> float | None:
    """Seconds from the start of the first code cell to the end of the last one.

    Read from the timestamps nbclient (and so nbgrader) writes into each executed cell;
    kernel start-up is not included. None when the notebook carries no timing.
    """
    if not isinstance(notebook, nbformat.NotebookNode):
        notebook = nbformat.read(notebook, as_version=4)
    stamps = []
    for cell in notebook.cells:
        timing = cell.get("metadata", {}).get("execution", {})
        for key in ("iopub.status.busy", "iopub.execute_input", "shell.execute_reply",
                    "iopub.status.idle"):
            if key in timing:
                stamps.append(_stamp(timing[key]))
    if len(stamps) < 2:
        return None
    return (max(stamps) - min(stamps)).total_seconds()
