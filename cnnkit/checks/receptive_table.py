"""Checks for assignment 05's hand-made table: output shapes, receptive fields, parameters.

The table describes the student's compact model, row by row, in the order
`model.summary()` lists the layers (nested models unrolled, as
`model.summary(expand_nested=True)` shows them). The model must keep the layer rules of
the compact CNN: a table of some other, simpler model is not the exercise.
"""

from __future__ import annotations

import numbers

import keras

from cnnkit.checks.common import _fail
from cnnkit.checks.compact_cnn import _rows, layer_rule_problems
from cnnkit.receptive import ReceptiveRow


def _plain(value):
    """`value` with NumPy arrays and NumPy numbers turned into lists and Python numbers, so
    that `np.array([5, 5])` is read like `[5, 5]`."""
    return value.tolist() if hasattr(value, "tolist") else value


def _field(value) -> tuple:
    """A receptive field as an `(height, width)` pair: from one whole number or a pair."""
    value = _plain(value)
    if isinstance(value, numbers.Integral):
        return (int(value), int(value))
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return (int(value), int(value))
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return tuple(_field(v)[0] for v in value)
    return (value,)


def _shape_of(value) -> tuple | None:
    """An output shape as a tuple of ints; None when it is not a sequence of whole numbers."""
    value = _plain(value)
    if not isinstance(value, (tuple, list)):
        return None
    if not all(isinstance(n, numbers.Integral) for n in value):
        return None
    return tuple(int(n) for n in value)


def _same_layer_type(written, kind: str) -> bool:
    """True when `written` names the layer class `kind`, or a Keras alias of it
    (`Convolution2D` for `Conv2D`, `MaxPool2D` for `MaxPooling2D`)."""
    if str(written).lower() == kind.lower():
        return True
    alias = getattr(keras.layers, str(written), None)
    return alias is not None and alias is getattr(keras.layers, kind, object())


def _same_params(written, count: int) -> bool:
    return isinstance(written, numbers.Integral) and int(written) == count


def _describes(row: tuple, want: ReceptiveRow) -> bool:
    """True when the table row `row` is right for the model's layer `want`."""
    kind, shape, field, params = (_plain(entry) for entry in row)
    return (_same_layer_type(kind, want.type) and _shape_of(shape) == want.output_shape
            and _field(field) == _field(want.receptive_field)
            and _same_params(params, want.params))


def _check_model_keeps_the_rules(model: keras.Model) -> None:
    problems = layer_rule_problems(model)
    if problems:
        _fail("the table must describe your compact model, and `compact_model` breaks the "
              "layer rules of part 3: " + "; ".join(problems) + ". Fix build_compact_cnn "
              "(the check of part 3 says how), keep `compact_model = build_compact_cnn()`, "
              "and write the table of that model")


def check_receptive_table(table, model: keras.Model) -> None:
    """Check a hand-made table against `model`, row by row, once `model` keeps the layer
    rules of the compact CNN (`layer_rule_problems`).

    Args:
        table: one `(layer type, output shape, receptive field, parameters)` row for every
            layer that is not a pass-through (`ReceptiveRow.passes_through`: skip
            BatchNormalization, activations and Dropout), in the order `model.summary()`
            lists the layers, e.g. `("Conv2D", (26, 26, 8), 3, 80)`; output shapes without
            the batch axis. NumPy numbers and arrays are read as Python numbers and lists.
        model: the model the table describes.
    """
    _check_model_keeps_the_rules(model)
    expected = [r for r in _rows(model) if not r.passes_through]
    listing = ", ".join(r.description for r in expected)
    try:
        table = [tuple(row) for row in table]
    except TypeError:
        _fail("the table must be a list of (layer type, output shape, receptive field, "
              "parameters) rows")
    if any(len(row) != 4 for row in table):
        _fail("every row needs 4 entries: (layer type, output shape, receptive field, "
              "parameters)")
    if len(table) != len(expected):
        _fail(f"the table has {len(table)} rows, but the model has {len(expected)} layers "
              f"that are not pass-throughs, as model.summary() lists them: {listing} (leave "
              "out BatchNormalization, activations and Dropout)")
    order = ("The rows follow the order in which model.summary() lists the layers (for a "
             "functional model that is the order of the graph, not always the order your "
             f"code creates them): {listing}")
    for index, (row, want) in enumerate(zip(table, expected), 1):
        kind, shape, field, params = (_plain(entry) for entry in row)
        where = f"row {index} ({want.description})"
        if not _describes(row, want):
            other = next((j for j, r in enumerate(expected, 1) if _describes(row, r)), None)
            if other is not None:
                _fail(f"row {index} describes layer {other} of the model, "
                      f"{expected[other - 1].description}, but layer {index} is "
                      f"{want.description}. {order}")
        if not _same_layer_type(kind, want.type):
            _fail(f"row {index} says {kind!r}, but layer {index} of the model is "
                  f"{want.description}. {order}")
        if _shape_of(shape) is None:
            _fail(f"{where}: the output shape {shape!r} must be a tuple of whole numbers, "
                  f"e.g. {want.output_shape} (a vector's shape is written (10,), with a comma)")
        if _shape_of(shape) != want.output_shape:
            _fail(f"{where}: output shape {tuple(shape)}, the model gives {want.output_shape}. "
                  "Without padding a k x k kernel turns n positions into n - k + 1, with "
                  "stride s into floor((n - k) / s) + 1; padding='same' gives ceil(n / s)")
        if _field(field) != _field(want.receptive_field):
            _fail(f"{where}: receptive field {field}, the model's is {want.receptive_field}. "
                  "r_out = r_in + (k - 1) * j_in, where the jump j_in is the product of the "
                  "strides before this layer (pooling included)")
        if not _same_params(params, want.params):
            _fail(f"{where}: {params} parameters, the layer has {want.params:,}. A k x k "
                  "Conv2D has k * k * channels_in * filters weights, plus filters biases "
                  "unless use_bias=False")
    print(f"OK: {len(table)} rows match the model's output shapes, receptive fields and "
          "parameters")
