"""Hidden tests of a `replicated_sweep`: every reported run is a model the notebook trained.

Assignments 03 (L2 factors) and 05 (kernel sizes) both report a sweep's accuracies. The
hidden tests capture the sweep's trained models with them and check, run by run, that
each model was trained by the notebook in a run of its own and that it is what the
assignment asked for and measures what the table says. What a run must be and where its
accuracy is measured differ per assignment: the caller passes that as `check_run`.

Where a notebook prescribes the experiment itself (03: which seeds and values, and how
every run trains), the caller also passes it as a `SweepPlan`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np

from cnnkit.grading.trained import (
    check_distinct,
    check_fresh_run,
    check_trained_on,
    trusted_fit_data,
)


@dataclass(frozen=True)
class SweepPlan:
    """The sweep a notebook prescribes: every seed of `seeds` with every value of `values`,
    in that order, each run a fresh model trained `epochs` epochs of batch size
    `batch_size` on `x_fit[:n_train]` and `y_fit[:n_train]` (the first `n_train` training
    images with one-hot labels). The values a sweep ran count as `values` within the
    relative tolerance `value_rtol` (`np.allclose`). `value_name` is what messages call a
    value, e.g. "factor".
    """

    seeds: tuple
    values: tuple
    epochs: int
    batch_size: int
    n_train: int
    value_name: str = "value"
    value_rtol: float = 1e-6

    @property
    def steps(self) -> int:
        """The weight updates of one run: `epochs * ceil(n_train / batch_size)`."""
        return self.epochs * math.ceil(self.n_train / self.batch_size)

    def describe_training(self) -> str:
        """How every run trains, e.g. "5 epoch(s) of batch size 128 on 10,000 images"."""
        return (f"{self.epochs} epoch(s) of batch size {self.batch_size} on {self.n_train:,} "
                "images")


def _numbers(items) -> str:
    """`1, 2, 3` for seeds, `1e-06, 5.62e-06` for values, anything else as Python shows it."""
    shown = []
    for item in (np.asarray(item).item() for item in items):
        if isinstance(item, float):
            shown.append(f"{item:.3g}")
        else:
            shown.append(str(item) if isinstance(item, int) else repr(item))
    return ", ".join(shown)


def check_planned_grid(seeds: list, values: list, plan: SweepPlan) -> None:
    """Assert that a sweep ran the seeds and values of `plan`: `seeds` and `values` are its
    distinct seeds and values in the order it ran them."""
    if [np.asarray(seed).item() for seed in seeds] != list(plan.seeds):
        raise AssertionError(f"the sweep ran seeds [{_numbers(seeds)}], the notebook "
                             f"prescribes seeds={list(plan.seeds)}")
    if len(values) != len(plan.values) or not np.allclose(values, plan.values,
                                                          rtol=plan.value_rtol, atol=0):
        raise AssertionError(f"the sweep ran the {plan.value_name}s {_numbers(values)}, the "
                             f"notebook prescribes {_numbers(plan.values)}, in that order")


def check_planned_run(model: keras.Model, log, plan: SweepPlan, dataset: str,
                      label: str) -> None:
    """Assert that the run that trained `model` (in `log`) is one run of `plan`: a fresh
    model, trained `plan.steps` steps on the first `plan.n_train` training images of
    `dataset` with one-hot labels (`check_fresh_run`, `check_trained_on`)."""
    entry = check_fresh_run(model, log, plan.steps, plan.describe_training(), label)
    check_trained_on(entry, trusted_fit_data(dataset, plan.n_train), plan.n_train, label)


def check_sweep_runs(sweep_accuracy, sweep_models, sweep_seeds, sweep_values, log,
                     check_run: Callable[[keras.Model, float, object, object], None],
                     plan: SweepPlan | None = None, dataset: str | None = None) -> None:
    """Assert that every model of a sweep was trained by the notebook, each in a run of its
    own (`check_distinct` against `log`), and passes `check_run(model, accuracy, seed,
    value)`, where `accuracy` is the entry of `sweep_accuracy` reported for that run.

    With a `plan`, the sweep must also have run its seeds and values
    (`check_planned_grid`), and every run must be one of its runs on the training images
    of `dataset` (`check_planned_run`).

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
    if plan is not None:
        check_planned_grid(rows, columns, plan)
    check_distinct(runs, log, "sweep model")
    for model, seed, value in zip(runs, seeds, values):
        if plan is not None:
            label = f"the sweep's model of seed {seed}, {plan.value_name} {value:g}"
            check_planned_run(model, log, plan, dataset, label)
        check_run(model, float(grid[rows.index(seed), columns.index(value)]), seed, value)
