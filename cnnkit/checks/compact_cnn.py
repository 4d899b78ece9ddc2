"""Checks for assignment 05 (a compact CNN): the parameter budget, the layer rules, the table.

The rules accept every way of writing the same network: activations as arguments or as
layers, Sequential or Functional, with or without biases. A `SeparableConv2D` or
`DepthwiseConv2D` counts as a convolution, and a `Dense` layer applied to an image
(rank-4 input) is a 1x1 convolution.
"""

from __future__ import annotations

import numbers

import keras

from cnnkit.checks.common import _fail
from cnnkit.checks.gradable import check_gradable
from cnnkit.receptive import (
    _KERNEL_LAYERS,
    ReceptiveRow,
    format_receptive_fields,
    leaf_layers,
    receptive_fields,
)

BUDGET = 20_000
"""At most this many parameters (`model.count_params()`, BatchNormalization's included)."""


def _rows(model: keras.Model) -> list[ReceptiveRow]:
    if not isinstance(model, keras.Model):
        _fail(f"expected a keras.Model, got {type(model).__name__}; did the function "
              "return the model?")
    try:
        return receptive_fields(model)
    except ValueError as error:
        _fail(str(error))


def _is_one_by_one(layer) -> bool:
    kind = type(layer).__name__
    if kind in ("Conv2D", "SeparableConv2D"):
        return tuple(layer.kernel_size) == (1, 1)
    return kind == "Dense" and len(layer.input.shape) == 4


def _flat_dense(model: keras.Model) -> list:
    return [layer for layer in leaf_layers(model)
            if type(layer).__name__ == "Dense" and len(layer.input.shape) == 2]


def _budget_advice(model: keras.Model, rows: list[ReceptiveRow], budget: int) -> str:
    """Where the parameters went: the biggest layers, and what to do about the usual ones."""
    total = model.count_params()
    biggest = sorted(rows, key=lambda r: r.params, reverse=True)[:3]
    shares = ", ".join(f"{r.description} {r.params:,} ({r.params / total:.0%})"
                       for r in biggest if r.params)
    advice = [f"the model has {total:,} parameters, {total - budget:,} over the budget of "
              f"{budget:,}. The biggest layers: {shares}"]
    for layer in _flat_dense(model):
        cost = layer.count_params()
        if cost > budget // 10:
            advice.append(
                f"Flatten -> Dense({layer.units}) here costs {cost:,} of your {budget:,} "
                "parameters: try GlobalAveragePooling2D (it averages each channel over all "
                "positions and has no parameters), after a 1x1 Conv2D with one filter per "
                "class")
    for row, layer in zip(rows, leaf_layers(model)):
        if row.type in _KERNEL_LAYERS and row.params > budget // 4:
            channels_in = layer.input.shape[-1]
            advice.append(
                f"{row.description} reads {channels_in} channels and costs {row.params:,}: "
                "use fewer filters, or cut the channels it reads first with a cheap 1x1 "
                "Conv2D")
    return "; ".join(dict.fromkeys(advice))


def layer_rule_problems(model: keras.Model, num_classes: int = 10) -> list[str]:
    """What breaks the layer rules of the compact CNN, one sentence each; empty when nothing.

    The rules: image input `(28, 28, 1)`, output `(num_classes,)`, a convolution, at least
    one 1x1 convolution, at least one BatchNormalization, and no Dense layer on a flat
    input wider than the output. The parameter budget is `budget_problem`'s job.
    """
    rows = _rows(model)
    problems = []
    if tuple(model.inputs[0].shape[1:]) != (28, 28, 1):
        problems.append(f"the input shape is {tuple(model.inputs[0].shape[1:])}: start with "
                        "keras.Input(shape=(28, 28, 1))")
    if rows and rows[-1].output_shape != (num_classes,):
        problems.append(f"the output shape is {rows[-1].output_shape}, expected "
                        f"({num_classes},): one score per class")
    if not any(r.type in _KERNEL_LAYERS for r in rows):
        problems.append("the model has no convolution: use Conv2D layers")
    if not any(_is_one_by_one(layer) for layer in leaf_layers(model)):
        problems.append("the model has no 1x1 convolution: add e.g. layers.Conv2D(8, 1) to "
                        "mix channels cheaply (it reads each position alone)")
    if not any(r.type == "BatchNormalization" for r in rows):
        problems.append("the model has no BatchNormalization layer: add one after a "
                        "convolution (use_bias=False there, BN has its own shift)")
    for layer in _flat_dense(model):
        if layer.units > num_classes:
            problems.append(
                f"Dense({layer.units}) on a flat input is wider than the {num_classes} outputs: "
                "drop the hidden dense layer and let convolutions and GlobalAveragePooling2D "
                f"do the work, ending in {num_classes} units")
    return problems


def budget_problem(model: keras.Model, budget: int = BUDGET) -> str | None:
    """Where the parameters went when `model` has more than `budget`; None when it keeps it."""
    rows = _rows(model)
    if model.count_params() <= budget:
        return None
    return _budget_advice(model, rows, budget)


def _fail_with_table(problems: list[str], model: keras.Model) -> None:
    table = format_receptive_fields(receptive_fields(model))
    _fail("\n".join(f"- {p}" for p in problems) + f"\n\nYour model:\n{table}")


def check_layer_rules(model: keras.Model, num_classes: int = 10) -> None:
    """Check the layer rules of the compact CNN (see `layer_rule_problems`)."""
    problems = layer_rule_problems(model, num_classes)
    if problems:
        _fail_with_table(problems, model)
    print("OK: a 1x1 convolution, BatchNormalization, no Dense layer wider than the output")
    check_gradable(model, "compact_model")


