"""Builders for the reference architectures used in the notebooks."""

from __future__ import annotations

import keras
from keras import layers


def simple_cnn(input_shape: tuple = (28, 28, 1), num_classes: int = 10) -> keras.Model:
    """The simple CNN of assignment 01: Conv(32, 3x3, ReLU) -> MaxPool(2x2) -> Dense(softmax).

    Input `(batch, 28, 28, 1)`; the convolution gives `(batch, 26, 26, 32)`, pooling
    `(batch, 13, 13, 32)`, flattening `(batch, 5408)`, and the output is
    `(batch, num_classes)` class probabilities. 54,410 parameters for 10 classes.
    """
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dense(num_classes, activation="softmax"),
        ],
        name="simple_cnn",
    )
