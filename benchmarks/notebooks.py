"""Measurements in fresh processes: imports, kernel start, whole notebooks, grading.

Each notebook runs in a fresh Jupyter kernel (as a student or the grader runs it),
in a temporary copy of its folder. CPU seconds of the kernel are read from the
resource usage of finished child processes.
"""

from __future__ import annotations

import importlib.util
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from benchmarks.budgets import BUDGETS, TOLERANCE, cell_seconds, execution_seconds
from benchmarks.measure import load, median
from cnnkit.cpu import cpu_kind

REPO = Path(__file__).resolve().parent.parent
SETUP_CELL = "import keras\nfrom keras import layers\n\nimport cnnkit\n\ncnnkit.set_seed(0)\n"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def notebook_path(assignment: str) -> Path:
    return next((REPO / "source" / assignment).glob("*.ipynb"))


def run_notebook(notebook: nbformat.NotebookNode, folder: Path, timeout: int = 1800) -> dict:
    """Execute `notebook` in a fresh kernel with `folder` as working directory."""
    cpu, start = children_cpu(), time.perf_counter()
    error = None
    try:
        NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
    except CellExecutionError as err:
        error = str(err).strip().splitlines()[-1][:300]
    seconds = time.perf_counter() - start
    executed = execution_seconds(notebook)
    cells = [(i, cell_seconds(c), c.source.strip().splitlines()[0][:60] if c.source else "")
             for i, c in enumerate(notebook.cells) if c.cell_type == "code"]
    timed = [c for c in cells if c[1] is not None]
    return {
        "seconds": seconds, "execution": executed, "cpu": children_cpu() - cpu,
        "kernel_overhead": None if executed is None else seconds - executed,
        "setup_cell": timed[0][1] if timed else None,
        "slowest_cells": sorted(timed, key=lambda c: -c[1])[:3],
        "error": error, "load": load(),
    }


def run_assignment(assignment: str, timeout: int = 1800) -> dict:
    """Execute an assignment's source notebook end to end, in a copy of its folder."""
    path = notebook_path(assignment)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(shutil.copytree(path.parent, Path(scratch) / assignment))
        notebook = nbformat.read(folder / path.name, as_version=4)
        return run_notebook(notebook, folder, timeout)


def kernel(repeats: int = 3) -> dict:
    """Start-up costs: `import X` in a fresh Python, and a kernel running the setup cell."""
    result = {"load": load(), "imports": {}}
    for module in ("numpy", "tensorflow", "keras", "matplotlib.pyplot", "cnnkit"):
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", f"import {module}"], check=True,
                           capture_output=True)
            seconds.append(time.perf_counter() - start)
        result["imports"][module] = median(seconds)
    runs = []
    for _ in range(repeats):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SETUP_CELL)])
        with tempfile.TemporaryDirectory() as scratch:
            runs.append(run_notebook(notebook, Path(scratch)))
    result["kernel_with_setup_cell"] = median([r["seconds"] for r in runs])
    result["setup_cell"] = median([r["setup_cell"] for r in runs])
    result["kernel_start_stop"] = median([r["kernel_overhead"] for r in runs])
    return result


def status(seconds: float, budget: float) -> str:
    if seconds <= budget:
        return "ok"
    return "over budget" if seconds <= TOLERANCE * budget else "REGRESSION"


