"""Calibrate the thresholds of 03_mlp_vs_cnn: the notebook's training code, seed by seed.

    python -m benchmarks.calibrate_03 --seeds 0 1 2 3 4

Running the whole notebook once per seed (`benchmarks.calibrate`) would take about
four minutes per seed and would not vary the sweep and the CNN: the sweep seeds its
replicates itself, which also fixes the random state the CNN starts from. This script
runs exactly the reference solution's training code for each model instead, seeding
each model with the given seed:

- the 784-64-64-10 MLP (SGD 0.1, batch 128, 10 epochs);
- the 500-300 MLP at each of the five L2 factors (SGD 0.1, batch 128, `SWEEP_EPOCHS`);
- the reference CNN, `cnnkit.models.small_convnet` (Adam with a cosine learning-rate
  decay from 3e-3, batch 128, `CONV_EPOCHS`).

Every model trains on the first 55,000 training images, as in the notebook, and is
measured on the trusted test set. The result, with timings and the load average, goes
to `benchmarks/calibration/03_mlp_vs_cnn.json`; suggested thresholds are 1.5 points
below the lowest accuracy, rounded down to a whole point.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from pathlib import Path

import keras
import numpy as np

import cnnkit
from cnnkit import experiments, grading, models

REPO = Path(__file__).resolve().parent.parent
L2_FACTORS = np.logspace(-6, -3, 5)
SWEEP_EPOCHS = 5
CONV_EPOCHS = 12
N_FIT = 55000


def _loadavg() -> str:
    """The 1, 5 and 15 minute load averages, as text."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def build_regularized_mlp(factor: float) -> keras.Model:
    """The notebook's reference: the 500-300 MLP with L2 `factor`, compiled with SGD 0.1."""
    model = models.mlp((500, 300), l2=factor)
    model.compile(loss="categorical_crossentropy",
                  optimizer=keras.optimizers.SGD(learning_rate=0.1), metrics=["accuracy"])
    return model


def train_mlp(seed: int, data: dict) -> dict:
    cnnkit.set_seed(seed)
    model = models.mlp((64, 64))
    model.compile(loss="categorical_crossentropy",
                  optimizer=keras.optimizers.SGD(learning_rate=0.1), metrics=["accuracy"])
    record = cnnkit.train(model, data["x_fit"], data["y_fit"], epochs=10, batch_size=128,
                          validation_data=data["val"], verbose=0)
    return {"accuracy": grading.measure_test_accuracy(model, "mnist"),
            "seconds": round(record.seconds, 1)}


def train_sweep(seed: int, data: dict, epochs: int) -> dict:
    start = time.perf_counter()
    table = experiments.replicated_sweep(
        build_regularized_mlp, L2_FACTORS, seeds=[seed],
        training_data=(data["x_fit"], data["y_fit"]), test_data=data["test"],
        epochs=epochs, batch_size=128, verbose=0,
    )
    return {"accuracy": dict(zip([f"{f:.2e}" for f in L2_FACTORS], table["test_accuracy"])),
            "seconds": round(time.perf_counter() - start, 1)}


def train_conv(seed: int, data: dict, epochs: int) -> dict:
    cnnkit.set_seed(seed)
    model = models.small_convnet()
    steps = epochs * math.ceil(N_FIT / 128)
    schedule = keras.optimizers.schedules.CosineDecay(3e-3, decay_steps=steps, alpha=0.01)
    model.compile(loss="categorical_crossentropy",
                  optimizer=keras.optimizers.Adam(learning_rate=schedule), metrics=["accuracy"])
    record = cnnkit.train(model, data["x_fit"], data["y_fit"], epochs=epochs, batch_size=128,
                          validation_data=data["val"], verbose=0)
    return {"accuracy": grading.measure_test_accuracy(model, "mnist"),
            "seconds": round(record.seconds, 1)}


def _summary(values: list[float]) -> dict:
    lowest = min(values)
    return {"min": lowest, "max": max(values), "mean": float(np.mean(values)),
            "suggested_threshold": math.floor((lowest - 0.015) * 100) / 100}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--parts", nargs="+", default=["mlp", "sweep", "conv"],
                        choices=["mlp", "sweep", "conv"])
    parser.add_argument("--sweep-epochs", type=int, default=SWEEP_EPOCHS)
    parser.add_argument("--conv-epochs", type=int, default=CONV_EPOCHS)
    parser.add_argument("--out", type=Path,
                        default=REPO / "benchmarks" / "calibration" / "03_mlp_vs_cnn.json")
    args = parser.parse_args(argv)
    (x_train, y_train), (x_test, y_test) = cnnkit.load_dataset("mnist")
    x, y = cnnkit.to_model_input(x_train), keras.utils.to_categorical(y_train, 10)
    data = {"x_fit": x[:N_FIT], "y_fit": y[:N_FIT], "val": (x[N_FIT:], y[N_FIT:]),
            "test": (cnnkit.to_model_input(x_test), y_test)}
    runs = []
    for seed in args.seeds:
        run = {"seed": seed, "loadavg_before": _loadavg()}
        if "mlp" in args.parts:
            run["mlp_64_64"] = train_mlp(seed, data)
        if "sweep" in args.parts:
            run["mlp_500_300_sweep"] = train_sweep(seed, data, args.sweep_epochs)
        if "conv" in args.parts:
            run["conv"] = train_conv(seed, data, args.conv_epochs)
        run["loadavg_after"] = _loadavg()
        runs.append(run)
        print(json.dumps(run), flush=True)
    summary = {}
    if "mlp" in args.parts:
        summary["mlp_64_64"] = _summary([r["mlp_64_64"]["accuracy"] for r in runs])
    if "sweep" in args.parts:
        by_factor = [list(r["mlp_500_300_sweep"]["accuracy"].values()) for r in runs]
        summary["mlp_500_300_sweep_every_run"] = _summary([a for row in by_factor for a in row])
        summary["mlp_500_300_sweep_mean_by_factor"] = dict(zip(
            [f"{f:.2e}" for f in L2_FACTORS], np.mean(by_factor, axis=0).tolist()))
        summary["mlp_500_300_sweep_std_by_factor"] = dict(zip(
            [f"{f:.2e}" for f in L2_FACTORS], np.std(by_factor, axis=0).tolist()))
    if "conv" in args.parts:
        summary["conv"] = _summary([r["conv"]["accuracy"] for r in runs])
    result = {
        "assignment": "03_mlp_vs_cnn",
        "dataset": "mnist",
        "settings": {"sweep_epochs": args.sweep_epochs, "conv_epochs": args.conv_epochs,
                     "training_images": N_FIT, "batch_size": 128},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "keras": keras.__version__},
        "runs": runs,
        "summary": summary,
    }
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
