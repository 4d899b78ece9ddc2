"""receptive_fields against tables computed by hand: r_out = r_in + (k - 1) j_in, j_out = j_in s."""

from __future__ import annotations

import keras
import pytest
from keras import layers

from cnnkit.receptive import format_receptive_fields, receptive_fields


def _geometry(model):
    return [(r.type, r.output_shape, r.receptive_field, r.jump, r.params) for r in
            receptive_fields(model)]


def test_strides_padding_pooling_and_global_pooling():
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(8, 3),  # valid: 28 - 3 + 1 = 26; r = 1 + 2 * 1 = 3
        layers.MaxPooling2D(),  # 13; r = 3 + 1 * 1 = 4, j = 2
        layers.Conv2D(16, 3),  # 11; r = 4 + 2 * 2 = 8
        layers.Conv2D(16, 3, strides=2, padding="same"),  # ceil(11 / 2) = 6; r = 12, j = 4
        layers.Conv2D(10, 1),  # 1x1: r and j unchanged
        layers.GlobalAveragePooling2D(),  # r = 12 + (6 - 1) * 4 = 32 (counts padding)
    ])
    assert _geometry(model) == [
        ("Conv2D", (26, 26, 8), 3, 1, 3 * 3 * 8 + 8),
        ("MaxPooling2D", (13, 13, 8), 4, 2, 0),
        ("Conv2D", (11, 11, 16), 8, 2, 3 * 3 * 8 * 16 + 16),
        ("Conv2D", (6, 6, 16), 12, 4, 3 * 3 * 16 * 16 + 16),
        ("Conv2D", (6, 6, 10), 12, 4, 16 * 10 + 10),
        ("GlobalAveragePooling2D", (10,), 32, None, 0),
    ]


def test_bn_activations_and_dropout_pass_through():
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(4, 5, use_bias=False),
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.Activation("relu"),
        layers.Dropout(0.1),
        layers.MaxPooling2D(3),  # 24 -> 8; r = 5 + 2 * 1 = 7, j = 3
    ])
    rows = receptive_fields(model)
    assert [r.passes_through for r in rows] == [False, True, True, True, True, False]
    assert [(r.output_shape, r.receptive_field, r.jump) for r in rows] == [
        ((24, 24, 4), 5, 1), ((24, 24, 4), 5, 1), ((24, 24, 4), 5, 1), ((24, 24, 4), 5, 1),
        ((24, 24, 4), 5, 1), ((8, 8, 4), 7, 3)]
    assert rows[1].params == 4 * 4  # gamma, beta, moving mean and variance


def test_flatten_dense_sees_the_whole_input():
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3), layers.Flatten(),
                              layers.Dense(10, activation="softmax")])
    assert _geometry(model) == [
        ("Conv2D", (26, 26, 8), 3, 1, 80),
        ("Flatten", (5408,), 3, 1, 0),  # each output is still one position
        ("Dense", (10,), 3 + 25 * 1, None, 5408 * 10 + 10),
    ]


def test_reshape_to_a_vector_is_a_flatten():
    """A head written as GlobalAveragePooling2D(keepdims=True) -> Reshape((10,))."""
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(10, 3),
                              layers.GlobalAveragePooling2D(keepdims=True),
                              layers.Reshape((10,)), layers.Softmax()])
    assert _geometry(model) == [
        ("Conv2D", (26, 26, 10), 3, 1, 100),
        ("GlobalAveragePooling2D", (1, 1, 10), 3 + 25 * 1, None, 0),
        ("Reshape", (10,), 28, None, 0),
        ("Softmax", (10,), 28, None, 0),
    ]


def test_functional_and_sequential_give_the_same_table():
    inputs = keras.Input((28, 28, 1))
    x = layers.SeparableConv2D(8, 3, activation="relu")(inputs)
    x = layers.Conv2D(8, 1)(x)
    x = layers.AveragePooling2D(2)(x)
    outputs = layers.GlobalMaxPooling2D()(x)
    functional = keras.Model(inputs, outputs)
    sequential = keras.Sequential([keras.Input((28, 28, 1)),
                                   layers.SeparableConv2D(8, 3, activation="relu"),
                                   layers.Conv2D(8, 1), layers.AveragePooling2D(2),
                                   layers.GlobalMaxPooling2D()])
    assert _geometry(functional) == _geometry(sequential) == [
        ("SeparableConv2D", (26, 26, 8), 3, 1, 9 + 8 + 8),
        ("Conv2D", (26, 26, 8), 3, 1, 72),
        ("AveragePooling2D", (13, 13, 8), 4, 2, 0),
        ("GlobalMaxPooling2D", (8,), 4 + 12 * 2, None, 0),
    ]


def test_branches_take_the_larger_field_and_nested_models_unroll():
    inputs = keras.Input((28, 28, 1))
    wide = layers.Conv2D(4, 5, padding="same")(inputs)
    narrow = layers.Conv2D(4, 1)(inputs)
    merged = layers.Add()([wide, narrow])
    functional = keras.Model(inputs, merged)
    assert _geometry(functional)[-1] == ("Add", (28, 28, 4), 5, 1, 0)
    inner = keras.Sequential([keras.Input((26, 26, 8)), layers.Conv2D(8, 3, dilation_rate=2)])
    outer = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3), inner])
    assert _geometry(outer) == [("Conv2D", (26, 26, 8), 3, 1, 80),
                                ("Conv2D", (22, 22, 8), 3 + 2 * 2 * 1, 1, 584)]


def test_non_square_kernels_give_pairs():
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(2, (3, 1)),
                              layers.MaxPooling2D((2, 1))])
    assert [(r.receptive_field, r.jump) for r in receptive_fields(model)] == [
        ((3, 1), 1), ((4, 1), (2, 1))]


def test_bad_input_says_what_to_do():
    with pytest.raises(TypeError, match="keras.Model"):
        receptive_fields("model")
    unbuilt = keras.Sequential([layers.Conv2D(2, 3)])
    with pytest.raises(ValueError, match="keras.Input"):
        receptive_fields(unbuilt)
    upsampling = keras.Sequential([keras.Input((28, 28, 1)), layers.UpSampling2D()])
    with pytest.raises(ValueError, match="UpSampling2D"):
        receptive_fields(upsampling)


def test_format_lists_every_layer_and_the_total():
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3),
                              layers.GlobalAveragePooling2D()])
    text = format_receptive_fields(receptive_fields(model))
    assert "Conv2D(8, 3x3)" in text and "26 x 26 x 8" in text
    assert text.splitlines()[-1].split()[-1] == "80"
