"""Checks for the visible test cells of the notebooks.

Each check raises `AssertionError` with a message that says what is wrong and the
likely fix, and prints a short confirmation when everything is right.
"""

from __future__ import annotations

import keras
import numpy as np

from cnnkit.architecture import LayerRow, compare, format_table, layer_table


def _fail(message: str) -> None:
    raise AssertionError(message)


def check_model_input(x: np.ndarray, n: int) -> None:
    """Check images prepared for a CNN: shape `(n, 28, 28, 1)`, float32, values in [0, 1]."""
    if not isinstance(x, np.ndarray):
        _fail(f"expected a NumPy array, got {type(x).__name__}")
    if x.shape == (n, 28, 28):
        _fail(
            f"shape is {x.shape}: Conv2D needs a channel axis; "
            "reshape to (N, 28, 28, 1), e.g. x.reshape(-1, 28, 28, 1)"
        )
    if x.shape != (n, 28, 28, 1):
        _fail(f"shape is {x.shape}, expected {(n, 28, 28, 1)}")
    if x.dtype != np.float32:
        _fail(f"dtype is {x.dtype}, expected float32: use x.astype('float32')")
    low, high = float(x.min()), float(x.max())
    if high > 1.0:
        _fail(f"values go up to {high:g}: divide the pixel values by 255 to get [0, 1]")
    if low < 0.0:
        _fail(f"values go down to {low:g}: pixels scaled to [0, 1] are never negative")
    print(f"OK: {x.shape} float32 in [{low:g}, {high:g}]")


def check_one_hot(y: np.ndarray, labels: np.ndarray, num_classes: int = 10) -> None:
    """Check that `y` (shape `(N, num_classes)`) is the one-hot encoding of `labels` (`(N,)`)."""
    y = np.asarray(y)
    labels = np.asarray(labels)
    if y.ndim == 1:
        _fail(
            f"shape is {y.shape}: one-hot labels have one column per class; "
            f"use keras.utils.to_categorical(labels, {num_classes})"
        )
    if y.shape != (len(labels), num_classes):
        _fail(f"shape is {y.shape}, expected {(len(labels), num_classes)}")
    if not np.isin(y, (0, 1)).all() or not np.all(y.sum(axis=1) == 1):
        _fail("each row must contain a single 1 and zeros elsewhere")
    if not np.array_equal(y.argmax(axis=1), labels):
        _fail("the 1 in each row must sit in the column of that image's label")
    print(f"OK: one-hot labels of shape {y.shape}")


def _shape_hint(got: tuple, want: tuple) -> str:
    if len(got) == 4 and len(want) == 4 and got[1] == want[1] + 2 and got[3] == want[3]:
        return (
            f" (a 3x3 convolution without padding shrinks {got[1]} to {want[1]}; "
            "did you set padding='same'? Leave the default padding='valid')"
        )
    if len(got) == 4 and len(want) == 4 and got[1:3] == want[1:3]:
        return f" (check the number of filters: expected {want[3]})"
    if len(got) == 2 and len(want) == 2 and want[1] == 10:
        return " (the output layer needs one unit per class: Dense(10))"
    return ""


def _activation_hint(want: LayerRow) -> str:
    if want.activation == "softmax":
        return " (add activation='softmax' to the last Dense layer to output probabilities)"
    return f" (pass activation={want.activation!r})"


def check_architecture(model: keras.Model, expected: list[LayerRow | tuple]) -> None:
    """Check `model` layer by layer against `expected` rows; see `cnnkit.compare`."""
    if not isinstance(model, keras.Model):
        _fail(f"expected a keras.Model, got {type(model).__name__}; did the cell assign `model`?")
    expected = [LayerRow(*row) for row in expected]
    differences = compare(model, expected)
    if differences:
        actual = layer_table(model)
        notes = []
        if len(actual) == len(expected):
            for got, want in zip(actual, expected):
                if got.output_shape != tuple(want.output_shape):
                    notes.append(_shape_hint(got.output_shape, tuple(want.output_shape)))
                if want.activation and got.activation != want.activation:
                    notes.append(_activation_hint(want))
        elif "Flatten" in [r.type for r in expected] and "Flatten" not in [r.type for r in actual]:
            notes.append(" (Dense needs a flat vector: add layers.Flatten() before it)")
        message = "; ".join(differences) + "".join(dict.fromkeys(notes))
        _fail(f"{message}\n\nYour model:\n{format_table(actual)}")
    total = sum(row.params for row in expected)
    print(f"OK: {len(expected)} layers as expected, {total:,} parameters")


def check_accuracy(accuracy: float, minimum: float) -> None:
    """Check that a test accuracy (a fraction in [0, 1]) is at least `minimum`."""
    accuracy = float(accuracy)
    if not 0.0 <= accuracy <= 1.0:
        _fail(f"accuracy {accuracy:g} is not a fraction in [0, 1]")
    if accuracy < minimum:
        _fail(
            f"test accuracy {accuracy:.4f} is below the required {minimum:.4f}: "
            "check the preprocessing, the optimizer and the number of epochs"
        )
    print(f"OK: test accuracy {accuracy:.4f} >= {minimum:.4f}")
