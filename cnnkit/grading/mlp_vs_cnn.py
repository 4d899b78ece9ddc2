"""Hidden tests of assignment 03: fully connected versus convolutional networks."""

from __future__ import annotations

import keras

from cnnkit.architecture import LayerRow, is_convolutional, layer_table
from cnnkit.checks import check_hidden_l2, check_log_spaced, check_replicates
from cnnkit.grading.common import check_min_accuracy, check_model

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
