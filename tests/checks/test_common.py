"""The checks several notebooks use: a model's layers and a test accuracy (cnnkit.checks.common)."""

import keras
import pytest
from keras import layers

from cnnkit import checks, models
from cnnkit.grading import SIMPLE_CNN
from tests.conftest import same_padding_cnn


def test_architecture_hint_for_same_padding():
    model = same_padding_cnn()
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
    with pytest.raises(AssertionError, match="assign the model you built to `model`"):
        checks.check_architecture(None, SIMPLE_CNN)
    with pytest.raises(AssertionError, match="`mlp_model` is a NoneType"):
        checks.check_architecture(None, SIMPLE_CNN, name="mlp_model")


def _bn_cnn(relu_after_bn=True, bias=True, pool_last=False):
    """04's CNN; with `relu_after_bn=False` the ReLU sits in the convolutions, before BN;
    with `pool_last` each block pools after its ReLU (the same layers in another order)."""
    def block(filters):
        if pool_last:
            return [layers.Conv2D(filters, 5), layers.BatchNormalization(), layers.ReLU(),
                    layers.MaxPooling2D()]
        if relu_after_bn:
            return [layers.Conv2D(filters, 5, use_bias=bias), layers.MaxPooling2D(),
                    layers.BatchNormalization(), layers.Activation("relu")]
        return [layers.Conv2D(filters, 5, activation="relu"), layers.MaxPooling2D(),
                layers.BatchNormalization()]
    return keras.Sequential([keras.Input((28, 28, 1)), *block(16), *block(32), layers.Flatten(),
                             layers.Dense(10, activation="softmax")])


def test_architecture_hints_for_batch_normalization_models():
    from cnnkit.grading import LEARNING_CURVE_CNN

    checks.check_architecture(_bn_cnn(), LEARNING_CURVE_CNN)
    with pytest.raises(AssertionError, match="the activation comes after BatchNormalization"):
        checks.check_architecture(_bn_cnn(relu_after_bn=False), LEARNING_CURVE_CNN)
    with pytest.raises(AssertionError, match="leave use_bias at its default"):
        checks.check_architecture(_bn_cnn(bias=False), LEARNING_CURVE_CNN)
    with pytest.raises(AssertionError, match="the right layers in another order"):
        checks.check_architecture(_bn_cnn(pool_last=True), LEARNING_CURVE_CNN)


def test_architecture_check_refuses_an_activation_the_grader_cannot_load():
    """`tf.nn.softmax` gives the right layers, but is saved as code: the clean room refuses it."""
    import tensorflow as tf

    from cnnkit.grading import LEARNING_CURVE_CNN, check_model

    model = _bn_cnn()
    model.layers[-1].activation = tf.nn.softmax
    with pytest.raises(AssertionError, match='builtins.function.*\n.*activation="softmax"'):
        checks.check_architecture(model, LEARNING_CURVE_CNN, name="build_cnn()")
    check_model(model, LEARNING_CURVE_CNN)  # the clean room, not this, refuses it


def test_accuracy_check():
    checks.check_accuracy(0.9, 0.8)
    with pytest.raises(AssertionError, match="below the required 0.8000"):
        checks.check_accuracy(0.5, 0.8)
    with pytest.raises(AssertionError, match="0.8000: increase the budget$"):
        checks.check_accuracy(0.5, 0.8, hint="increase the budget")
    with pytest.raises(AssertionError, match="not a fraction"):
        checks.check_accuracy(85.0, 0.8)
