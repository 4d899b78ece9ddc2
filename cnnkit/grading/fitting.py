"""Hidden test of assignment 04: the labels underfit, good and overfit, against the models.

The student labels each run of `cnnkit.experiments.compare_runs` from its table. The
hidden test does not trust that table: it measures every captured model again, on the
trusted training images it was trained on (by their positions) and on the trusted
validation images (the last `VALIDATION_IMAGES` of the training set), checks that the
table reports what the models measure, and labels every run by
`cnnkit.experiments.fit_label`, the rule the notebook states. Labels written without
running the experiment, a table of made-up numbers, or models that training did not
produce fail, and so do runs other than the notebook's (`check_prescribed_runs`: one
fresh model per filter count, each trained the prescribed epochs on its 1,000 images).
The visible `cnnkit.checks.check_fit_labels` applies the same rules first.
"""

from __future__ import annotations

import math

import keras
import numpy as np

from cnnkit.checks.fitting import check_fit_labels
from cnnkit.data import load_dataset, to_model_input
from cnnkit.experiments.fitting import VALIDATION_IMAGES, fit_label, fit_rule, measure_fit
from cnnkit.grading.trained import check_distinct, check_fresh_run

TOLERANCE = 0.002
"""How far a reported accuracy may be from the one measured again (float rounding)."""

FIT_FILTERS = (2, 16, 96)
"""The filters of the notebook's three runs (`fit_settings`), one run each."""
FIT_EPOCHS, FIT_BATCH_SIZE, FIT_IMAGES = 10, 32, 1000
"""Every run: `FIT_EPOCHS` epochs of batches of `FIT_BATCH_SIZE` on `FIT_IMAGES` images."""


def _positions(positions, available: int) -> np.ndarray:
    index = np.asarray(positions)
    if index.ndim != 1 or index.dtype.kind not in "iu" or len(index) == 0:
        raise AssertionError("the training positions must be a non-empty 1-D array of integers")
    if index.min() < 0 or index.max() >= available or len(np.unique(index)) != len(index):
        raise AssertionError(f"the training positions must be distinct and below {available:,}: "
                             f"the last {VALIDATION_IMAGES:,} training images are the "
                             "validation set")
    return index


def measured_fits(models, positions, name: str) -> list[tuple[float, float]]:
    """(training accuracy, validation accuracy) of every model, measured on the trusted
    `name` training images at `positions` and on its last `VALIDATION_IMAGES` training
    images."""
    (x_train, y_train), _ = load_dataset(name)
    index = _positions(positions, len(y_train) - VALIDATION_IMAGES)
    x_fit, y_fit = to_model_input(x_train[index]), y_train[index]
    x_val, y_val = to_model_input(x_train[-VALIDATION_IMAGES:]), y_train[-VALIDATION_IMAGES:]
    return [(measure_fit(model, x_fit, y_fit)[1], measure_fit(model, x_val, y_val)[1])
            for model in models]


def check_prescribed_runs(runs, models, positions, log) -> None:
    """Assert that `runs` and `models` are the notebook's runs: one per filter count of
    `FIT_FILTERS`, each a fresh model with that many filters in every convolution, trained
    by the kit for `FIT_EPOCHS` epochs of `FIT_BATCH_SIZE` on `FIT_IMAGES` images."""
    models = list(models) if isinstance(models, (list, tuple)) else []
    if len(models) != len(runs) or not all(isinstance(m, keras.Model) for m in models):
        raise AssertionError(f"fit_runs has {len(runs)} runs but {len(models)} trained models")
    filters = [str(run["setting"].get("filters")) if isinstance(run.get("setting"), dict)
               and len(run["setting"]) == 1 else repr(run.get("setting")) for run in runs.values()]
    if sorted(filters) != sorted(map(str, FIT_FILTERS)):
        raise AssertionError(f"the runs must be those of fit_settings, with {FIT_FILTERS} "
                             f"filters; these runs have the settings {filters}")
    if len(np.asarray(positions).reshape(-1)) != FIT_IMAGES:
        raise AssertionError(f"the runs must train on the {FIT_IMAGES:,} images of "
                             f"fit_train_positions, not {len(np.asarray(positions).reshape(-1))}")
    steps = FIT_EPOCHS * math.ceil(FIT_IMAGES / FIT_BATCH_SIZE)
    how = f"{FIT_EPOCHS} epochs of {FIT_BATCH_SIZE} images on {FIT_IMAGES:,} images"
    for (run_name, run), model in zip(runs.items(), models):
        wanted = int(run["setting"]["filters"])
        convolutions = [layer.filters for layer in model.layers
                        if isinstance(layer, keras.layers.Conv2D)]
        if not convolutions or any(count != wanted for count in convolutions):
            raise AssertionError(f"the model of the run {run_name!r} has convolutions of "
                                 f"{convolutions} filters, not {wanted}: build every run's "
                                 "model with build_fit_cnn(**setting)")
        check_fresh_run(model, log, steps, how, f"the model of the run {run_name!r}")


def check_runs_measured(runs, models, positions, name: str) -> list[tuple[float, float]]:
    """Assert that every run reports what its model measures on the trusted training images
    at `positions` and validation images; return the (training, validation) accuracies."""
    fits = measured_fits(models, positions, name)
    for (run_name, run), measured_pair in zip(runs.items(), fits):
        for what, reported, measured in (("training", run["train_accuracy"], measured_pair[0]),
                                         ("validation", run["val_accuracy"], measured_pair[1])):
            if isinstance(reported, bool) or not isinstance(reported, (int, float)) or not abs(
                    float(reported) - measured) <= TOLERANCE:
                raise AssertionError(
                    f"the run {run_name!r} reports a {what} accuracy of {reported!r}, but its "
                    f"model measures {measured:.4f} on the {what} images")
    return fits


def check_fit_labels_of(labels, runs, models, positions, name: str, log) -> None:
    """Assert that `labels` names every run as `fit_label` does for its measured model.

    `runs` and `models` are what `compare_runs` returned, `positions` the positions of its
    training images in the `name` training set, `log` `cnnkit.provenance.training_log()`.
    """
    check_fit_labels(labels, runs)
    check_prescribed_runs(runs, models, positions, log)
    check_distinct(list(models), log, "the model of run")
    wrong = []
    for run_name, (train, val) in zip(runs, check_runs_measured(runs, models, positions, name)):
        expected = fit_label(train, val)
        print(f"measured: {run_name}: training {train:.4f}, validation {val:.4f} -> {expected}")
        if labels[run_name] != expected:
            wrong.append(f"{run_name!r} is {expected}, not {labels[run_name]}")
    if wrong:
        raise AssertionError(f"{'; '.join(wrong)} (the rule: {fit_rule()})")
