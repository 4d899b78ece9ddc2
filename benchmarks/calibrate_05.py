"""Calibrate assignment 05: test accuracy and parameters of the compact CNN, over seeds.

    python -m benchmarks.calibrate_05 --seeds 0 1 2 3 4
    python -m benchmarks.calibrate_05 --seeds 0 1 2 --epochs 15   # what longer training reaches
    python -m benchmarks.calibrate_05 --seeds 0 --kernels         # also the kernel-size sweep

Runs exactly the notebook's code, taken from the reference notebook
(source/05_compact_cnn): its `build_compact_cnn` solution cell, then its `train_compact`
cell (schedule, epochs, batch size, `cnnkit.train` on the first 55,000 training images
with the last 5,000 as validation data), and with `--kernels` its `kernel_sizes` cell.
Each compact model is measured on the trusted test set by
`cnnkit.grading.measure_test_accuracy`. Writes every run (accuracy, parameters,
seconds, seconds per epoch, history, load average: the machine may be shared) and the
summary (the suggested threshold, 1.5 points below the lowest accuracy rounded down to
a tenth of a point, and how many seeds reach 0.994) to
`benchmarks/calibration/05_compact_cnn.json`, or `05_compact_cnn.<N>_epochs.json` with
`--epochs`. `--images N` trains on the first N images only: a smoke test of this
script, written to `05_compact_cnn.smoke.json`.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import time
from pathlib import Path

import keras
import numpy as np
from keras import layers

import cnnkit
from benchmarks.calibrate import load_average, solution_code, write_record
from cnnkit import grading

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "05_compact_cnn"
EPOCHS_LINE = re.compile(r"^EPOCHS, BATCH_SIZE = \d+, (\d+)$", re.MULTILINE)


def training_code(epochs: int | None) -> str:
    """The notebook's build and training code, with `epochs` instead of its own if given."""
    code = solution_code(ASSIGNMENT, "build_compact_cnn")
    code += "\ncompact_model = build_compact_cnn()\n"
    train = solution_code(ASSIGNMENT, "train_compact")
    if epochs is not None:
        train, count = EPOCHS_LINE.subn(rf"EPOCHS, BATCH_SIZE = {epochs}, \1", train)
        if count != 1:
            raise ValueError("the train_compact cell no longer sets `EPOCHS, BATCH_SIZE = ...`")
    return code + train


def _namespace(images: int | None) -> dict:
    (x_train, y_train), _ = cnnkit.load_dataset("mnist")
    x, y = cnnkit.to_model_input(x_train), keras.utils.to_categorical(y_train, 10)
    fit = slice(0, images or 55000)
    return {"keras": keras, "layers": layers, "np": np, "cnnkit": cnnkit,
            "x_fit": x[fit], "y_fit": y[fit], "x_val": x[55000:], "y_val": y[55000:]}


def run_once(seed: int, epochs: int | None, images: int | None, kernels: bool) -> dict:
    """Build and train the notebook's compact CNN from `seed`; measure it on the test set."""
    cnnkit.set_seed(seed)
    namespace = _namespace(images)
    load_before = load_average()
    start = time.perf_counter()
    exec(training_code(epochs), namespace)
    seconds = time.perf_counter() - start
    model, record = namespace["compact_model"], namespace["compact_record"]
    run = {
        "seed": seed,
        "accuracy": grading.measure_test_accuracy(model, "mnist"),
        "params": int(model.count_params()),
        "epochs": record.epochs,
        "batch_size": record.batch_size,
        "images": len(namespace["x_fit"]),
        "seconds": round(seconds, 1),
        "epoch_seconds": [round(s, 1) for s in record.epoch_seconds],
        "history": record.history,
        "load_before": load_before,
        "load_after": load_average(),
    }
    if kernels:
        start = time.perf_counter()
        exec(solution_code(ASSIGNMENT, "kernel_sizes"), namespace)
        run["kernel_sweep"] = {key: column for key, column in namespace["kernel_sweep"].items()
                              if key != "model"}
        run["kernel_sweep_seconds"] = round(time.perf_counter() - start, 1)
    return run


def summarise(runs: list[dict]) -> dict:
    accuracies = [r["accuracy"] for r in runs]
    lowest = min(accuracies)
    later = [s for r in runs for s in r["epoch_seconds"][1:]] or [
        s for r in runs for s in r["epoch_seconds"]]
    return {
        "seeds": len(runs),
        "min": lowest,
        "max": max(accuracies),
        "mean": round(sum(accuracies) / len(accuracies), 4),
        "reach_0.994": sum(a >= 0.994 for a in accuracies),
        "params": sorted({r["params"] for r in runs}),
        "seconds_per_epoch": [min(later), max(later)],  # without the first, which builds
        "suggested_threshold": math.floor((lowest - 0.015) * 1000 + 1e-9) / 1000,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4],
                        help="seeds to (re)run; none: only summarise the recorded runs")
    parser.add_argument("--epochs", type=int, help="train this many epochs, not the notebook's")
    parser.add_argument("--kernels", action="store_true", help="also run the kernel-size sweep")
    parser.add_argument("--images", type=int, help="smoke test: train on this many images")
    args = parser.parse_args(argv)
    cnnkit.use_fast_settings()  # as the notebook's setup cell does
    name = ASSIGNMENT + (".smoke" if args.images else
                         f".{args.epochs}_epochs" if args.epochs else "")
    out = REPO / "benchmarks" / "calibration" / f"{name}.json"
    previous = json.loads(out.read_text()) if out.is_file() else {}
    runs = [r for r in previous.get("runs", []) if r["seed"] not in args.seeds]
    for seed in args.seeds:
        runs.append(run_once(seed, args.epochs, args.images, args.kernels))
        print(json.dumps({k: v for k, v in runs[-1].items() if k != "history"}), flush=True)
    if not runs:
        raise SystemExit(f"no runs recorded in {out.relative_to(REPO)}: give --seeds")
    runs.sort(key=lambda r: r["seed"])
    summary = summarise(runs)
    write_record(out, {
        "assignment": ASSIGNMENT,
        "dataset": "mnist",
        "what": "test accuracy of the notebook's compact CNN (the model of "
                "test_compact_accuracy), trained as its train_compact cell does",
        "runs": runs,
    }, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
