"""Assignment 03's checks: weight decay, sweeps and your own CNN (cnnkit.checks.mlp_vs_cnn)."""

import re

import keras
import numpy as np
import pytest
from keras import layers

from cnnkit import checks
from tests.checks.helpers import small_convnet


def _wide_mlp(regularizers):
    stack = [keras.Input(shape=(28, 28, 1)), layers.Flatten()]
    for units, regularizer in zip((500, 300), regularizers):
        stack.append(layers.Dense(units, activation="relu", kernel_regularizer=regularizer))
    return keras.Sequential(stack + [layers.Dense(10, activation="softmax")])


@pytest.mark.parametrize(
    "regularizer",
    [
        lambda: keras.regularizers.L2(1e-4),
        lambda: keras.regularizers.l2(1e-4),
        lambda: keras.regularizers.L1L2(l2=1e-4),
    ],
)
def test_hidden_l2_accepts_equivalent_formulations(regularizer, capsys):
    checks.check_hidden_l2(_wide_mlp([regularizer(), regularizer()]), 1e-4)
    assert "OK: L2 factor 0.0001 on the 2 hidden layers" in capsys.readouterr().out


def test_hidden_l2_accepts_the_l2_string_only_for_its_default_factor():
    model = _wide_mlp(["l2", "l2"])
    checks.check_hidden_l2(model, 0.01)
    with pytest.raises(AssertionError, match='the string "l2" means the default factor 0.01'):
        checks.check_hidden_l2(model, 1e-4)


@pytest.mark.parametrize(
    ("regularizers", "message"),
    [
        ([None, None], "hidden layer 1 (500 units) has no L2 weight decay"),
        ([keras.regularizers.L2(1e-4), None], "hidden layer 2 (300 units) has no L2"),
        ([keras.regularizers.L1(1e-4)] * 2, "has no L2 weight decay"),
        ([keras.regularizers.L1L2(l1=1e-5, l2=1e-4)] * 2, "also has an L1 penalty"),
        ([keras.regularizers.L2(1e-3)] * 2, "has L2 factor 0.001, expected 0.0001"),
    ],
)
def test_hidden_l2_names_the_layer_and_the_problem(regularizers, message):
    with pytest.raises(AssertionError, match=re.escape(message)):
        checks.check_hidden_l2(_wide_mlp(regularizers), 1e-4)


def test_hidden_l2_ignores_the_output_layer():
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(500, activation="relu", kernel_regularizer=keras.regularizers.L2(1e-5)),
        layers.Dense(10, activation="softmax", kernel_regularizer=keras.regularizers.L2(1e-2)),
    ])
    checks.check_hidden_l2(model, 1e-5)


def test_log_spaced_check_explains_linear_spacing(capsys):
    checks.check_log_spaced(np.logspace(-6, -3, 5), 1e-6, 1e-3, 5)
    checks.check_log_spaced([1e-6, 10 ** -5.25, 10 ** -4.5, 10 ** -3.75, 1e-3], 1e-6, 1e-3, 5)
    checks.check_log_spaced([1e-6, 5.6e-6, 3.2e-5, 1.8e-4, 1e-3], 1e-6, 1e-3, 5)  # the text's
    with pytest.raises(AssertionError, match="np.logspace"):
        checks.check_log_spaced([1e-6, 5e-6, 3e-5, 2e-4, 1e-3], 1e-6, 1e-3, 5)
    assert capsys.readouterr().out.count("OK") == 3
    with pytest.raises(AssertionError, match="linear scale"):
        checks.check_log_spaced(np.linspace(1e-6, 1e-3, 5), 1e-6, 1e-3, 5)
    with pytest.raises(AssertionError, match="there are 4 values"):
        checks.check_log_spaced(np.logspace(-6, -3, 4), 1e-6, 1e-3, 5)
    with pytest.raises(AssertionError, match="expected 1e-06, 5.62e-06"):
        checks.check_log_spaced(np.logspace(-5, -2, 5), 1e-6, 1e-3, 5)


def test_replicates_check():
    good = 0.97 + 0.001 * np.arange(15).reshape(3, 5)
    checks.check_replicates(good, (3, 5), 0.95)
    for results, message in [
        (good.T, "transpose it"),
        (100 * good, "fractions"),
        (np.where(good > 0.98, np.nan, good), "NaN"),
        (good - 0.5, "below the expected minimum 0.95"),
        (np.tile(good[0], (3, 1)), "its own seed"),
    ]:
        with pytest.raises(AssertionError, match=message):
            checks.check_replicates(results, (3, 5), 0.95)


@pytest.mark.parametrize(
    "convolution",
    [lambda: layers.Conv2D(4, 3), lambda: layers.SeparableConv2D(4, 3),
     lambda: layers.DepthwiseConv2D(3, depth_multiplier=4)],
    ids=["Conv2D", "SeparableConv2D", "DepthwiseConv2D"],
)
def test_check_convnet_accepts_any_convolution(convolution, capsys):
    checks.check_convnet(small_convnet(convolution()), 0.995, 0.99)
    assert "OK: test accuracy 0.9950" in capsys.readouterr().out


def test_check_convnet_names_the_mistakes(capsys):
    with pytest.raises(AssertionError, match="has no convolution layer"):
        checks.check_convnet(small_convnet(), 0.995, 0.99)
    with pytest.raises(AssertionError, match="`conv_model` is a NoneType"):
        checks.check_convnet(None, 0.995, 0.99)
    with pytest.raises(AssertionError, match="train for more epochs"):
        checks.check_convnet(small_convnet(layers.Conv2D(4, 3)), 0.985, 0.99)
    checks.check_convnet(small_convnet(layers.Conv2D(4, 3)), 0.9905, 0.99)
    assert "Warning: 0.9905 is within 0.15 points" in capsys.readouterr().out
