"""Calibrate assignment 04: test accuracy of the full-data CNN of the learning curve, over seeds.

    python -m benchmarks.calibrate_04 --seeds 0 1 2 3 4 5 6 7
    python -m benchmarks.calibrate_04 --seeds 0 --curve   # every size of the notebook
    python -m benchmarks.calibrate_04 --steps 1000 --batch-size 128   # longer training

Runs exactly the notebook's training code, taken from the reference notebook
(source/04_learning_curves): its `build_cnn` solution cell (network, optimizer, STEPS,
BATCH_SIZE) and, with `--curve`, its `subsets` cell, through
`cnnkit.experiments.learning_curve`. Without `--curve` only the 60,000-image model is
trained, which is the one the threshold applies to. Each model is measured on the
trusted test set by `cnnkit.grading.measure_test_accuracy`. Writes every run, its
seconds and the load average (the machine may be shared), and the suggested threshold
(at least 1.5 points below the lowest accuracy, rounded down to a tenth of a point) to
`benchmarks/calibration/04_learning_curves.json`.

With `--steps` and `--batch-size` the full-data model trains with that budget instead of
the notebook's (what longer training reaches, which the text quotes), and the runs go to
`04_learning_curves.<steps>_steps.json`.

With `--curve` the runs go to `04_learning_curves.curve.json` instead, each tagged with
the kernels it ran with (`kernels`: the CPU kind the kit chose, and `ONEDNN_MAX_CPU_ISA`
when set, as under the AVX2 approximation of benchmarks/README.md), so runs of both
kinds of CPU stand side by side. Its summary adds the largest drop of test accuracy from
a smaller size to a larger one, which `cnnkit.checks.check_learning_curve` tolerates.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import keras
import numpy as np
from keras import layers

import cnnkit
from benchmarks.calibrate import load_average, solution_code, write_record
from cnnkit import grading

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "04_learning_curves"
OUT = REPO / "benchmarks" / "calibration" / f"{ASSIGNMENT}.json"
OUT_CURVE = REPO / "benchmarks" / "calibration" / f"{ASSIGNMENT}.curve.json"


def kernels() -> str:
    """Which kernels this process trains with: the kit's CPU kind, and oneDNN's ISA limit."""
    limit = os.environ.get("ONEDNN_MAX_CPU_ISA")
    return cnnkit.cpu.cpu_kind() + (f", ONEDNN_MAX_CPU_ISA={limit}" if limit else "")


def largest_drop(test_accuracy: list) -> float:
    """How far the test accuracy of a size falls below the best of the smaller sizes."""
    return max([0.0] + [max(test_accuracy[:i]) - test_accuracy[i]
                        for i in range(1, len(test_accuracy))])


def suggested_threshold(accuracies: list) -> float:
    """1.5 points below the lowest accuracy, rounded down to a tenth of a point."""
    return math.floor((min(accuracies) - 0.015) * 1000 + 1e-9) / 1000


def write_curve_record(new_runs: list) -> None:
    """Merge `new_runs` (with their `kernels`) into the curve record and summarise it."""
    previous = json.loads(OUT_CURVE.read_text()) if OUT_CURVE.is_file() else {}
    replaced = {(r["seed"], r["kernels"]) for r in new_runs}
    runs = [r for r in previous.get("runs", []) if (r["seed"], r["kernels"]) not in replaced]
    runs = sorted(runs + new_runs, key=lambda r: (r["kernels"], r["seed"]))
    summary = {}
    for kind in dict.fromkeys(r["kernels"] for r in runs):
        own = [r for r in runs if r["kernels"] == kind]
        accuracies = [r["full_data_accuracy"] for r in own]
        summary[kind] = {
            "seeds": len(own), "min": min(accuracies), "max": max(accuracies),
            "largest_drop": round(max(largest_drop(r["table"]["test_accuracy"]) for r in own), 4),
            "suggested_threshold": suggested_threshold(accuracies),
        }
    write_record(OUT_CURVE, {
        "assignment": ASSIGNMENT,
        "dataset": "mnist",
        "what": "the notebook's whole learning curve (its subsets cell and build_cnn), per "
                "seed: test accuracy of every size, and of the full-data model",
        "runs": runs,
    }, summary)


def run_once(seed: int, curve: bool, budget: dict | None = None) -> dict:
    """Train the notebook's CNN on all sizes (`curve`) or on all data only, from `seed`;
    `budget` (`{"STEPS": ..., "BATCH_SIZE": ...}`) replaces the notebook's."""
    cnnkit.set_seed(seed)
    (x_train, y_train), (x_test, y_test) = cnnkit.load_dataset("mnist")
    namespace = {"keras": keras, "layers": layers, "np": np, "cnnkit": cnnkit,
                 "y_train": y_train}
    exec(solution_code(ASSIGNMENT, "subsets", "build_cnn"), namespace)
    namespace.update(budget or {})  # build_cnn reads STEPS when it is called
    subsets = namespace["subsets"] if curve else [np.arange(len(y_train))]
    load_before = load_average()
    start = time.perf_counter()
    table, models = cnnkit.experiments.learning_curve(
        namespace["build_cnn"], subsets,
        training_data=(cnnkit.to_model_input(x_train), y_train),
        test_data=(cnnkit.to_model_input(x_test), y_test),
        steps=namespace["STEPS"], batch_size=namespace["BATCH_SIZE"], seed=seed, verbose=0,
    )
    seconds = time.perf_counter() - start
    return {
        "seed": seed,
        "table": table,
        "full_data_accuracy": grading.measure_test_accuracy(models[-1], "mnist"),
        "steps": namespace["STEPS"],
        "batch_size": namespace["BATCH_SIZE"],
        "seconds": round(seconds, 1),
        "load_before": load_before,
        "load_after": load_average(),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4],
                        help="seeds to (re)run; none: only summarise the recorded runs")
    parser.add_argument("--curve", action="store_true", help="train every size, not only 60,000")
    parser.add_argument("--steps", type=int, help="the full-data model's steps (default: STEPS)")
    parser.add_argument("--batch-size", type=int, help="... of this batch size (with --steps)")
    args = parser.parse_args(argv)
    if (args.steps is None) != (args.batch_size is None) or (args.steps and args.curve):
        parser.error("--steps and --batch-size go together, and not with --curve")
    budget = {"STEPS": args.steps, "BATCH_SIZE": args.batch_size} if args.steps else None
    out = OUT.with_name(f"{ASSIGNMENT}.{args.steps}_steps.json") if budget else OUT
    cnnkit.use_fast_settings()  # as the notebook's setup cell does
    if args.curve:
        new_runs = []
        for seed in args.seeds:
            new_runs.append({**run_once(seed, curve=True), "kernels": kernels()})
            print(json.dumps(new_runs[-1]), flush=True)
        write_curve_record(new_runs)
        return 0
    previous = json.loads(out.read_text()) if out.is_file() else {}
    runs = [r for r in previous.get("runs", []) if r["seed"] not in args.seeds]
    for seed in args.seeds:
        runs.append(run_once(seed, curve=False, budget=budget))
        print(json.dumps(runs[-1]), flush=True)
    runs.sort(key=lambda r: r["seed"])
    accuracies = [r["full_data_accuracy"] for r in runs]
    summary = {
        "seeds": len(runs),
        "min": min(accuracies),
        "max": max(accuracies),
        "mean": round(sum(accuracies) / len(accuracies), 4),
        "suggested_threshold": suggested_threshold(accuracies),
    }
    write_record(out, {
        "assignment": ASSIGNMENT,
        "dataset": "mnist",
        "what": "test accuracy of the CNN trained on all 60,000 images with "
                + (f"{args.steps} steps of {args.batch_size} images (longer than the notebook)"
                   if budget else "the notebook's budget (the model of test_full_data_accuracy)"),
        "runs": runs,
    }, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
