"""Assignment 01's checks: images and labels prepared for a CNN (cnnkit.checks.simple_cnn)."""

import keras
import numpy as np
import pytest

from cnnkit import checks


def test_model_input_accepts_prepared_images(capsys):
    checks.check_model_input(np.zeros((5, 28, 28, 1), dtype="float32"), 5)
    assert "OK" in capsys.readouterr().out


def test_model_input_accepts_images_prepared_as_tensors(capsys):
    import tensorflow as tf

    x = np.random.default_rng(0).integers(0, 256, (5, 28, 28)).astype("uint8")
    prepared = tf.cast(tf.expand_dims(x, -1), tf.float32) / 255
    checks.check_model_input(prepared, 5, original=x)
    assert "OK" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="expected a NumPy array, got str"):
        checks.check_model_input("images", 5)


@pytest.mark.parametrize(
    ("images", "hint"),
    [
        (np.zeros((5, 28, 28), dtype="float32"), "reshape to (N, 28, 28, 1)"),
        (np.zeros((5, 28, 28, 1), dtype="uint8"), "astype('float32')"),
        (np.full((5, 28, 28, 1), 255, dtype="float32"), "divide the pixel values by 255"),
        (np.zeros((4, 28, 28, 1), dtype="float32"), "expected (5, 28, 28, 1)"),
    ],
)
def test_model_input_failures_name_the_fix(images, hint):
    with pytest.raises(AssertionError, match=hint.replace("(", r"\(").replace(")", r"\)")):
        checks.check_model_input(images, 5)


def test_model_input_compares_with_the_original_pixels():
    original = np.random.default_rng(0).integers(0, 200, (5, 28, 28), dtype=np.uint8)
    checks.check_model_input(original.reshape(-1, 28, 28, 1).astype("float32") / 255, 5, original)
    per_image = original / original.max(axis=(1, 2), keepdims=True)
    with pytest.raises(AssertionError, match="not by its own maximum"):
        checks.check_model_input(per_image[..., None].astype("float32"), 5, original)


def test_one_hot():
    labels = np.array([9, 0, 3], dtype="uint8")
    checks.check_one_hot(keras.utils.to_categorical(labels, 10), labels)
    with pytest.raises(AssertionError, match="to_categorical"):
        checks.check_one_hot(labels, labels)
    with pytest.raises(AssertionError, match="column of that image's label"):
        checks.check_one_hot(keras.utils.to_categorical([0, 0, 0], 10), labels)
