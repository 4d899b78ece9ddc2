"""Experiments of assignment 04: learning curves over training-set sizes."""

from __future__ import annotations

import time

import keras
import numpy as np

from cnnkit.data import subsample
from cnnkit.experiments.common import _accuracy, _pair
from cnnkit.provenance import data_fingerprint, fingerprint, record_training
from cnnkit.training import steps_per_call

LEARNING_CURVE_KEYS = ("size", "train_accuracy", "test_accuracy", "steps", "batch_size", "seconds")
"""The columns of the table that `learning_curve` returns (a dict of equally long lists)."""


CHUNK_STEPS = 256
"""`train_steps` copies the images of this many steps at a time (32,768 images of batch 128)."""


def batch_order(n: int, steps: int, batch_size: int, seed: int) -> np.ndarray:
    """Positions of the examples of each of `steps` batches: an int array `(steps, batch_size)`.

    The batches go through the `n` examples in a shuffled order, reshuffled after every
    pass, for as many passes as `steps` needs: 100 examples and 1000 steps of 128 make
    1,280 passes, 60,000 examples and the same steps make about two.
    """
    rng = np.random.default_rng(seed)
    passes = -(-steps * batch_size // n)  # ceiling division
    order = np.concatenate([rng.permutation(n) for _ in range(passes)])
    return order[: steps * batch_size].reshape(steps, batch_size)


def _whole_number(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def train_steps(model: keras.Model, x, y, *, steps: int, batch_size: int, seed: int = 0) -> dict:
    """Train a compiled `model` for exactly `steps` weight updates of `batch_size` examples.

    A budget in steps is the same for every training-set size, unlike a budget in epochs:
    one epoch of 100 images is a single step of 100, one epoch of 60,000 images is 469
    steps of 128. Args: `x` images `(N, 28, 28, 1)`, `y` labels `(N,)` or one-hot `(N, 10)`,
    both matching the model's loss. Returns the history: metric -> one value (the averages
    over all steps). Afterwards `model.optimizer.iterations` equals `steps`, and the
    weights are noted in `cnnkit.provenance.training_log()`, as `cnnkit.train` does.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    if getattr(model, "optimizer", None) is None or not model.compiled:
        raise ValueError("the model is not compiled yet: call model.compile(...) first")
    steps = _whole_number(steps, "steps")
    batch_size = _whole_number(batch_size, "batch_size")
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"x and y need the same, non-zero length; got {len(x)} and {len(y)}")
    order = batch_order(len(x), steps, batch_size, seed)
    before = fingerprint(model)
    totals: dict[str, float] = {}
    with steps_per_call(model):  # as in `cnnkit.train`: the same updates, less overhead
        for start in range(0, steps, CHUNK_STEPS):
            chunk = order[start : start + CHUNK_STEPS].ravel()  # its batches, in order
            history = model.fit(x[chunk], y[chunk], batch_size=batch_size, shuffle=False,
                                epochs=1, verbose=0)
            for name, values in history.history.items():  # the mean over the chunk's steps
                totals[name] = totals.get(name, 0.0) + values[-1] * len(chunk) / batch_size
    record_training(model, before, "cnnkit.experiments.train_steps", data_fingerprint(x, y))
    return {name: [total / steps] for name, total in totals.items()}


def learning_curve(
    build_model,
    subsets,
    *,
    training_data: tuple,
    test_data: tuple,
    steps: int,
    batch_size: int,
    seed: int = 0,
    verbose: int = 1,
) -> tuple[dict, list[keras.Model]]:
    """Train a fresh model on every training subset with the same budget; return a table.

    Args:
        build_model: a function without arguments that returns a new, compiled model.
        subsets: one array of positions in the training set per size, smallest first,
            e.g. from `cnnkit.subsample(np.arange(len(y_train)), y_train, n)`.
        training_data: `(x_train, y_train)`: images `(N, 28, 28, 1)` and labels.
        test_data: `(x_test, y_test)`, evaluated once after each training run.
        steps, batch_size: the training budget, the same for every size (`train_steps`).
        seed: seeds the order of the batches.
        verbose: 1 prints one line per size, 0 prints nothing.

    Returns:
        `(table, models)`. `table` is a dict of lists with the keys `LEARNING_CURVE_KEYS`,
        one entry per subset: its size, the accuracy on the subset itself (on at most
        10,000 of its images) and on the test set, the steps and batch size, and seconds.
        `models` holds the trained models in the same order.
    """
    x, y = _pair(training_data, "training_data")
    x_test, y_test = _pair(test_data, "test_data")
    if not callable(build_model):
        raise TypeError("build_model must be a function that returns a new compiled model")
    if not isinstance(subsets, (list, tuple)) or not subsets:
        raise TypeError("subsets must be a non-empty list of index arrays, one per size")
    table = {key: [] for key in LEARNING_CURVE_KEYS}
    models: list[keras.Model] = []
    for subset in subsets:
        index = np.asarray(subset)
        if index.ndim != 1 or index.dtype.kind not in "iu" or len(index) == 0:
            raise ValueError("each subset must be a non-empty 1-D array of integer positions")
        model = build_model()
        if not isinstance(model, keras.Model) or any(model is m for m in models):
            raise ValueError("build_model must return a new keras.Model on every call")
        start = time.perf_counter()
        train_steps(model, x[index], y[index], steps=steps, batch_size=batch_size, seed=seed)
        seconds = time.perf_counter() - start
        seen = subsample(index, y[index], 10_000, seed)[0] if len(index) > 10_000 else index
        row = {
            "size": len(index),
            "train_accuracy": _accuracy(model, x[seen], y[seen]),
            "test_accuracy": _accuracy(model, x_test, y_test),
            "steps": int(model.optimizer.iterations),
            "batch_size": int(batch_size),
            "seconds": round(seconds, 1),
        }
        for key in LEARNING_CURVE_KEYS:
            table[key].append(row[key])
        models.append(model)
        if verbose:
            print(f"{row['size']:>6} images: {row['steps']} steps in {seconds:5.1f} s, "
                  f"training accuracy {row['train_accuracy']:.4f}, "
                  f"test accuracy {row['test_accuracy']:.4f}", flush=True)
    return table, models


def format_learning_curve(table: dict) -> str:
    """The table of `learning_curve` as aligned text, one line per size."""
    lines = [f"{'size':>7}{'train acc':>11}{'test acc':>10}{'steps':>7}{'seconds':>9}"]
    for i, size in enumerate(table["size"]):
        lines.append(f"{size:>7,}{table['train_accuracy'][i]:>11.4f}"
                     f"{table['test_accuracy'][i]:>10.4f}{table['steps'][i]:>7}"
                     f"{table['seconds'][i]:>9.1f}")
    return "\n".join(lines)
