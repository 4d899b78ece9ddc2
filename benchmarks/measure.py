"""In-process measurements: compute ceiling, data loading, epochs, and thread settings.

Every function returns a plain dict for `results.json`. Times are wall-clock seconds
(medians of repeats); CPU seconds of this process are recorded too, as they suffer less
from other processes sharing the machine.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

import keras

import cnnkit
from benchmarks.reference import REFERENCES, forward_flops, training_flops


def load() -> float:
    """The 1-minute load average (processes wanting a CPU; this machine has 2)."""
    return float(open("/proc/loadavg").read().split()[0])


def median(values) -> float:
    return float(statistics.median(values))


def ceiling(size: int = 4096, repeats: int = 7) -> dict:
    """GFLOP/s of a large float32 matmul in TensorFlow: the practical hardware limit."""
    import tensorflow as tf

    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    matmul = tf.function(lambda: tf.matmul(a, b))
    matmul()  # trace and warm up
    seconds, cpu = [], []
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        matmul()  # on CPU the call returns when the product is computed
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    flops = 2 * size**3
    return {
        "size": size, "repeats": repeats, "load": load(),
        "gflops": flops / median(seconds) / 1e9,
        "best_gflops": flops / min(seconds) / 1e9,
        # per CPU-second: what one core delivers while it runs; hardly affected by load
        "gflops_per_cpu_second": flops / median(cpu) / 1e9,
    }


def timings(function, repeats: int) -> list[float]:
    """Wall-clock seconds of each of `repeats` calls of `function`."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - start)
    return seconds


def _timed(function, repeats: int) -> float:
    return median(timings(function, repeats))


