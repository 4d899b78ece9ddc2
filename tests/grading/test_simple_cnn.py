"""Hidden tests of 01: the trusted check of the prepared data (cnnkit.grading.simple_cnn)."""

import keras
import numpy as np
import pytest

from cnnkit import grading


def test_trusted_preprocessing_check_rejects_tampered_labels():
    (x_train, y_train), (x_test, y_test) = grading.load_dataset("fashion_mnist")
    prepare = lambda x: (x.reshape(-1, 28, 28, 1) / np.float32(255)).astype("float32")  # noqa: E731
    onehot = lambda y: keras.utils.to_categorical(y, 10)  # noqa: E731
    grading.check_preprocessing("fashion_mnist", prepare(x_train), onehot(y_train),
                                prepare(x_test), onehot(y_test))
    with pytest.raises(AssertionError, match="test labels"):
        grading.check_preprocessing("fashion_mnist", prepare(x_train), onehot(y_train),
                                    prepare(x_test), onehot(np.roll(y_test, 1)))
    with pytest.raises(AssertionError, match="divided by 255"):
        grading.check_preprocessing("fashion_mnist", prepare(x_train) * 0.5, onehot(y_train),
                                    prepare(x_test), onehot(y_test))
