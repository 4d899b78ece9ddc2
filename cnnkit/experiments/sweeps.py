"""Experiments of assignment 03: replicated sweeps of one setting over several seeds."""

from __future__ import annotations

import keras
import numpy as np

from cnnkit.experiments.common import _accuracy, _pair
from cnnkit.training import set_seed, train


def replicated_sweep(
    build_model,
    values,
    *,
    seeds,
    training_data: tuple,
    test_data: tuple,
    epochs: int,
    batch_size: int,
    verbose: int = 1,
) -> dict[str, list]:
    """Train a fresh model for every value of a setting and every seed; one row per run.

    Args:
        build_model: a function `build_model(value)` that returns a new compiled model,
            e.g. the 500-300 MLP with L2 factor `value`.
        values: the values of the swept setting, e.g. five L2 factors.
        seeds: one seed per replicate. `cnnkit.set_seed(seed)` runs before every model
            is built, so replicates differ in their first weights and in the batch order.
        training_data: `(x, y)`: images `(N, 28, 28, 1)` float32, one-hot labels `(N, 10)`.
        test_data: `(x_test, y_test)`, evaluated once after training; labels one-hot or
            integer.
        epochs, batch_size: as for `model.fit`, the same for every run.
        verbose: 1 prints one line per run, 2 also one line per epoch (and a progress bar
            in a notebook), 0 nothing.

    Returns:
        A dict of lists with one entry per run, replicate after replicate: `"seed"`,
        `"value"`, `"test_accuracy"` (a fraction), `"seconds"`, `"params"` and `"model"`
        (the trained model, which the hidden tests measure again).
        `sweep_grid(table)` arranges a column as an array `(len(seeds), len(values))`.
    """
    if not callable(build_model):
        raise TypeError("build_model must be a function: build_model(value) -> compiled model")
    values, seeds = list(values), list(seeds)
    if not values or not seeds:
        raise ValueError("give at least one value and one seed")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"the seeds must differ, so that replicates differ: got {seeds}")
    x, y = _pair(training_data, "training_data")
    x_test, y_test = _pair(test_data, "test_data")
    table = {"seed": [], "value": [], "test_accuracy": [], "seconds": [], "params": [],
             "model": []}
    for seed in seeds:
        for value in values:
            set_seed(seed)
            model = build_model(value)
            if not isinstance(model, keras.Model):
                raise TypeError(f"build_model({value!r}) returned {type(model).__name__}, "
                                "not a keras.Model")
            record = train(model, x, y, epochs=epochs, batch_size=batch_size,
                           verbose=2 if verbose >= 2 else 0)
            accuracy = _accuracy(model, x_test, y_test)
            for key, item in zip(table, (seed, value, accuracy, round(record.seconds, 1),
                                         record.params, model)):
                table[key].append(item)
            if verbose:
                print(f"seed {seed}, value {value:g}: test accuracy {accuracy:.4f} "
                      f"({record.seconds:.0f} s)", flush=True)
    return table


def sweep_grid(table: dict, key: str = "test_accuracy") -> np.ndarray:
    """One column of a `replicated_sweep` table as an array `(seeds, values)`.

    Row `r` holds replicate `r` (the `r`-th seed), column `v` the `v`-th value, both in
    the order in which the sweep ran them.
    """
    for column in ("seed", "value", key):
        if column not in table:
            raise ValueError(f"the table has no column {column!r}; it has {sorted(table)}")
    seeds = list(dict.fromkeys(table["seed"]))
    values = list(dict.fromkeys(table["value"]))
    grid = np.full((len(seeds), len(values)), np.nan)
    for seed, value, item in zip(table["seed"], table["value"], table[key]):
        grid[seeds.index(seed), values.index(value)] = item
    if np.isnan(grid).any():
        raise ValueError("the table lacks some (seed, value) runs: run the whole sweep")
    return grid