def _dataset_times(name: str, repeats: int) -> dict:
    from cnnkit import loading
    from cnnkit.preprocessing import to_model_input

    def first_cached():
        loading._verified.clear()  # a new process verifies the cache once
        loading.load_dataset(name)

    (x_train, _), _ = loading.load_dataset(name)
    path = loading.cache_path(name)
    return {
        "uncached": _timed(lambda: loading._from_sources(name, None), max(1, repeats // 2)),
        "cached_first": _timed(first_cached, repeats),
        "cached_again": _timed(lambda: loading.load_dataset(name), repeats),
        "to_model_input": _timed(lambda: to_model_input(x_train), repeats),
        "cache_bytes": path.stat().st_size if path.is_file() else None,
    }


def data(repeats: int = 5) -> dict:
    """Dataset load times: from the raw files (verified), from the cache (verified once per
    process, then not), and the conversion to model input."""
    from cnnkit.data import DATASETS

    return {"load": load(), "datasets": {name: _dataset_times(name, repeats) for name in DATASETS}}


class EpochTimer(keras.callbacks.Callback):
    """Wall time of every epoch (training and validation) of a `model.fit` call."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def prepared(dataset: str, validation: int):
    """(x, y), (x_val, y_val): the last `validation` training images held out, as 01 does."""
    (x, y), _ = cnnkit.load_dataset(dataset)
    x, y = cnnkit.to_model_input(x), keras.utils.to_categorical(y, 10)
    return (x[:-validation], y[:-validation]), (x[-validation:], y[-validation:])


def _one_run(reference, mode: str, training, validation, epochs: int) -> dict:
    """One training run: "fit" is a plain `model.fit`, "train" is `cnnkit.train`, and
    "bf16" is `cnnkit.train` of the model built under the mixed bfloat16 policy."""
    cnnkit.set_seed(0)
    keras.mixed_precision.set_global_policy("mixed_bfloat16" if mode == "bf16" else "float32")
    model = reference.compiled()
    keras.mixed_precision.set_global_policy("float32")
    x, y = training
    start, cpu = time.perf_counter(), time.process_time()
    if mode == "fit":
        timer = EpochTimer()
        history = model.fit(x, y, epochs=epochs, batch_size=reference.batch_size,
                            validation_data=validation, verbose=0, callbacks=[timer])
        per_epoch, history = timer.seconds, history.history
    else:
        record = cnnkit.train(model, x, y, epochs=epochs, batch_size=reference.batch_size,
                              validation_data=validation, verbose=0)
        per_epoch, history = record.epoch_seconds, record.history
    return {"mode": mode, "seconds": time.perf_counter() - start,
            "cpu": time.process_time() - cpu, "epochs": per_epoch,
            "loss": float(history["loss"][-1]),
            "val_accuracy": float(history["val_accuracy"][-1]), "load": load()}


def modes() -> tuple[str, ...]:
    """The training modes to compare; "bf16" only on CPUs with bfloat16 instructions."""
    return ("fit", "train", "bf16") if cnnkit.cpu.has_native_bfloat16() else ("fit", "train")


def modes_policies() -> tuple[str, ...]:
    """The Keras dtype policies the "fit"/"train" and "bf16" modes use on this CPU."""
    return ("float32", "mixed_bfloat16") if "bf16" in modes() else ("float32",)


def summarize(runs: list[dict], epochs_per_run: int) -> dict:
    """Per mode: median and best steady-state epoch, first epoch, CPU; and ratios to fit.

    Other processes only ever add time, so the best epoch is the most robust estimate of
    what the machine can do; the median shows what one typically gets.
    """
    summary = {}
    fits = [run for run in runs if run["mode"] == "fit"]
    for mode in dict.fromkeys(run["mode"] for run in runs):
        mine = [run for run in runs if run["mode"] == mode]
        steady = [s for run in mine for s in run["epochs"][1:]]
        summary[mode] = {
            "epoch": median(steady), "best_epoch": min(steady),
            "first_epoch": median([run["epochs"][0] for run in mine]),
            "call": median([run["seconds"] for run in mine]),
            "cpu_per_epoch": median([run["cpu"] / epochs_per_run for run in mine]),
            "loss": mine[0]["loss"], "val_accuracy": mine[0]["val_accuracy"],
        }
        if mode != "fit":  # paired with the fit run of the same repeat
            pairs = list(zip(mine, fits))
            summary[mode]["ratio"] = median([median(m["epochs"][1:]) / median(f["epochs"][1:])
                                             for m, f in pairs])
            summary[mode]["best_ratio"] = (summary[mode]["best_epoch"]
                                           / summary["fit"]["best_epoch"])
            summary[mode]["cpu_ratio"] = median([m["cpu"] / f["cpu"] for m, f in pairs])
    summary["same_loss"] = summary["fit"]["loss"] == summary["train"]["loss"]
    return summary


def epochs(names=None, repeats: int = 3, epochs_per_run: int = 3) -> dict:
    """Per-epoch time of each reference model: `model.fit`, `cnnkit.train`, and
    `cnnkit.train` under mixed bfloat16 precision where the CPU has it (see `modes`).

    The modes run alternately (fit, train, bf16, bf16, train, fit, ...) on fresh models with
    the same seed, so that all see the same load. See `summarize` for the figures.
    """
    chosen = [r for r in REFERENCES if names is None or r.name in names]
    result = {"repeats": repeats, "epochs_per_run": epochs_per_run, "models": {}}
    for reference in chosen:
        training, validation = prepared(reference.dataset, reference.validation)
        runs = []
        for repeat in range(repeats):
            for mode in modes() if repeat % 2 == 0 else modes()[::-1]:
                runs.append(_one_run(reference, mode, training, validation, epochs_per_run))
        model = reference.build()
        n, n_val = len(training[0]), len(validation[0])
        forward = sum(flops for _, flops in forward_flops(model))
        row = {"when": time.strftime("%Y-%m-%d %H:%M"),
               "notebook": reference.notebook, "dataset": reference.dataset,
               "params": int(model.count_params()), "batch_size": reference.batch_size,
               "train_examples": n, "validation_examples": n_val,
               "flops_per_example": training_flops(model),
               "flops_per_epoch": training_flops(model) * n + forward * n_val, "runs": runs}
        row.update(summarize(runs, epochs_per_run))
        row["load"] = median([run["load"] for run in runs])
        result["models"][reference.name] = row
        print(f"  {reference.name}: " + ", ".join(
            f"{mode} {row[mode]['epoch']:.2f} s/epoch" for mode in modes())
            + f" (load {row['load']:.1f})", flush=True)
    return result


THREAD_SETTINGS = {"default": {}, "intra 1": {"TF_NUM_INTRAOP_THREADS": "1"},
                   "inter 1": {"TF_NUM_INTEROP_THREADS": "1"},
                   "intra 1, inter 1": {"TF_NUM_INTRAOP_THREADS": "1",
                                        "TF_NUM_INTEROP_THREADS": "1"}}


def threads(repeats: int = 2, epochs_per_run: int = 3, name: str = "simple CNN") -> dict:
    """Epoch time of `model.fit` under TensorFlow's thread-pool settings (one process each)."""
    result = {"model": name, "repeats": repeats, "settings": {}}
    for repeat in range(repeats):
        settings = list(THREAD_SETTINGS.items())
        for label, env in settings if repeat % 2 == 0 else settings[::-1]:
            command = [sys.executable, "-m", "benchmarks.measure", name, str(epochs_per_run)]
            output = subprocess.run(command, env={**os.environ, **env}, check=True,
                                    capture_output=True, text=True).stdout
            run = json.loads(output.strip().splitlines()[-1])
            result["settings"].setdefault(label, []).append(run)
    for label, runs in result["settings"].items():
        result["settings"][label] = {
            "epoch": median([s for run in runs for s in run["epochs"][1:]]),
            "cpu_per_epoch": median([run["cpu"] / epochs_per_run for run in runs]),
            "load": median([run["load"] for run in runs]),
        }
    return result


def _thread_child(name: str, epochs_per_run: int) -> None:
    """Entry point for `threads`: one `model.fit` run, printed as JSON."""
    reference = next(r for r in REFERENCES if r.name == name)
    training, validation = prepared(reference.dataset, reference.validation)
    print(json.dumps(_one_run(reference, "fit", training, validation, epochs_per_run)))


if __name__ == "__main__":
    _thread_child(sys.argv[1], int(sys.argv[2]))
