"""Hidden tests of assignment 01 (a simple CNN): the reference model and the prepared data."""

from __future__ import annotations

import numpy as np

from cnnkit.architecture import LayerRow
from cnnkit.data import load_dataset

SIMPLE_CNN = [
    LayerRow("Conv2D", (None, 26, 26, 32), 320, "relu"),
    LayerRow("MaxPooling2D", (None, 13, 13, 32), 0, None),
    LayerRow("Flatten", (None, 5408), 0, None),
    LayerRow("Dense", (None, 10), 54090, "softmax"),
]


def check_preprocessing(name: str, x_train, y_train, x_test, y_test) -> None:
    """Assert that the four arrays are the trusted data of `name`, prepared for a CNN.

    Expected: images `(N, 28, 28, 1)` float32 equal to the original pixels / 255, and
    one-hot labels `(N, 10)` of the original labels, for the training and test sets.
    """
    (train_images, train_labels), (test_images, test_labels) = load_dataset(name)
    for split, x, y, images, labels in (
        ("training", x_train, y_train, train_images, train_labels),
        ("test", x_test, y_test, test_images, test_labels),
    ):
        x, y = np.asarray(x), np.asarray(y)
        if x.shape != (*images.shape, 1) or x.dtype != np.float32:
            raise AssertionError(f"{split} images: {x.shape} {x.dtype}, expected "
                                 f"{(*images.shape, 1)} float32")
        if np.abs(x[..., 0] - images / np.float32(255)).max() > 1e-6:
            raise AssertionError(f"{split} images are not the original pixels divided by 255")
        if y.shape != (len(labels), 10) or not np.array_equal(y, np.eye(10)[labels]):
            raise AssertionError(f"{split} labels are not the one-hot encoding of the originals")
