"""Feedback in a student's repository: the notebook's visible checks, scored for Classroom.

The student's repository holds the student notebook (hidden tests stripped by nbgrader),
so this runs only what the student sees: it executes the notebook in the repository's
own Python (`run`), scores each autograded grade cell as nbgrader would from its outputs
(`nbgrader.utils.determine_grade`: an error or stderr output earns 0), and describes the
scores in the result format of GitHub Classroom's graders (`runner_result`), which
Classroom's grading reporter (classroom-resources/autograding-grading-reporter) reads
from the environment variable `<RUNNER ID>_RESULTS`, base64-encoded JSON:

    {"version": 1, "status": "pass" | "fail" | "error", "max_score": points,
     "tests": [{"name", "status", "score", "message", "test_code", "filename",
                "line_no", "duration"}]}

Each grade cell is one runner (its grade id in capitals is the variable's prefix), so the
reporter's per-runner table and its "Points X/Y" notice, which Classroom records, agree.
These points are feedback: the hidden tests are not here. Grades of record come from the
instructor's side (`python -m autograder batch`).
"""

from __future__ import annotations

import base64
import json
import math
import re
import time
from pathlib import Path

KERNEL_ARGUMENTS = ["--IPKernelApp.capture_fd_output=False"]  # as nbgrader_config.py


def find_notebooks(root: Path) -> list[Path]:
    """Notebooks under `root` that have autograded grade cells (checkpoints excluded)."""
    found = []
    for path in sorted(Path(root).rglob("*.ipynb")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        try:
            cells = json.loads(path.read_text()).get("cells", [])
        except (OSError, ValueError):
            continue
        if any(_autograded(c) for c in cells):
            found.append(path)
    return found


def _autograded(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution") and cell.get("cell_type") == "code"


def run(path: Path, timeout: int, cell_timeout: int):
    """Execute the notebook at `path` in its folder; (notebook, {cell index: seconds}, note).

    Errors do not stop the run. Once `timeout` seconds have passed, or a cell took longer
    than `cell_timeout`, the remaining cells are not run and `note` says so.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=cell_timeout, allow_errors=True,
                            kernel_name="python3", extra_arguments=KERNEL_ARGUMENTS,
                            resources={"metadata": {"path": str(Path(path).parent)}})
    started, seconds, note = time.monotonic(), {}, ""
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            left = timeout - (time.monotonic() - started)
            if left <= 0:
                note = f"the notebook ran out of its {timeout} s; later cells did not run"
                break
            client.timeout = max(1, math.ceil(min(cell_timeout, left)))
            begun = time.monotonic()
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                note = f"cell {index + 1} ran out of time; later cells did not run"
                break
            except DeadKernelError:
                note = f"the kernel died in cell {index + 1}; later cells did not run"
                break
            finally:
                seconds[index] = time.monotonic() - begun
    return notebook, seconds, note


def _message(cell) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return "wrote to stderr (nbgrader scores that 0): " + output.get("text", "")[:300]
    return ""


def runner_results(notebook, seconds: dict[int, float], filename: str,
                   note: str = "") -> dict[str, dict]:
    """{runner id: Classroom runner result} for every autograded grade cell of `notebook`.

    A cell that was not executed (after a timeout) fails with `note` as its message.
    """
    from nbgrader.utils import determine_grade

    runners = {}
    for index, cell in enumerate(notebook.cells):
        if not _autograded(cell):
            continue
        grade_id = cell.metadata.nbgrader["grade_id"]
        if index in seconds:
            score, max_score = determine_grade(cell)
            message = _message(cell)
        else:
            score, max_score = 0.0, float(cell.metadata.nbgrader["points"])
            message = note or "not run"
        status = "pass" if score == max_score else "fail"
        runners[runner_id(grade_id)] = {
            "version": 1, "status": status, "max_score": max_score,
            "tests": [{"name": grade_id, "status": status, "score": score,
                       "message": message or ("passed" if status == "pass" else ""),
                       "test_code": cell.source, "filename": filename,
                       "line_no": 0, "duration": round(seconds.get(index, 0.0) * 1000)}]}
    return runners


def error_result(name: str, message: str, max_score: float = 0.0) -> dict[str, dict]:
    """One runner saying why the checks could not run (Classroom shows it as an error)."""
    return {runner_id(name): {
        "version": 1, "status": "error", "max_score": max_score,
        "tests": [{"name": name, "status": "error", "score": 0, "message": message,
                   "test_code": "", "filename": "", "line_no": 0, "duration": 0}]}}


def runner_id(name: str) -> str:
    """A step-id-like runner name: letters, digits and underscores."""
    return re.sub(r"[^A-Za-z0-9_]", "_", name) or "checks"


def encode(result: dict) -> str:
    """A runner result as the graders output it: base64 of its JSON."""
    return base64.b64encode(json.dumps(result).encode()).decode()


def points(runners: dict[str, dict]) -> tuple[float, float]:
    """(total, max) exactly as the reporter's notice to Classroom sums them."""
    total = sum(t["score"] for r in runners.values() if r["max_score"] for t in r["tests"])
    return total, sum(r["max_score"] for r in runners.values() if r["max_score"])
