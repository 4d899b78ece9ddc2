"""Checks for assignment 05's part 6: kernel sizes 3, 5 and 7 in a `replicated_sweep`.

The table's columns are checked against two models of the builder, and the rows against
the trained models behind them, with the hidden test's own rule
(`cnnkit.grading.kernel_sizes.check_kernel_models`): a hand-written table does not pass.
"""

from __future__ import annotations

import keras

from cnnkit.architecture import leaf_layers
from cnnkit.checks.common import _fail
from cnnkit.provenance import training_log
from cnnkit.receptive import _KERNEL_LAYERS


def kernel_sizes_of(model: keras.Model) -> set[int]:
    """The sizes of the kernels of `model`'s convolutions, 1x1 ones left out."""
    return {max(layer.kernel_size) for layer in leaf_layers(model)
            if type(layer).__name__ in _KERNEL_LAYERS and max(layer.kernel_size) > 1}


def check_kernel_table(table: dict, probe_3: keras.Model, probe_7: keras.Model,
                       minimum: float = 0.5) -> None:
    """Check the columns of a `replicated_sweep` table over kernel sizes 3, 5, 7 against two
    models of its builder (the first part of `check_kernel_sizes`, which the hidden test
    applies to the captured table too).

    Args:
        table: the sweep's dict of lists, one run per kernel size (`"value"`), with
            `"params"` and `"test_accuracy"` (here measured on validation images).
        probe_3, probe_7: the models the builder returns for kernel sizes 3 and 7.
        minimum: every run must reach this accuracy (a run below it did not learn).
    """
    if not isinstance(table, dict) or not {"value", "params", "test_accuracy"} <= set(table):
        _fail("pass the table that cnnkit.experiments.replicated_sweep returned")
    if sorted(table["value"]) != [3, 5, 7]:
        _fail(f"the sweep ran kernel sizes {table['value']}, expected 3, 5 and 7 once each "
              "(one seed)")
    params = dict(zip(table["value"], table["params"]))
    for kernel, probe in ((3, probe_3), (7, probe_7)):
        if kernel_sizes_of(probe) != {kernel}:
            _fail(f"build_kernel_cnn({kernel}) has kernels of sizes "
                  f"{sorted(kernel_sizes_of(probe))}: use {kernel} x {kernel} in every "
                  "convolution except 1x1 ones")
        if probe.count_params() != params[kernel]:
            _fail(f"build_kernel_cnn({kernel}) has {probe.count_params():,} parameters but "
                  f"the table says {params[kernel]:,}: run the sweep with this builder")
    for kernel, accuracy in zip(table["value"], table["test_accuracy"]):
        if not accuracy >= minimum:
            _fail(f"kernel size {kernel} reached only {accuracy:.3f}: a run this low did not "
                  "learn; check the optimizer and the data")


def check_kernel_sizes(sweep: dict, probe_3: keras.Model, probe_7: keras.Model,
                       minimum: float = 0.5) -> None:
    """Check a `replicated_sweep` table over kernel sizes 3, 5, 7, two models of its builder,
    and the trained models behind its rows, as the hidden test checks them.

    Args:
        sweep: the table as `replicated_sweep` returned it: one run per kernel size
            (`"value"`), with `"seed"`, `"params"`, `"test_accuracy"` (here measured on the
            validation images) and `"model"`, the trained models.
        probe_3, probe_7: the models the builder returns for kernel sizes 3 and 7.
        minimum: every run must reach this accuracy (a run below it did not learn).
    """
    from cnnkit.grading.kernel_sizes import check_kernel_models  # the hidden test's own rule

    check_kernel_table(sweep, probe_3, probe_7, minimum)
    if not isinstance(sweep.get("model"), list):
        _fail("the table has no \"model\" column: pass the whole table that "
              "cnnkit.experiments.replicated_sweep returned, with its trained models; the "
              "hidden test measures every one of them again")
    try:
        check_kernel_models(sweep, sweep["model"], training_log())
    except AssertionError as error:
        _fail(f"{error}. Run the sweep as described, with build_kernel_cnn and "
              "test_data=(x_val, y_val), store what replicated_sweep returns in kernel_sweep "
              "unchanged, and run the notebook again from the top")
    params = dict(zip(sweep["value"], sweep["params"]))
    print("OK: kernel sizes 3, 5, 7 with " + ", ".join(f"{params[k]:,}" for k in (3, 5, 7))
          + " parameters, each row what its trained model measures")
