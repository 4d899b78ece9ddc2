"""Model builders give the reference architectures."""

import re

import pytest

from cnnkit import models
from cnnkit.architecture import layer_table
from cnnkit.grading import SIMPLE_CNN


def test_simple_cnn_is_the_reference():
    model = models.simple_cnn()
    assert layer_table(model) == SIMPLE_CNN
    assert model.count_params() == 54410


# --- configurations (assignment 02) ---------------------------------------------------


def test_simple_cnn_config_builds_the_01_network():
    model = models.cnn_from_config(models.SIMPLE_CNN_CONFIG)
    assert layer_table(model) == layer_table(models.simple_cnn()) == SIMPLE_CNN
    assert type(model.optimizer).__name__ == "SGD"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)


def test_config_aspects_change_the_network():
    base = models.SIMPLE_CNN_CONFIG
    deeper = models.cnn_from_config(dict(base, conv_blocks=2))
    assert [row.type for row in layer_table(deeper)] == [
        "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense"
    ]
    assert layer_table(deeper)[2].output_shape == (None, 11, 11, 64)
    assert deeper.count_params() == 34826
    other = models.cnn_from_config(
        dict(base, dense_units=64, dropout=0.5, activation="tanh", pooling=False, kernel_size=5)
    )
    rows = layer_table(other)
    assert [row.type for row in rows] == ["Conv2D", "Flatten", "Dense", "Dropout", "Dense"]
    assert rows[0].output_shape == (None, 24, 24, 32) and rows[0].activation == "tanh"
    assert rows[2].output_shape == (None, 64) and rows[-1].activation == "softmax"
    adam = models.cnn_from_config(dict(base, optimizer="adam", learning_rate=0.003))
    assert type(adam.optimizer).__name__ == "Adam"
    assert float(adam.optimizer.learning_rate) == pytest.approx(0.003)
    assert float(models.make_optimizer("adam").learning_rate) == pytest.approx(0.001)


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"epoch": 3}, ValueError, "unknown key 'epoch' (did you mean 'epochs'?)"),
        ({"activation": "Relu"}, ValueError, "activation must be one of"),
        ({"optimizer": "sgdm"}, ValueError, "optimizer must be one of"),
        ({"epochs": 0}, ValueError, "'epochs' must be at least 1"),
        ({"batch_size": 12.5}, TypeError, "'batch_size' must be a whole number"),
        ({"pooling": 1}, TypeError, "'pooling' must be True or False"),
        ({"dropout": 1.0}, ValueError, "'dropout' must be a rate in [0, 1)"),
        ({"learning_rate": -0.1}, ValueError, "'learning_rate' must be positive"),
        ({"learning_rate": "fast"}, TypeError, "'learning_rate' must be a number or None"),
        ({"conv_blocks": 3, "kernel_size": 5}, ValueError, "shrinks to nothing in convolution"),
    ],
)
def test_bad_configurations_raise_clear_errors(change, error, words):
    with pytest.raises(error, match=re.escape(words)):
        models.validate_config(dict(models.SIMPLE_CNN_CONFIG, **change))
    with pytest.raises(error, match=re.escape(words)):
        models.cnn_from_config(dict(models.SIMPLE_CNN_CONFIG, **change))


def test_incomplete_configuration_names_the_missing_keys():
    with pytest.raises(ValueError, match="lacks 'conv_blocks', 'filters'"):
        models.validate_config({"optimizer": "adam"})
    with pytest.raises(TypeError, match="a configuration is a dict"):
        models.validate_config([("optimizer", "adam")])
