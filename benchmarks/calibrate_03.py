"""Calibrate the thresholds of 03_mlp_vs_cnn: the notebook's training code, seed by seed.

    python -m benchmarks.calibrate_03 --seeds 0 1 2 3 4 [--parts mlp sweep conv]

Running the whole notebook once per seed (`benchmarks.calibrate`) would not vary the
sweep and the CNN: the sweep seeds its replicates itself, which also fixes the random
state the CNN starts from. This script runs the reference solution's own code instead
(its solution cells, read from source/03_mlp_vs_cnn), seeding each part with the given
seed:

- mlp: the 784-64-64-10 MLP (cells `build_mlp`, `train_mlp`);
- sweep: the 500-300 MLP at each of the five L2 factors (cells `regularized_mlp`, `sweep`),
  with the sweep's replicate seeds replaced by the given seed;
- conv: the reference CNN (cell `conv_model`).

Every model is measured on the trusted test set. The result, with timings and the load
average, goes to `benchmarks/calibration/03_mlp_vs_cnn.json`; suggested thresholds are
1.5 points below the lowest accuracy, rounded down to a whole point.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import keras
import numpy as np
from keras import layers

import cnnkit
from benchmarks.calibrate import load_average, solution_code, write_record
from cnnkit import grading

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "03_mlp_vs_cnn"
PARTS = {  # part -> (solution cells, the model it trains)
    "mlp": (("build_mlp", "train_mlp"), "mlp_model"),
    "sweep": (("regularized_mlp", "sweep"), None),
    "conv": (("conv_model",), "conv_model"),
}
SWEEP_SEEDS = "seeds=[1, 2, 3]"


def data() -> dict:
    """The notebook's variables that its solution cells read."""
    (x_train, y_train), (x_test, y_test) = cnnkit.load_dataset("mnist")
    x, y = cnnkit.to_model_input(x_train), keras.utils.to_categorical(y_train, 10)
    return {"keras": keras, "layers": layers, "np": np, "cnnkit": cnnkit,
            "x_fit": x[:-5000], "y_fit": y[:-5000], "x_val": x[-5000:], "y_val": y[-5000:],
            "x_test_prepared": cnnkit.to_model_input(x_test),
            "y_test_onehot": keras.utils.to_categorical(y_test, 10), "y_test": y_test}


def run_part(part: str, seed: int, variables: dict) -> dict:
    """Run the solution cells of `part` from `seed`; the trained model's test accuracy."""
    cells, model_name = PARTS[part]
    code = solution_code(ASSIGNMENT, *cells)
    if part == "sweep":
        if SWEEP_SEEDS not in code:
            raise ValueError(f"the sweep cell no longer says {SWEEP_SEEDS}: update this script")
        code = code.replace(SWEEP_SEEDS, f"seeds=[{seed}]")
    namespace = dict(variables)
    cnnkit.set_seed(seed)
    start = time.perf_counter()
    exec(code, namespace)
    seconds = round(time.perf_counter() - start, 1)
    if part == "sweep":
        factors = [f"{f:.2e}" for f in namespace["l2_factors"]]
        return {"accuracy": dict(zip(factors, namespace["sweep"]["test_accuracy"])),
                "seconds": seconds}
    return {"accuracy": grading.measure_test_accuracy(namespace[model_name], "mnist"),
            "seconds": seconds}


def _summary(values: list[float]) -> dict:
    lowest = min(values)
    return {"min": lowest, "max": max(values), "mean": float(np.mean(values)),
            "suggested_threshold": math.floor((lowest - 0.015) * 100) / 100}


def summarize(runs: list[dict], parts: list[str]) -> dict:
    summary = {}
    if "mlp" in parts:
        summary["mlp_64_64"] = _summary([r["mlp"]["accuracy"] for r in runs])
    if "sweep" in parts:
        by_factor = [list(r["sweep"]["accuracy"].values()) for r in runs]
        factors = list(runs[0]["sweep"]["accuracy"])
        summary["mlp_500_300_sweep_every_run"] = _summary([a for row in by_factor for a in row])
        summary["mlp_500_300_sweep_mean_by_factor"] = dict(
            zip(factors, np.mean(by_factor, axis=0).tolist()))
        summary["mlp_500_300_sweep_std_by_factor"] = dict(
            zip(factors, np.std(by_factor, axis=0).tolist()))
    if "conv" in parts:
        summary["conv"] = _summary([r["conv"]["accuracy"] for r in runs])
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--parts", nargs="+", default=list(PARTS), choices=list(PARTS))
    parser.add_argument("--out", type=Path,
                        default=REPO / "benchmarks" / "calibration" / f"{ASSIGNMENT}.json")
    args = parser.parse_args(argv)
    cnnkit.use_fast_settings()  # as the notebook's setup cell does
    variables = data()
    runs = []
    for seed in args.seeds:
        run = {"seed": seed, "loadavg_before": load_average()}
        for part in args.parts:
            run[part] = run_part(part, seed, variables)
        run["loadavg_after"] = load_average()
        runs.append(run)
        print(json.dumps(run), flush=True)
    write_record(args.out, {
        "assignment": ASSIGNMENT,
        "dataset": "mnist",
        "code": {part: solution_code(ASSIGNMENT, *PARTS[part][0]) for part in args.parts},
        "runs": runs,
    }, summarize(runs, args.parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
