"""Hidden tests of a `replicated_sweep`: every reported run is a model the notebook trained.

Assignments 03 (L2 factors) and 05 (kernel sizes) both report a sweep's accuracies. The
hidden tests capture the sweep's trained models with them and check, run by run, that
each model was trained by the notebook in a run of its own and that it is what the
assignment asked for and measures what the table says. What a run must be and where its
accuracy is measured differ per assignment: the caller passes that as `check_run`.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

from cnnkit.grading.trained import check_distinct


def check_sweep_runs(sweep_accuracy, sweep_models, sweep_seeds, sweep_values, log,
                     check_run: Callable[[keras.Model, float, object, object], None]) -> None:
    """Assert that every model of a sweep was trained by the notebook, each in a run of its
    own (`check_distinct` against `log`), and passes `check_run(model, accuracy, seed,
    value)`, where `accuracy` is the entry of `sweep_accuracy` reported for that run.

    `sweep_accuracy` is `cnnkit.experiments.sweep_grid(table)`, `(replicates, values)`;
    `sweep_models`, `sweep_seeds` and `sweep_values` are the `"model"`, `"seed"` and
    `"value"` columns of the `replicated_sweep` table, one entry per run.
    """
    grid = np.asarray(sweep_accuracy, dtype=float)
    seeds, values = list(sweep_seeds), [float(v) for v in sweep_values]
    runs = list(sweep_models)
    if not (len(runs) == len(seeds) == len(values) == grid.size):
        raise AssertionError(f"the sweep has {len(runs)} models for {grid.size} accuracies")
    rows, columns = list(dict.fromkeys(seeds)), list(dict.fromkeys(values))
    if grid.shape != (len(rows), len(columns)):
        raise AssertionError(f"the accuracies have shape {grid.shape}, the sweep ran "
                             f"{len(rows)} seeds x {len(columns)} values")
    check_distinct(runs, log, "sweep model")
    for model, seed, value in zip(runs, seeds, values):
        check_run(model, float(grid[rows.index(seed), columns.index(value)]), seed, value)
