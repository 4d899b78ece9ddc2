"""Student-facing checks pass on right answers and name the fix on wrong ones."""

import keras
import numpy as np
import pytest
from keras import layers

from cnnkit import checks, models
from cnnkit.grading import SIMPLE_CNN


def test_model_input_accepts_prepared_images(capsys):
    checks.check_model_input(np.zeros((5, 28, 28, 1), dtype="float32"), 5)
    assert "OK" in capsys.readouterr().out


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


def test_one_hot():
    labels = np.array([9, 0, 3], dtype="uint8")
    checks.check_one_hot(keras.utils.to_categorical(labels, 10), labels)
    with pytest.raises(AssertionError, match="to_categorical"):
        checks.check_one_hot(labels, labels)
    with pytest.raises(AssertionError, match="column of that image's label"):
        checks.check_one_hot(keras.utils.to_categorical([0, 0, 0], 10), labels)


def test_architecture_hint_for_same_padding():
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    with pytest.raises(AssertionError) as error:
        checks.check_architecture(model, SIMPLE_CNN)
    message = str(error.value)
    assert "shrinks 28 to 26; did you set padding='same'?" in message
    assert "Your model:" in message


def test_architecture_hints_for_softmax_and_flatten():
    model = models.simple_cnn()
    model.layers[-1].activation = keras.activations.linear
    with pytest.raises(AssertionError, match="activation='softmax'"):
        checks.check_architecture(model, SIMPLE_CNN)
    no_flatten = keras.Sequential(
        [keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
         layers.Dense(10, activation="softmax")]
    )
    with pytest.raises(AssertionError, match="add layers.Flatten"):
        checks.check_architecture(no_flatten, SIMPLE_CNN)


def test_architecture_rejects_non_models():
    with pytest.raises(AssertionError, match="did the cell assign `model`"):
        checks.check_architecture(None, SIMPLE_CNN)


def test_accuracy_check():
    checks.check_accuracy(0.9, 0.8)
    with pytest.raises(AssertionError, match="below the required 0.8000"):
        checks.check_accuracy(0.5, 0.8)
    with pytest.raises(AssertionError, match="not a fraction"):
        checks.check_accuracy(85.0, 0.8)
