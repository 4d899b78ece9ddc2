"""Hidden tests of assignment 03: fully connected versus convolutional networks."""

from __future__ import annotations

import keras
import numpy as np

from cnnkit.architecture import LayerRow, is_convolutional, layer_table
from cnnkit.checks import check_hidden_l2, check_log_spaced, check_replicates
from cnnkit.grading.common import check_min_accuracy, check_model
from cnnkit.grading.sweeps import SweepPlan, check_sweep_runs
from cnnkit.grading.trained import check_measured

MLP_64_64 = [
    LayerRow("Flatten", (None, 784), 0, None),
    LayerRow("Dense", (None, 64), 50240, "relu"),
    LayerRow("Dense", (None, 64), 4160, "relu"),
    LayerRow("Dense", (None, 10), 650, "softmax"),
]
MLP_500_300 = [
    LayerRow("Flatten", (None, 784), 0, None),
    LayerRow("Dense", (None, 500), 392500, "relu"),
    LayerRow("Dense", (None, 300), 150300, "relu"),
    LayerRow("Dense", (None, 10), 3010, "softmax"),
]
L2_SWEEP = SweepPlan(seeds=(1, 2, 3), values=tuple(np.logspace(-6, -3, 5)), epochs=5,
                     batch_size=128, n_train=10_000, value_name="factor", value_rtol=0.02)
"""The weight-decay sweep 03 prescribes: `replicated_sweep(build_regularized_mlp,
l2_factors, seeds=[1, 2, 3], training_data=(x_fit[:10000], y_fit[:10000]),
test_data=(x_test_prepared, y_test_onehot), epochs=5, batch_size=128)` with
`l2_factors = np.logspace(-6, -3, 5)`. Factors rounded to two significant digits (1e-6,
5.6e-6, ...) count, within 2%, as `check_l2_factors` (test_l2_factors) counts them."""
CONVNET_PARAM_LIMIT = 500_000
"""At most this many parameters in 03's convnet: fewer than the 500-300 MLP (545,810), far
fewer than a Dense layer that stores the 10,000 test images (7,840,000 weights)."""


def check_l2_mlp(model: keras.Model, factor: float) -> None:
    """Assert that `model` is the 500-300 MLP with L2 weight decay `factor` on its hidden layers."""
    check_model(model, MLP_500_300)
    check_hidden_l2(model, factor)


def check_l2_factors(values) -> None:
    """Assert that `values` are the five L2 factors 1e-6 ... 1e-3, evenly log-spaced."""
    check_log_spaced(values, 1e-6, 1e-3, 5)


def check_sweep_results(results, minimum: float, shape: tuple = (3, 5)) -> None:
    """Assert that `results` holds test accuracies `(replicates, factors)` of at least `minimum`."""
    check_replicates(results, shape, minimum)


def check_convnet(model: keras.Model, name: str, minimum: float) -> None:
    """Assert that `model` has a convolutional layer (`Conv2D`, `SeparableConv2D`,
    `DepthwiseConv2D`, ...) and reaches `minimum` on the trusted test set."""
    if not isinstance(model, keras.Model):
        raise AssertionError(f"expected a keras.Model, got {type(model).__name__}")
    kinds = [row.type for row in layer_table(model)]
    if not any(is_convolutional(kind) for kind in kinds):
        raise AssertionError(f"the model has no convolution layer: {' -> '.join(kinds)}")
    check_min_accuracy(model, name, minimum)


def check_sweep_measured(sweep_accuracy, sweep_models, sweep_seeds, sweep_values, log,
                         name: str, plan: SweepPlan | None = None) -> None:
    """Assert that the sweep is the experiment `plan` prescribes (by default `L2_SWEEP`):
    its seeds and factors, every run a fresh model trained by the notebook
    (`check_trained_by_kit`), each one separately, with the prescribed steps on the first
    `plan.n_train` training images; that each model is the 500-300 MLP; and that every
    value of `sweep_accuracy` `(replicates, factors)` is what its model measures on the
    trusted test set.

    Each model's L2 factor is not checked against its value: that mistake is
    test_l2_model's to score, once. `sweep_models`, `sweep_seeds` and `sweep_values` are the
    `"model"`, `"seed"` and `"value"` columns of the `replicated_sweep` table, one entry
    per run.
    """
    plan = L2_SWEEP if plan is None else plan

    def check_run(model: keras.Model, accuracy: float, seed, value) -> None:
        try:
            check_model(model, MLP_500_300)
        except AssertionError as error:
            raise AssertionError(f"the sweep's model of seed {seed}, factor {value:g} is not "
                                 f"the 500-300 MLP: {error}") from None
        check_measured(accuracy, model, name, f"the accuracy of seed {seed}, factor {value:g}")

    check_sweep_runs(sweep_accuracy, sweep_models, sweep_seeds, sweep_values, log, check_run,
                     plan, name)
    print(f"measured: all {len(list(sweep_models))} sweep models")