def notebooks(assignments=None, repeats: int = 1) -> dict:
    """Each reference notebook executed bare and graded, against its budget.

    Bare: the source notebook in a fresh kernel (`run_assignment`). Graded: `python -m
    autograder grade` of the same notebook, sandbox, hidden tests and replay included, which
    is what a budget is for, so `status` compares the graded seconds. Medians of `repeats`
    runs of each, alternating.
    """
    available = sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir())
    chosen = [a for a in available if assignments is None or a in assignments]
    result = {}
    for assignment in chosen:
        _generated_once(assignment)  # a first grading would also generate the assignment
        runs, graded_runs = [], []
        for _ in range(repeats):
            runs.append(run_assignment(assignment))
            graded_runs.append(_autograder_cli(assignment))
        graded = median([r["seconds"] for r in graded_runs])
        summary = graded_runs[-1]["summary"]
        row = {"when": time.strftime("%Y-%m-%d %H:%M"),
               "seconds": median([r["seconds"] for r in runs]), "graded": graded,
               "score": summary.get("score"), "max_score": summary.get("max_score"),
               "runs": runs, "graded_runs": graded_runs,
               "budget": BUDGETS[cpu_kind()].get(assignment)}
        row["status"] = status(graded, row["budget"]) if row["budget"] else "no budget"
        if graded_runs[-1]["returncode"] != 0 or row["max_score"] is None:
            row["status"] = f"NOT GRADED (exit {graded_runs[-1]['returncode']})"
        result[assignment] = row
        print(f"  {assignment}: bare {row['seconds']:.0f} s, graded {graded:.0f} s (score "
              f"{row['score']} of {row['max_score']}; budget {row['budget']} s, {row['status']}, "
              f"load {runs[-1]['load']:.1f})", flush=True)
    return result


def _nbgrader_autograde(assignment: str) -> dict:
    """The test suite's path: a scratch course, nbgrader generate_assignment and autograde."""
    from autograder import course

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        cpu, start = children_cpu(), time.perf_counter()
        course.make_course(root, assignment)
        course.submit(root, assignment, "reference", notebook_path(assignment))
        generated = time.perf_counter()
        course.autograde(root, assignment)
        end = time.perf_counter()
        graded = next((root / "autograded" / "reference" / assignment).glob("*.ipynb"))
        return {"seconds": end - start, "generate_and_submit": generated - start,
                "autograde": end - generated, "execution": execution_seconds(graded),
                "cpu": children_cpu() - cpu, "load": load()}


def _autograder_cli(assignment: str) -> dict:
    """`python -m autograder grade ASSIGNMENT NOTEBOOK --json OUT`, timed."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "result.json"
        command = [sys.executable, "-m", "autograder", "grade", assignment,
                   str(notebook_path(assignment)), "--json", str(out)]
        cpu, start = children_cpu(), time.perf_counter()
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        summary = json.loads(out.read_text()) if out.is_file() else None
        keep = ("status", "score", "max_score", "seconds", "timings")
        # outside: the command's start, course set-up and output, around pipeline.grade
        return {"seconds": seconds, "cpu": children_cpu() - cpu, "returncode": done.returncode,
                "outside": seconds - (summary or {}).get("seconds", 0.0),
                "summary": {k: v for k, v in (summary or {}).items() if k in keep},
                "stderr_tail": done.stderr.strip().splitlines()[-3:], "load": load()}


def _generated_once(assignment: str) -> float:
    """Seconds to fill the autograder's cache of the generated assignment (0 when it is
    filled already): a cost of the first grading after a change of the source only."""
    from autograder.course import Course

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        Course(Path(scratch), REPO / "source", assignment).setup()
    return time.perf_counter() - start


def grading(assignment: str = "01_simple_cnn", repeats: int = 1) -> dict:
    """Grading time of the reference submission against its bare execution, interleaved."""
    cli = importlib.util.find_spec("autograder.__main__") is not None
    result = {"assignment": assignment, "bare": [], "nbgrader": [], "autograder": []}
    if not cli:
        result["note"] = ("`python -m autograder grade` is not available yet "
                          "(no autograder/__main__.py): measured nbgrader autograde only")
    else:
        result["generate_once"] = _generated_once(assignment)
    for _ in range(repeats):
        result["bare"].append(run_assignment(assignment))
        result["nbgrader"].append(_nbgrader_autograde(assignment))
        if cli:
            result["autograder"].append(_autograder_cli(assignment))
    bare = median([r["seconds"] for r in result["bare"]])
    summary = {"bare": bare}
    for key in ("nbgrader", "autograder"):
        if result[key]:
            seconds = median([r["seconds"] for r in result[key]])
            summary[key] = seconds
            summary[f"{key}_ratio"] = seconds / bare
    result["summary"] = summary
    print(f"  grading {assignment}: " + ", ".join(f"{k} {v:.2f}" for k, v in summary.items()),
          flush=True)
    return result
