"""Helpers shared by the tests of several modules of cnnkit.checks."""

import keras
from keras import layers


def small_convnet(*first):
    """A (28, 28, 1) -> 10 classifier: the `first` layers, 2x2 pooling, a softmax output."""
    return keras.Sequential([keras.Input((28, 28, 1)), *first, layers.MaxPooling2D(),
                             layers.Flatten(), layers.Dense(10, activation="softmax")])
