"""Hidden test of assignment 05's part 6: the kernel-size sweep, run by run.

The sweep's table is checked as the visible check does (`check_kernel_table`), and its
trained models are captured with it: each must be a model the notebook trained in a run of
its own (`cnnkit.grading.sweeps.check_sweep_runs`), with the kernel size and the parameter
count of its row, and must measure the accuracy its row reports. The notebook measures the
sweep on the validation images, `test_data=(x_val, y_val)` (a design is chosen there, not
on the test set), so that is where this test measures each model again: on the trusted
last 5,000 training images.
"""

from __future__ import annotations

import keras
import numpy as np

from cnnkit.checks.kernel_sizes import check_kernel_table, kernel_sizes_of
from cnnkit.data import load_dataset, to_model_input
from cnnkit.experiments import sweep_grid
from cnnkit.grading.sweeps import check_sweep_runs
from cnnkit.grading.trained import HELD_OUT

TOLERANCE = 0.002
"""10 of the 5,000 validation images: the rounding of float32 arithmetic between two runs
of the same model, never a different model (as `cnnkit.grading.trained.check_measured`)."""


def measure_validation_accuracy(model: keras.Model, name: str = "mnist") -> float:
    """Fraction of the trusted validation images of `name` (the last `HELD_OUT` training
    images, which the notebooks never train on) that `model` classifies correctly."""
    (x_train, y_train), _ = load_dataset(name)
    x_val, y_val = to_model_input(x_train[-HELD_OUT:]), y_train[-HELD_OUT:]
    probabilities = np.asarray(model.predict(x_val, batch_size=1000, verbose=0))
    if probabilities.shape != (len(y_val), 10):
        raise AssertionError(f"the model outputs shape {probabilities.shape} for the validation "
                             f"images, expected {(len(y_val), 10)}")
    return float(np.mean(probabilities.argmax(axis=1) == y_val))


def check_kernel_models(kernel_table: dict, kernel_models, log) -> None:
    """Assert that every run of the kernel sweep `kernel_table` (a `replicated_sweep` table;
    its `"model"` column may be left out) is the model in `kernel_models` at the same
    position: trained by the notebook in a run of its own (`log` is
    `cnnkit.provenance.training_log()`), with `value` x `value` kernels, the run's
    parameter count, and the run's `"test_accuracy"` on the validation images."""
    if not isinstance(kernel_table, dict) or not {"seed", "value", "params",
                                                  "test_accuracy"} <= set(kernel_table):
        raise AssertionError("the sweep's table lacks the columns replicated_sweep returns "
                             "(seed, value, params, test_accuracy)")
    params = {(seed, float(value)): count for seed, value, count in
              zip(kernel_table["seed"], kernel_table["value"], kernel_table["params"])}

    def check_run(model: keras.Model, accuracy: float, seed, value) -> None:
        kernel = int(value)
        sizes = kernel_sizes_of(model)
        if sizes != {kernel}:
            raise AssertionError(f"the sweep's model for kernel size {kernel} has kernels of "
                                 f"sizes {sorted(sizes)}")
        if model.count_params() != params[(seed, float(value))]:
            raise AssertionError(f"the sweep's model for kernel size {kernel} has "
                                 f"{model.count_params():,} parameters, its row says "
                                 f"{params[(seed, float(value))]:,}")
        measured = measure_validation_accuracy(model)
        if not abs(measured - accuracy) <= TOLERANCE:
            raise AssertionError(f"the accuracy of kernel size {kernel} is reported as "
                                 f"{accuracy:.4f}, but its model measures {measured:.4f} on "
                                 f"the validation images (the last {HELD_OUT:,} training "
                                 "images)")

    try:
        grid = sweep_grid(kernel_table)
    except ValueError as error:
        raise AssertionError("the sweep's table is not one replicated_sweep returned: "
                             f"{error}") from None
    check_sweep_runs(grid, kernel_models, kernel_table["seed"], kernel_table["value"], log,
                     check_run)


def check_kernel_sweep(kernel_table: dict, kernel_models, probe_3: keras.Model,
                       probe_7: keras.Model, log, minimum: float = 0.5) -> None:
    """Assert what the visible `cnnkit.checks.check_kernel_sizes` checks, on the captured
    table (`kernel_table`, without its `"model"` column), the sweep's trained models
    (`kernel_models`, its `"model"` column) and two models of the builder (`probe_3`,
    `probe_7`): see `check_kernel_table` (every run reaches `minimum`) and
    `check_kernel_models`."""
    check_kernel_table(kernel_table, probe_3, probe_7, minimum)
    check_kernel_models(kernel_table, kernel_models, log)
    print(f"measured: all {len(list(kernel_models))} models of the kernel sweep")
