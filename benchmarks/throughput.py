"""Gradings per hour on this machine against workers x CPUs per grading (`--cpus`).

Each worker is one `python -m autograder grade` process of the reference submission (as
one index of a Kubernetes or Slurm array job is), all started at once. For a machine of
N cores the layouts are W workers of C CPUs with W x C = N (1x2 and 2x1 on 2 cores), and
two references: one grading of 1 CPU alone (the speed every worker of 1 CPU should keep:
CPU-fairness holds when W gradings of C CPUs each take at most 15% longer than one alone),
and N gradings at once without `--cpus` (every TensorFlow kernel sized to all cores).

Efficiency: gradings per hour against N x those of one 1-CPU grading alone, i.e. how
much of perfect scaling per core the layout reaches.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import load, median
from benchmarks.notebooks import REPO, notebook_path

FAIR = 1.15
"""A worker of C CPUs among W is fair when it takes at most this times one grading alone."""


def _start(assignment: str, scratch: Path, cpus: int | None) -> tuple[subprocess.Popen, Path]:
    out = scratch / f"result-{len(list(scratch.iterdir()))}.json"
    command = [sys.executable, "-m", "autograder", "grade", assignment,
               str(notebook_path(assignment)), "--json", str(out)]
    if cpus:
        command += ["--cpus", str(cpus)]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    return process, out


def run_together(assignment: str, workers: int, cpus: int | None) -> dict:
    """`workers` gradings started at once, each with `--cpus cpus` (None: no limit)."""
    with tempfile.TemporaryDirectory(prefix="cnnkit-throughput-") as scratch:
        load_start, start = load(), time.perf_counter()
        started = [(*_start(assignment, Path(scratch), cpus), time.perf_counter())
                   for _ in range(workers)]
        runs = []
        for process, out, began in started:
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            seconds = time.perf_counter() - began
            result = json.loads(out.read_text()) if out.is_file() else {}
            runs.append({"seconds": round(seconds, 2),
                         "cpu": round(usage.ru_utime + usage.ru_stime, 2),
                         "returncode": process.returncode, "score": result.get("score"),
                         "cpu_limit_by": (result.get("isolation") or {}).get("cpu_limit_by"),
                         "stderr_tail": process.stderr.read().strip().splitlines()[-3:]})
            process.stderr.close()
        wall = time.perf_counter() - start
    return {"workers": workers, "cpus": cpus, "wall": round(wall, 2), "runs": runs,
            "per_hour": round(workers * 3600 / wall, 1), "load": load_start}


def throughput(assignment: str = "01_simple_cnn", repeats: int = 1) -> dict:
    """The layouts W x C of this machine's cores, and the two references (module docstring)."""
    cores = os.cpu_count() or 1
    layouts = [(cores // cpus, cpus) for cpus in range(cores, 0, -1) if cores % cpus == 0]
    plan = [("alone, 1 CPU", 1, 1)] + [(f"{w}x{c}", w, c) for w, c in layouts]
    plan.append((f"{cores} at once, no --cpus", cores, None))
    measured: dict[str, list[dict]] = {label: [] for label, _, _ in plan}
    for _ in range(repeats):
        for label, workers, cpus in plan:
            measured[label].append(run_together(assignment, workers, cpus))
            last = measured[label][-1]
            print(f"  throughput {label}: " + ", ".join(f"{r['seconds']:.1f} s"
                                                         for r in last["runs"]), flush=True)
    alone = median([m["runs"][0]["seconds"] for m in measured["alone, 1 CPU"]])
    rows = {}
    for label, workers, cpus in plan:
        runs = measured[label]
        slowest = median([max(r["seconds"] for r in m["runs"]) for m in runs])
        per_hour = median([m["per_hour"] for m in runs])
        rows[label] = {
            "workers": workers, "cpus": cpus, "per_hour": per_hour,
            "seconds": [r["seconds"] for m in runs for r in m["runs"]],
            "slowest_vs_alone": round(slowest / alone, 3),
            "efficiency": round(per_hour / (cores * 3600 / alone), 3),
            "all_graded": all(r["returncode"] == 0 for m in runs for r in m["runs"]),
            "scores": sorted({r["score"] for m in runs for r in m["runs"]}, key=str),
            "cpu_limit_by": runs[-1]["runs"][0]["cpu_limit_by"],
        }
    fair = rows[f"{cores}x1"]["slowest_vs_alone"] <= FAIR
    return {"assignment": assignment, "cores": cores, "alone_1cpu": alone, "rows": rows,
            "fair": fair, "runs": measured}
