"""Experiments of assignment 02: single-factor variants of a baseline configuration."""

from __future__ import annotations

import math

import keras

from cnnkit.experiments.common import _accuracy, _pair
from cnnkit.models import cnn_from_config, learning_rate_of, validate_config
from cnnkit.training import train

RESULT_KEYS = (
    "name", "aspect", "value", "test_accuracy", "seconds", "params", "epochs", "history", "config"
)
"""The keys of every row of the table that `run_variants` returns."""


def changed_aspects(baseline: dict, variant: dict) -> list[str]:
    """The keys whose values differ between two configurations, in the baseline's key order.

    Both must be complete, valid configurations (see `cnnkit.models.SIMPLE_CNN_CONFIG`):
    `changed_aspects(baseline, dict(baseline, optimizer="adam"))` is `["optimizer"]`. A
    learning rate counts as changed when the variant's optimizer trains with another rate
    than the baseline's setting gives it: `dict(baseline, optimizer="adam",
    learning_rate=0.001)` (Adam's default written out) changes only the optimizer.
    """
    validate_config(baseline)
    validate_config(variant)
    return [key for key in baseline if _differs(baseline, variant, key)]


def _differs(baseline: dict, variant: dict, key: str) -> bool:
    if key != "learning_rate":
        return baseline[key] != variant[key]
    # the rate the variant's optimizer trains with, against the rate it would have with
    # the baseline's setting: writing out a default (0.001 for Adam) changes nothing
    optimizer = variant["optimizer"]
    return not math.isclose(learning_rate_of(optimizer, variant[key]),
                            learning_rate_of(optimizer, baseline[key]))


def describe_change(baseline: dict, variant: dict) -> tuple[str, str]:
    """The changed aspect(s) and new value(s) as text, e.g. `("optimizer", "adam")`."""
    aspects = changed_aspects(baseline, variant)
    if not aspects:
        return "-", "-"
    return ", ".join(aspects), ", ".join(str(variant[key]) for key in aspects)


def run_variants(
    baseline: dict,
    variants: list[dict],
    *,
    training_data: tuple,
    validation_data: tuple,
    test_data: tuple,
    verbose: int = 2,
) -> tuple[list[dict], list[keras.Model]]:
    """Train the baseline and then every variant from scratch; return a table and the models.

    Args:
        baseline: a complete configuration, e.g. `dict(cnnkit.models.SIMPLE_CNN_CONFIG)`.
        variants: configurations, each normally `dict(baseline, some_key=new_value)`.
        training_data: `(x, y)`: images `(N, 28, 28, 1)` float32, one-hot labels `(N, 10)`.
        validation_data: `(x_val, y_val)`, evaluated after every epoch (the curves).
        test_data: `(x_test, y_test)`, evaluated once after training (the table).
        verbose: 2 prints one line per epoch (and a progress bar in a notebook), 0 nothing.

    Returns:
        `(table, models)`. `table` has one dict per run, baseline first, with the keys
        `RESULT_KEYS`: run name, changed aspect(s) and value(s) (`"-"` for the baseline),
        test accuracy (a fraction), training seconds, parameter count, epochs, the history
        (metric -> one value per epoch) and the configuration. `models` holds the trained
        Keras models in the same order.
    """
    if not isinstance(variants, (list, tuple)):
        raise TypeError(f"variants must be a list of configurations, got {type(variants).__name__}")
    x, y = _pair(training_data, "training_data")
    val = _pair(validation_data, "validation_data")
    x_test, y_test = _pair(test_data, "test_data")
    runs = [("baseline", baseline)] + [(f"variant {i}", v) for i, v in enumerate(variants, 1)]
    for name, config in runs:
        try:
            validate_config(config)
        except (TypeError, ValueError) as error:
            raise type(error)(f"{name}: {error}") from None
    table, models = [], []
    for name, config in runs:
        aspect, value = describe_change(baseline, config)
        if verbose:
            change = "" if name == "baseline" else f": {aspect} = {value}"
            print(f"--- {name}{change} ({config['epochs']} epochs)")
        model = cnn_from_config(config)
        record = train(
            model, x, y, epochs=config["epochs"], batch_size=config["batch_size"],
            validation_data=val, verbose=verbose,
        )
        table.append({
            "name": name, "aspect": aspect, "value": value,
            "test_accuracy": _accuracy(model, x_test, y_test),
            "seconds": round(record.seconds, 1), "params": record.params,
            "epochs": config["epochs"], "history": record.history, "config": dict(config),
        })
        models.append(model)
    return table, models


def format_results(table: list[dict]) -> str:
    """The table of `run_variants` as aligned text, with the gain over the baseline in points."""
    if not table:
        raise ValueError("the results table is empty")
    base = table[0]["test_accuracy"]
    a = max(len("changed aspect"), *(len(row["aspect"]) for row in table)) + 2
    v = max(len("value"), *(len(row["value"]) for row in table)) + 2
    lines = [
        f"{'run':<11}{'changed aspect':<{a}}{'value':<{v}}{'test acc':>8}{'vs base':>9}"
        f"{'seconds':>9}{'params':>10}"
    ]
    for row in table:
        gain = "" if row is table[0] else f"{100 * (row['test_accuracy'] - base):+.1f}"
        lines.append(
            f"{row['name']:<11}{row['aspect']:<{a}}{row['value']:<{v}}"
            f"{row['test_accuracy']:>8.4f}{gain:>9}{row['seconds']:>9.1f}{row['params']:>10,}"
        )
    return "\n".join(lines)
