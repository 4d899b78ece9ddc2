"""Checks for assignment 05 (a compact CNN): the parameter budget, the layer rules, the
training and the accuracy tiers. The table of part 4 and the kernel-size sweep of part 6
have their own modules, `cnnkit.checks.receptive_table` and `cnnkit.checks.kernel_sizes`.

The rules accept every way of writing the same network: activations as arguments or as
layers, Sequential or Functional, with or without biases. A `SeparableConv2D` or
`DepthwiseConv2D` counts as a convolution, and a `Dense` layer applied to an image
(rank-4 input) is a 1x1 convolution.
"""

from __future__ import annotations

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
    if optimizer is not None and int(optimizer.iterations) == 0:
        _fail("the model's optimizer has made no training step, so it is not the one "
              "cnnkit.train trained with: compile compact_model (with its schedule) before "
              "cnnkit.train, and do not compile it again after training")
    check_gradable(model, "compact_model")
    print(f"OK: {len(values['val_loss'])} epochs with validation curves, learning rate "
          f"from {type(schedule).__name__}")


def check_partial_credit(accuracy: float) -> None:
    """Check that a test accuracy, measured on the trusted test set, earns points of the main
    tier: the hidden test's own rule (`cnnkit.grading.compact_cnn.tier_points`), so that a
    model this check passes earns points there too (from `PARTIAL_CREDIT_FROM`, 0.9507)."""
    from cnnkit.grading import compact_cnn as tiers  # the hidden test's own rule

    points = tiers.tier_points(accuracy, tiers.MAIN_TIER_POINTS)
    if not points > 0:
        _fail(f"test accuracy {float(accuracy):.4f} earns no points yet: the main tier gives "
              f"partial credit from {tiers.PARTIAL_CREDIT_FROM:.4f} and all "
              f"{tiers.MAIN_TIER_POINTS} points at {tiers.COMPACT_MINIMUM:.4f}. Check the "
              "schedule's learning rate, the number of epochs and the design of part 3")
    print(f"OK: test accuracy {float(accuracy):.4f} earns {points:g} of "
          f"{tiers.MAIN_TIER_POINTS} points of the main tier")


def check_compact_test_accuracy(reported, model: keras.Model) -> None:
    """Check that `reported` (the notebook's `compact_test_accuracy`) is what `model`
    measures on the trusted MNIST test set, as the hidden test measures it (the test
    images as `cnnkit.to_model_input` prepares them), and that this measured accuracy
    earns points of the main tier (`check_partial_credit`)."""
    from cnnkit.grading.trained import check_measured  # the hidden test's own measurement

    try:
        measured = check_measured(reported, model, "mnist", "compact_test_accuracy")
    except AssertionError as error:
        _fail(f"{error}. The hidden test gives `compact_model` the test images as "
              "cnnkit.to_model_input prepares them (values in [0, 1]): leave x_test_prepared "
              "as it is, and if your model wants other inputs (standardised, say), do that "
              "inside the model, e.g. with a layers.Normalization or layers.Rescaling layer "
              "right after keras.Input")
    check_partial_credit(measured)