def check_parameter_budget(model: keras.Model, budget: int = BUDGET) -> None:
    """Check that `model` has at most `budget` parameters; else say where they went."""
    problem = budget_problem(model, budget)
    if problem:
        _fail_with_table([problem], model)
    print(f"OK: {model.count_params():,} of {budget:,} parameters")


def _field(value) -> tuple:
    """A receptive field as an `(height, width)` pair: from one whole number or a pair."""
    if isinstance(value, numbers.Integral):
        return (int(value), int(value))
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return (int(value), int(value))
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return tuple(_field(v)[0] for v in value)
    return (value,)


def _shape_of(value) -> tuple | None:
    """An output shape as a tuple of ints; None when it is not a sequence of whole numbers."""
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


def check_receptive_table(table, model: keras.Model) -> None:
    """Check a hand-made table against `model`, row by row.

    Args:
        table: one `(layer type, output shape, receptive field, parameters)` row for every
            layer that is not a pass-through (`ReceptiveRow.passes_through`: skip
            BatchNormalization, activations and Dropout), e.g.
            `("Conv2D", (26, 26, 8), 3, 80)`; output shapes without the batch axis.
        model: the model the table describes.
    """
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
              f"that are not pass-throughs: {listing} (leave out BatchNormalization, "
              "activations and Dropout)")
    for index, ((kind, shape, field, params), want) in enumerate(zip(table, expected), 1):
        where = f"row {index} ({want.description})"
        if not _same_layer_type(kind, want.type):
            _fail(f"row {index} says {kind!r}, but layer {index} of the model is "
                  f"{want.description}; the model's layers are: {listing}")
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
        if not isinstance(params, numbers.Integral) or int(params) != want.params:
            _fail(f"{where}: {params} parameters, the layer has {want.params:,}. A k x k "
                  "Conv2D has k * k * channels_in * filters weights, plus filters biases "
                  "unless use_bias=False")
    print(f"OK: {len(table)} rows match the model's output shapes, receptive fields and "
          "parameters")


def check_scheduled_training(model: keras.Model, history) -> None:
    """Check that `model` was trained with a learning-rate schedule and validation data."""
    values = getattr(history, "history", history)
    if not isinstance(values, dict):
        _fail("pass the TrainingRecord that cnnkit.train returned")
    if "val_accuracy" not in values or "val_loss" not in values:
        _fail("the history has no validation curves: pass validation_data=(x_val, y_val) "
              "(images split off the training set, never the test set)")
    if len(values["val_loss"]) < 2:
        _fail(f"the record holds {len(values['val_loss'])} epoch: train in one cnnkit.train "
              "call of at least 2 epochs (and pass the record it returns) so the curves show "
              "a trend")
    optimizer = getattr(model, "optimizer", None)
    schedule = getattr(optimizer, "_learning_rate", None)
    if not isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        _fail("the optimizer's learning rate is a constant: pass a schedule such as "
              "keras.optimizers.schedules.CosineDecay(...) as learning_rate")
    if getattr(keras.optimizers.schedules, type(schedule).__name__, None) is not type(schedule):
        _fail(f"the learning rate comes from {type(schedule).__name__}, a schedule class of "
              "your own: that is code, which the grader never runs, so the model could not "
              "be graded. Use one of Keras's schedules (keras.optimizers.schedules: "
              "CosineDecay, ExponentialDecay, PiecewiseConstantDecay, ...)")
    check_gradable(model, "compact_model")
    print(f"OK: {len(values['val_loss'])} epochs with validation curves, learning rate "
          f"from {type(schedule).__name__}")


def _kernel_sizes_of(model: keras.Model) -> set[int]:
    return {max(layer.kernel_size) for layer in leaf_layers(model)
            if type(layer).__name__ in _KERNEL_LAYERS and max(layer.kernel_size) > 1}


def check_kernel_sizes(table: dict, probe_3: keras.Model, probe_7: keras.Model,
                       minimum: float = 0.5) -> None:
    """Check a `replicated_sweep` table over kernel sizes 3, 5, 7 and two of its models.

    Args:
        table: the sweep's dict of lists, one run per kernel size (`"value"`), with
            `"params"` and `"test_accuracy"` (here measured on validation images).
        probe_3, probe_7: the models the builder returns for kernel sizes 3 and 7.
        minimum: every run must reach this accuracy (a run below it did not learn).
    """
    if not isinstance(table, dict) or not {"value", "params", "test_accuracy"} <= set(table):
        _fail("pass the table that cnnkit.experiments.replicated_sweep returned")
    if sorted(table["value"]) != [3, 5, 7]:
        _fail(f"the sweep ran kernel sizes {table['value']}, expected 3, 5 and 7 once each "
              "(one seed)")
    params = dict(zip(table["value"], table["params"]))
    for kernel, probe in ((3, probe_3), (7, probe_7)):
        if _kernel_sizes_of(probe) != {kernel}:
            _fail(f"build_kernel_cnn({kernel}) has kernels of sizes "
                  f"{sorted(_kernel_sizes_of(probe))}: use {kernel} x {kernel} in every "
                  "convolution except 1x1 ones")
        if probe.count_params() != params[kernel]:
            _fail(f"build_kernel_cnn({kernel}) has {probe.count_params():,} parameters but "
                  f"the table says {params[kernel]:,}: run the sweep with this builder")
    for kernel, accuracy in zip(table["value"], table["test_accuracy"]):
        if not accuracy >= minimum:
            _fail(f"kernel size {kernel} reached only {accuracy:.3f}: a run this low did not "
                  "learn; check the optimizer and the data")
    print("OK: kernel sizes 3, 5, 7 with " + ", ".join(f"{params[k]:,}" for k in (3, 5, 7))
          + " parameters")
