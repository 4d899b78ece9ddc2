"""Describe a model as a table of layers, and compare it with an expected table.

Two models that compute the same thing should get the same table, however they
were written: an activation passed as `activation="relu"` or added as a separate
`Activation("relu")` / `ReLU()` layer (directly after the layer, or after a
`BatchNormalization`), a `keras.Input` or an `input_shape=` argument, a `Sequential`
or a Functional model, nested models.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import keras

_ACTIVATION_LAYERS = {"ReLU": "relu", "Softmax": "softmax", "ELU": "elu", "LeakyReLU": "leaky_relu"}
ACTIVATION = "Activation"
"""The type of every separate activation layer in a table: `Activation("relu")` and `ReLU()`
both become `LayerRow("Activation", ..., "relu")`."""
_CONVOLUTION = re.compile(r"^(Separable|Depthwise)?Conv(LSTM)?[123]D(Transpose)?$")


class LayerRow(NamedTuple):
    """One meaningful layer: its type, output shape, parameter count and activation.

    `output_shape` includes the batch dimension as `None`, e.g. `(None, 26, 26, 32)`.
    `activation` is the activation's name (`"relu"`, `"linear"`, ...) or `None` for
    layers that have none (pooling, flatten, dropout).
    """

    type: str
    output_shape: tuple
    params: int
    activation: str | None


def canonical_type(kind: str) -> str:
    """`"Activation"` for the type of any separate activation layer, else `kind` itself."""
    return ACTIVATION if kind == ACTIVATION or kind in _ACTIVATION_LAYERS else kind


def is_convolutional(kind: str) -> bool:
    """Whether a layer type is a convolution: `Conv2D`, `SeparableConv2D`, `DepthwiseConv2D`,
    `Conv1D`, `Conv2DTranspose`, ..."""
    return bool(_CONVOLUTION.match(kind))


def _relu_layer_name(layer: keras.layers.Layer) -> str:
    """`"relu"` for a plain `ReLU()`; a name with its settings when they change the function."""
    config = layer.get_config()
    settings = {key: config.get(key) for key in ("max_value", "negative_slope", "threshold")}
    changed = [f"{key}={value:g}" for key, value in settings.items() if value not in (None, 0)]
    return f"relu({', '.join(changed)})" if changed else "relu"


_TF_ALIASES = {"softmax_v2": "softmax", "log_softmax_v2": "log_softmax"}
"""TensorFlow's own names for activations Keras calls otherwise (`tf.nn.softmax`)."""


def _activation_name(layer: keras.layers.Layer) -> str | None:
    name = type(layer).__name__
    if name == "ReLU":
        return _relu_layer_name(layer)
    if name in _ACTIVATION_LAYERS:
        return _ACTIVATION_LAYERS[name]
    activation = getattr(layer, "activation", None)
    if activation is None:
        return None
    if isinstance(activation, keras.layers.Layer):
        return _activation_name(activation)
    name = getattr(activation, "__name__", str(activation))
    return _TF_ALIASES.get(name, name)


def leaf_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """All layers of `model`, with nested models replaced by their own layers."""
    leaves = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            leaves.extend(leaf_layers(layer))
        elif type(layer).__name__ != "InputLayer":
            leaves.append(layer)
    return leaves


def _output_shape(layer: keras.layers.Layer) -> tuple:
    try:
        return tuple(layer.output.shape)
    except (AttributeError, ValueError) as error:
        raise ValueError(
            f"layer {layer.name!r} has no output shape yet because the model does not know "
            "its input shape: start the model with keras.Input(shape=(28, 28, 1))"
        ) from error


def layer_table(model: keras.Model) -> list[LayerRow]:
    """One `LayerRow` per meaningful layer of `model`, in order.

    A separate activation layer directly after a layer with a linear activation is
    merged into that layer's row, so `Conv2D(32, 3)` followed by `ReLU()` gives the
    same row as `Conv2D(32, 3, activation="relu")`. Any other separate activation layer
    (after a `BatchNormalization`, say) gets a row of type `"Activation"`, whether it
    was written as `Activation("relu")` or `ReLU()`.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"expected a keras.Model, got {type(model).__name__}")
    rows: list[LayerRow] = []
    for layer in leaf_layers(model):
        kind = type(layer).__name__
        activation = _activation_name(layer)
        is_activation_layer = canonical_type(kind) == ACTIVATION
        if is_activation_layer and rows and rows[-1].activation == "linear":
            rows[-1] = rows[-1]._replace(activation=activation)
            continue
        rows.append(LayerRow(canonical_type(kind), _output_shape(layer),
                             int(layer.count_params()), activation))
    return rows


def format_table(rows: list[LayerRow]) -> str:
    """The rows as aligned text, one line per layer."""
    width = max([len(row.type) for row in rows] + [12]) + 2
    lines = [f"{'layer':<{width}}{'output shape':<22}{'params':>9}  activation"]
    for row in rows:
        shape = str(row.output_shape)
        lines.append(f"{row.type:<{width}}{shape:<22}{row.params:>9,}  {row.activation or '-'}")
    return "\n".join(lines)


def compare(model: keras.Model, expected: list[LayerRow | tuple]) -> list[str]:
    """Differences between `model` and the `expected` layer table, as sentences.

    Args:
        model: the model to inspect.
        expected: `LayerRow`s or `(type, output_shape, params, activation)` tuples;
            an `activation` of `None` in a row of a layer that has one means "any".

    Returns:
        An empty list when the model matches, else one sentence per difference.
    """
    actual = layer_table(model)
    expected = [LayerRow(*row) for row in expected]
    expected = [row._replace(type=canonical_type(row.type)) for row in expected]
    if [r.type for r in actual] != [r.type for r in expected]:
        return [
            "the layers differ: expected "
            + " -> ".join(r.type for r in expected)
            + ", got "
            + " -> ".join(r.type for r in actual)
        ]
    differences = []
    for index, (got, want) in enumerate(zip(actual, expected), start=1):
        where = f"layer {index} ({got.type})"
        if tuple(got.output_shape) != tuple(want.output_shape):
            differences.append(
                f"{where} has output shape {got.output_shape}, expected {tuple(want.output_shape)}"
            )
        if got.params != want.params:
            differences.append(f"{where} has {got.params:,} parameters, expected {want.params:,}")
        if want.activation is not None and got.activation != want.activation:
            differences.append(
                f"{where} has activation {got.activation!r}, expected {want.activation!r}"
            )
    return differences
