"""Hidden tests of assignment 02: single-factor variants, trained as configured.

A variant counts only if its model was built and trained exactly as its
configuration says, and it beats the baseline on the trusted test set.
"""

from __future__ import annotations

import math

import keras
import numpy as np

from cnnkit.architecture import compare, layer_table
from cnnkit.experiments import changed_aspects
from cnnkit.grading.common import measure_test_accuracy
from cnnkit.grading.trained import (
    check_distinct,
    check_fresh_run,
    check_generalises,
    check_measured,
    check_trained_on,
    trusted_fit_data,
)
from cnnkit.models import cnn_from_config


def check_trained_as(model: keras.Model, config: dict, n_train: int) -> None:
    """Assert that `model` has the layers and optimizer of `config` and was trained as it says.

    The optimizer's step counter must equal `epochs * ceil(n_train / batch_size)`, the
    number of weight updates of that many epochs over `n_train` training images.
    """
    if not isinstance(model, keras.Model):
        raise AssertionError(f"expected a keras.Model, got {type(model).__name__}")
    reference = cnn_from_config(config)
    differences = compare(model, layer_table(reference))
    if differences:
        raise AssertionError(
            "the model does not match its configuration: " + "; ".join(differences)
        )
    optimizer, wanted = getattr(model, "optimizer", None), reference.optimizer
    if type(optimizer) is not type(wanted):
        raise AssertionError(
            f"the model was trained with {type(optimizer).__name__}, "
            f"its configuration says {type(wanted).__name__}"
        )
    if not np.isclose(float(optimizer.learning_rate), float(wanted.learning_rate)):
        raise AssertionError(
            f"the model was trained with learning rate {float(optimizer.learning_rate):g}, "
            f"its configuration says {float(wanted.learning_rate):g}"
        )
    steps = config["epochs"] * math.ceil(n_train / config["batch_size"])
    if int(optimizer.iterations) != steps:
        raise AssertionError(
            f"the model made {int(optimizer.iterations)} training steps, but {config['epochs']} "
            f"epoch(s) with batch size {config['batch_size']} on {n_train} images make {steps}"
        )


def check_run_of(model: keras.Model, config: dict, log, n_train: int, data: str,
                 label: str) -> None:
    """Assert that the notebook's training run that produced `model` (`check_trained_by_kit`)
    made the steps of `config` on the training data whose fingerprint is `data`, from
    weights no earlier run produced (a fresh model, as `run_variants` builds)."""
    steps = config["epochs"] * math.ceil(n_train / config["batch_size"])
    how = f"{config['epochs']} epoch(s) with batch size {config['batch_size']} on {n_train} images"
    check_trained_on(check_fresh_run(model, log, steps, how, label), data, n_train, label)


def check_variant_gain(
    baseline_model: keras.Model,
    best_model: keras.Model,
    best_config: dict,
    baseline: dict,
    variants: list,
    name: str,
    points: float,
    n_train: int,
    log: list | None = None,
) -> None:
    """Assert that a one-aspect variant beats the baseline by `points` on the trusted test set.

    Both models must have been built and trained as their configurations say
    (`check_trained_as`); `best_config` must be one of `variants` and differ from
    `baseline` in exactly one aspect. With the training `log`
    (`cnnkit.provenance.training_log()`), both must hold weights the notebook's training
    produced with their configuration's steps on the first `n_train` training images
    (`check_run_of`: a baseline trained on shuffled labels makes no variant look good), and
    the best one must not be fitted to the test set (`cnnkit.grading.trained`).
    """
    if best_config not in list(variants):
        raise AssertionError("the best model's configuration is not one of the variants")
    aspects = changed_aspects(baseline, best_config)
    if len(aspects) != 1:
        raise AssertionError(f"the best variant changes {len(aspects)} aspects, not one")
    check_trained_as(baseline_model, baseline, n_train)
    check_trained_as(best_model, best_config, n_train)
    if log is not None:
        data = trusted_fit_data(name, n_train)
        check_run_of(baseline_model, baseline, log, n_train, data, "the baseline model")
        check_run_of(best_model, best_config, log, n_train, data, "the best model")
        check_generalises(best_model, name, "the best model")
    base = measure_test_accuracy(baseline_model, name)
    best = measure_test_accuracy(best_model, name)
    gain = 100 * (best - base)
    if gain < points - 1e-9:  # exactly `points` passes, as in the visible check
        raise AssertionError(
            f"measured on the {name} test set, the best variant ({aspects[0]}) reaches "
            f"{best:.4f} against the baseline's {base:.4f}: {gain:+.1f} points, "
            f"at least {points:g} required"
        )
    print(f"measured: baseline {base:.4f}, {aspects[0]} variant {best:.4f} ({gain:+.1f} points)")


def check_results_measured(results, trained_models, baseline: dict, variants, log, name: str,
                           n_train: int) -> None:
    """Assert that every row of a `run_variants` table reports what its model measures.

    Row 0 is the baseline, row `i` variant `i`; `trained_models` holds their models in the
    same order. Each model must be built and trained as its row's configuration says
    (`check_trained_as`), by the notebook's training, each one separately, on the first
    `n_train` training images (`check_run_of`), and have the row's parameter count and test
    accuracy on the trusted test set.
    """
    configs = [baseline, *list(variants)]
    if not isinstance(results, list) or len(results) != len(configs):
        raise AssertionError(f"the table has {len(results) if isinstance(results, list) else 0}"
                             f" rows, expected {len(configs)}")
    if not isinstance(trained_models, list) or len(trained_models) != len(configs):
        raise AssertionError(f"expected {len(configs)} trained models, one per row")
    check_distinct(trained_models, log, "the model of row")
    data = trusted_fit_data(name, n_train)
    for index, (row, model, config) in enumerate(zip(results, trained_models, configs)):
        what = "the baseline" if index == 0 else f"variant {index}"
        if not isinstance(row, dict) or row.get("config") != config:
            raise AssertionError(f"row {index + 1} is not {what}")
        check_trained_as(model, config, n_train)
        check_run_of(model, config, log, n_train, data, f"the model of {what}")
        if row.get("params") != model.count_params():
            raise AssertionError(f"the row of {what} reports {row.get('params')} parameters, its "
                                 f"model has {model.count_params():,}")
        check_measured(row.get("test_accuracy"), model, name, f"the test accuracy of {what}")
    print(f"measured: all {len(configs)} rows")
