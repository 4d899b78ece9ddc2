"""Calibrate 04's two short experiments over seeds: over/underfitting and batch normalisation.

    python -m benchmarks.calibrate_04_experiments --seeds 0 1 2 3 4

Runs exactly the notebook's code, taken from the reference notebook
(source/04_learning_curves): the cell that defines `build_fit_cnn` and its settings, the
`fit_runs` solution cell (`cnnkit.experiments.compare_runs`), and the cell that defines
`build_bn_cnn` and runs it. For every run it records the accuracy on its training images
and on the validation images, the label `cnnkit.experiments.fit_label` gives it, and the
seconds. The summary gives, per run, the range over the seeds and its margin: how far
the closest seed stays from the thresholds of `fit_label` (positive: on the right side of
both). Writes `benchmarks/calibration/04_learning_curves.experiments.json`; each run is
tagged with the kernels it ran with (`calibrate_04.kernels`), and the summary covers the
runs of every kind, so runs natively and under the AVX2 approximation stand together.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import keras
import nbformat
import numpy as np
from keras import layers

import cnnkit
from benchmarks.calibrate import load_average, solution_code, write_record
from benchmarks.calibrate_04 import kernels
from cnnkit.experiments import OVERFIT_GAP, UNDERFIT_BELOW, fit_label

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "04_learning_curves"
OUT = REPO / "benchmarks" / "calibration" / f"{ASSIGNMENT}.experiments.json"
FIT_CELL = "def build_fit_cnn("
BN_CELL = "def build_bn_cnn("


def given_code(marker: str) -> str:
    """The source of the reference notebook's one code cell that contains `marker`."""
    path = next((REPO / "source" / ASSIGNMENT).glob("*.ipynb"))
    cells = [cell.source for cell in nbformat.read(path, as_version=4).cells
             if cell.cell_type == "code" and marker in cell.source]
    if len(cells) != 1:
        raise ValueError(f"expected one code cell with {marker!r} in {path}, found {len(cells)}")
    return cells[0]


def _brief(runs: dict) -> dict:
    """The runs without their per-epoch history, each with its label."""
    return {name: {**{k: v for k, v in run.items() if k != "history"},
                   "label": fit_label(run["train_accuracy"], run["val_accuracy"])}
            for name, run in runs.items()}


def run_once(seed: int) -> dict:
    """Both experiments of the notebook, from `seed`."""
    (x_train, y_train), _ = cnnkit.load_dataset("mnist")
    namespace = {"keras": keras, "layers": layers, "np": np, "cnnkit": cnnkit,
                 "y_train": y_train, "x_train_prepared": cnnkit.to_model_input(x_train)}
    record = {"seed": seed, "kernels": kernels(), "load_before": load_average()}
    cnnkit.set_seed(seed)
    start = time.perf_counter()
    exec(given_code(FIT_CELL), namespace)
    exec(solution_code(ASSIGNMENT, "fit_runs"), namespace)
    record["fit_seconds"] = round(time.perf_counter() - start, 1)
    record["fit_runs"] = _brief(namespace["fit_runs"])
    cnnkit.set_seed(seed)
    start = time.perf_counter()
    exec(given_code(BN_CELL), namespace)
    record["bn_seconds"] = round(time.perf_counter() - start, 1)
    record["bn_runs"] = _brief(namespace["bn_runs"])
    record["bn_history"] = {name: run["history"] for name, run in namespace["bn_runs"].items()}
    record["load_after"] = load_average()
    return record


def margin(run: dict) -> float:
    """How far a run stays from the thresholds that would change its label (>= 0: not at all)."""
    train, gap = run["train_accuracy"], run["train_accuracy"] - run["val_accuracy"]
    if run["label"] == "underfit":
        return UNDERFIT_BELOW - train
    level = train - UNDERFIT_BELOW
    return min(level, gap - OVERFIT_GAP if run["label"] == "overfit" else OVERFIT_GAP - gap)


def summarise(runs: list[dict], key: str) -> dict:
    """Per run name: ranges of accuracies and gap, the labels over the seeds, the margin."""
    summary = {}
    for name in runs[0][key]:
        rows = [run[key][name] for run in runs]
        train = [r["train_accuracy"] for r in rows]
        val = [r["val_accuracy"] for r in rows]
        gap = [round(t - v, 4) for t, v in zip(train, val)]
        summary[name] = {
            "train_accuracy_min": min(train), "train_accuracy_max": max(train),
            "val_accuracy_min": min(val), "val_accuracy_max": max(val),
            "gap_min": min(gap), "gap_max": max(gap),
            "labels": sorted({r["label"] for r in rows}),
            "margin": round(min(margin(r) for r in rows), 4),
            "seconds_min": min(r["seconds"] for r in rows),
            "seconds_max": max(r["seconds"] for r in rows),
        }
    return summary


def seconds_by_kernels(runs: list[dict], key: str) -> dict:
    """Kernels -> the seconds `key` of the runs with those kernels, seed by seed."""
    kinds = sorted({r["kernels"] for r in runs})
    return {kind: [r[key] for r in runs if r["kernels"] == kind] for kind in kinds}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4],
                        help="seeds to (re)run; none: only summarise the recorded runs")
    args = parser.parse_args(argv)
    cnnkit.use_fast_settings()  # as the notebook's setup cell does
    previous = json.loads(OUT.read_text()) if OUT.is_file() else {}
    runs = [r for r in previous.get("runs", [])
            if (r["seed"], r["kernels"]) not in {(seed, kernels()) for seed in args.seeds}]
    for seed in args.seeds:
        runs.append(run_once(seed))
        print(json.dumps({k: v for k, v in runs[-1].items() if k != "bn_history"}), flush=True)
    runs.sort(key=lambda r: (r["kernels"], r["seed"]))
    for run in runs:  # labels by the current rule, also for runs recorded before a change
        for key in ("fit_runs", "bn_runs"):
            for row in run[key].values():
                row["label"] = fit_label(row["train_accuracy"], row["val_accuracy"])
    summary = {
        "seeds": len(runs),
        "rule": {"underfit_below": UNDERFIT_BELOW, "overfit_gap": OVERFIT_GAP},
        "fit_runs": summarise(runs, "fit_runs"),
        "bn_runs": summarise(runs, "bn_runs"),
        "fit_seconds": seconds_by_kernels(runs, "fit_seconds"),
        "bn_seconds": seconds_by_kernels(runs, "bn_seconds"),
    }
    write_record(OUT, {
        "assignment": ASSIGNMENT,
        "dataset": "mnist",
        "what": "04's over/underfitting runs (labelled by cnnkit.experiments.fit_label) and "
                "batch-normalisation runs: accuracy on their training images and on the "
                "validation images (the last 2,000 training images) after training",
        "runs": runs,
    }, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
