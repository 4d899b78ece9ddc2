"""Scoring on trusted data: the test set, a model's accuracy on it, and its layers.

Hidden tests never trust data from the student's notebook for scoring: they load
the test set themselves and measure the model on it.
"""

from __future__ import annotations

import keras
import numpy as np

from cnnkit.architecture import LayerRow
from cnnkit.checks import check_architecture
from cnnkit.data import load_dataset, to_model_input


def trusted_test_set(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The trusted test set of `name`: images `(10000, 28, 28, 1)` in [0, 1], labels `(10000,)`."""
    _, (x_test, y_test) = load_dataset(name)
    return to_model_input(x_test), y_test


def measure_test_accuracy(model: keras.Model, name: str) -> float:
    """Fraction of the trusted test images of `name` that `model` classifies correctly."""
    if not isinstance(model, keras.Model):
        raise AssertionError(f"expected a keras.Model, got {type(model).__name__}")
    x_test, y_test = trusted_test_set(name)
    probabilities = np.asarray(model.predict(x_test, batch_size=1000, verbose=0))
    if probabilities.shape != (len(y_test), 10):
        raise AssertionError(
            f"the model outputs shape {probabilities.shape} for the test set, "
            f"expected {(len(y_test), 10)}"
        )
    return float(np.mean(probabilities.argmax(axis=1) == y_test))


def check_min_accuracy(model: keras.Model, name: str, minimum: float) -> None:
    """Assert that `model` reaches `minimum` accuracy on the trusted test set, and print it.

    Returns nothing on purpose: nbgrader scores a grade cell whose last line evaluates
    to a number with that number.
    """
    accuracy = measure_test_accuracy(model, name)
    if not accuracy >= minimum:
        raise AssertionError(
            f"test accuracy {accuracy:.4f} measured on the {name} test set "
            f"is below the required {minimum:.4f}"
        )
    print(f"measured: test accuracy {accuracy:.4f} on the {name} test set")


def check_model(model: keras.Model, expected: list[LayerRow]) -> None:
    """Assert that `model` has the `expected` layers, shapes and parameter counts.

    The save-and-load round trip of the visible check is left out: the clean room measures
    only models it loaded that way.
    """
    check_architecture(model, expected, gradable=False)
    total = sum(row.params for row in expected)
    if model.count_params() != total:
        raise AssertionError(
            f"the model has {model.count_params():,} parameters, expected {total:,}"
        )
