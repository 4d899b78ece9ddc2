"""layer_table and compare treat equivalent formulations of a model alike."""

import keras
import pytest
from keras import layers

from cnnkit import models
from cnnkit.architecture import LayerRow, compare, format_table, is_convolutional, layer_table
from cnnkit.grading import SIMPLE_CNN
from tests.conftest import same_padding_cnn


def functional_with_separate_activations():
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, 3)(inputs)
    x = layers.Activation("relu")(x)
    x = layers.MaxPool2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(10)(x)
    outputs = layers.Softmax()(x)
    return keras.Model(inputs, outputs)


def sequential_with_input_shape_and_relu_layer():
    return keras.Sequential(
        [
            layers.Conv2D(32, (3, 3), input_shape=(28, 28, 1)),
            layers.ReLU(),
            layers.MaxPooling2D((2, 2)),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )


def softmax_from_tensorflow():
    """`activation=tf.nn.softmax`: TensorFlow names it softmax_v2."""
    import tensorflow as tf

    return keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
                             layers.MaxPooling2D(), layers.Flatten(),
                             layers.Dense(10, activation=tf.nn.softmax)])


def nested():
    inputs = keras.Input(shape=(28, 28, 1))
    features = keras.Sequential([layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D()])
    x = layers.Flatten()(features(inputs))
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))


@pytest.mark.parametrize(
    "build",
    [models.simple_cnn, functional_with_separate_activations,
     sequential_with_input_shape_and_relu_layer, nested, softmax_from_tensorflow],
)
def test_equivalent_formulations_have_the_same_table(build):
    assert layer_table(build()) == SIMPLE_CNN
    assert compare(build(), SIMPLE_CNN) == []


def test_table_rows_state_type_shape_params_activation():
    rows = layer_table(models.simple_cnn())
    assert rows[0] == LayerRow("Conv2D", (None, 26, 26, 32), 320, "relu")
    assert sum(row.params for row in rows) == 54410
    assert "54,090" in format_table(rows)


def test_compare_names_wrong_shape_and_params():
    model = same_padding_cnn()
    differences = compare(model, SIMPLE_CNN)
    assert "layer 1 (Conv2D) has output shape (None, 28, 28, 32), expected (None, 26, 26, 32)" in (
        differences
    )
    assert any("62,730 parameters, expected 54,090" in d for d in differences)


def test_compare_reports_missing_layers_and_activation():
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(10)])
    assert compare(model, SIMPLE_CNN) == [
        "the layers differ: expected Conv2D -> MaxPooling2D -> Flatten -> Dense, "
        "got Flatten -> Dense"
    ]
    linear = models.simple_cnn()
    linear.layers[-1].activation = keras.activations.linear
    assert compare(linear, SIMPLE_CNN) == [
        "layer 4 (Dense) has activation 'linear', expected 'softmax'"
    ]


def test_unbuilt_model_gets_a_clear_error():
    with pytest.raises(ValueError, match="keras.Input"):
        layer_table(keras.Sequential([layers.Conv2D(32, 3)]))
    with pytest.raises(TypeError):
        layer_table("not a model")


def learning_curve_cnn(activation, bias=True, softmax_layer=False):
    """04's CNN with the ReLU after each BatchNormalization written by `activation()`."""
    head = [layers.Dense(10), layers.Softmax()] if softmax_layer else [
        layers.Dense(10, activation="softmax")]
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(16, 5, use_bias=bias), layers.MaxPooling2D(), layers.BatchNormalization(),
        activation(), layers.Conv2D(32, (5, 5)), layers.MaxPooling2D(),
        layers.BatchNormalization(), activation(), layers.Flatten(), *head,
    ])


@pytest.mark.parametrize(
    "activation",
    [layers.ReLU, lambda: layers.Activation("relu"),
     lambda: layers.Activation(keras.activations.relu)],
    ids=["ReLU", "Activation('relu')", "Activation(keras.activations.relu)"],
)
def test_activation_layers_after_batch_normalization_compare_equal(activation):
    from cnnkit.grading import LEARNING_CURVE_CNN

    model = learning_curve_cnn(activation, softmax_layer=True)
    assert compare(model, LEARNING_CURVE_CNN) == []
    assert layer_table(model) == layer_table(learning_curve_cnn(layers.ReLU))
    assert layer_table(model)[3] == LayerRow("Activation", (None, 12, 12, 16), 0, "relu")


def test_relu_layers_with_other_settings_are_other_activations():
    from cnnkit.grading import LEARNING_CURVE_CNN

    capped = learning_curve_cnn(lambda: layers.ReLU(max_value=6.0))
    assert "activation 'relu(max_value=6)', expected 'relu'" in " ".join(
        compare(capped, LEARNING_CURVE_CNN))


@pytest.mark.parametrize(
    ("kind", "convolutional"),
    [("Conv2D", True), ("SeparableConv2D", True), ("DepthwiseConv2D", True),
     ("Conv1D", True), ("Conv2DTranspose", True), ("Dense", False), ("MaxPooling2D", False),
     ("Activation", False)],
)
def test_is_convolutional(kind, convolutional):
    assert is_convolutional(kind) is convolutional


def test_format_table_fits_long_layer_names():
    lines = format_table(layer_table(learning_curve_cnn(layers.ReLU))).splitlines()
    assert lines[3].startswith("BatchNormalization  (None, 12, 12, 16)")
