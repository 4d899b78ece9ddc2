"""Time budgets of the reference notebooks, and the time a notebook's execution took.

A budget is for the whole reference notebook, executed by the grader on 2 cores, and
depends on the kind of CPU (`cnnkit.cpu.cpu_kind`): CPUs with AVX2 but no AVX-512 (most
laptops) train the course's models several times slower than those with AVX-512, so
their budgets are twice as long. A run is a regression when it exceeds its budget by
more than `TOLERANCE` (50%): shared machines are noisy, and a test must not flake on noise.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import nbformat

AVX2_BUDGETS = {  # seconds, whole reference notebook
    "01_simple_cnn": 60,
    "02_variants": 4 * 60,
    "03_mlp_vs_cnn": 4 * 60,
    "04_learning_curves": 4 * 60,
    "05_compact_cnn": 4 * 60,
}
AVX512_BUDGETS = {assignment: seconds // 2 for assignment, seconds in AVX2_BUDGETS.items()}
BUDGETS = {  # by CPU kind, as `cnnkit.cpu.cpu_kind` names them
    "avx512-bf16": AVX512_BUDGETS,
    "avx512": AVX512_BUDGETS,
    "avx2": AVX2_BUDGETS,
    "other": AVX2_BUDGETS,
}
TOLERANCE = 1.5


def budget(assignment: str, kind: str | None = None) -> float:
    """The budget of `assignment` in seconds on CPUs of `kind` (default: this CPU's kind)."""
    if kind is None:
        from cnnkit.cpu import cpu_kind

        kind = cpu_kind()
    if kind not in BUDGETS:
        raise ValueError(f"no time budgets for CPU kind {kind!r}; known: {', '.join(BUDGETS)}")
    if assignment not in BUDGETS[kind]:
        raise ValueError(f"no time budget for {assignment!r}; known: {', '.join(BUDGETS[kind])}")
    return BUDGETS[kind][assignment]


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
