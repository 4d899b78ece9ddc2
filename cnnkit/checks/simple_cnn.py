"""Checks for assignment 01 (a simple CNN): images and labels prepared for the network."""

from __future__ import annotations

import numpy as np

from cnnkit.checks.common import _fail


def check_model_input(x: np.ndarray, n: int, original: np.ndarray | None = None) -> None:
    """Check images prepared for a CNN: shape `(n, 28, 28, 1)`, float32, values in [0, 1].

    With `original`, the uint8 images `(n, 28, 28)` they came from, also check that every
    value is the original pixel divided by 255.
    """
    if not hasattr(x, "__array__"):  # a NumPy array, or a tensor, which converts to one
        _fail(f"expected a NumPy array, got {type(x).__name__}")
    x = np.asarray(x)
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
    if original is not None:
        worst = float(np.abs(x[..., 0] - np.asarray(original) / np.float32(255)).max())
        if worst > 1e-6:
            _fail(f"some values differ from the original pixels divided by 255 (by up to "
                  f"{worst:.3g}): divide every image by the same 255, not by its own maximum "
                  "or another number, and keep the images in their original order")
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
