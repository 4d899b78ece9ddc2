"""Hidden tests of assignment 03: fully connected versus convolutional networks."""

from __future__ import annotations

import keras

from cnnkit.architecture import LayerRow, is_convolutional, layer_table
from cnnkit.checks import check_hidden_l2, check_log_spaced, check_replicates
from cnnkit.grading.common import check_min_accuracy, check_model
from cnnkit.grading.sweeps import check_sweep_runs
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
                         name: str) -> None:
    """Assert that every value of `sweep_accuracy` `(replicates, factors)` is what its model
    measures on the trusted test set, and that each model is the 500-300 MLP, trained by the
    notebook (`check_trained_by_kit`), each one separately.

    `sweep_models`, `sweep_seeds` and `sweep_values` are the `"model"`, `"seed"` and
    `"value"` columns of the `replicated_sweep` table, one entry per run.
    """
    def check_run(model: keras.Model, accuracy: float, seed, value) -> None:
        check_model(model, MLP_500_300)  # its L2 factor is test_l2_model's to score
        check_measured(accuracy, model, name, f"the accuracy of seed {seed}, factor {value:g}")

    check_sweep_runs(sweep_accuracy, sweep_models, sweep_seeds, sweep_values, log, check_run)
    print(f"measured: all {len(list(sweep_models))} sweep models")
