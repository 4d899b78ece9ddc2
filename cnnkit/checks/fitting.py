"""Checks for assignment 04: the labels `underfit`, `good` and `overfit` of a set of runs."""

from __future__ import annotations

from cnnkit.checks.common import _fail
from cnnkit.experiments.fitting import FIT_LABELS, RUN_KEYS, VALIDATION_IMAGES, fit_rule


def check_fit_runs(runs) -> None:
    """Check that `runs` is the dict that `cnnkit.experiments.compare_runs` returns."""
    if not isinstance(runs, dict) or not runs:
        _fail("`fit_runs` must be the dict of runs that cnnkit.experiments.compare_runs "
              f"returns (run name -> its measurements), got {type(runs).__name__}")
    for name, run in runs.items():
        if not isinstance(run, dict) or any(key not in run for key in RUN_KEYS):
            _fail(f"the run {name!r} is not a run of compare_runs: it needs the keys "
                  f"{', '.join(RUN_KEYS)}")


def check_fit_labels(labels, runs, models=None, positions=None, log=None,
                     dataset: str = "mnist") -> None:
    """Check that `labels` gives every run of `runs` exactly one of `FIT_LABELS`.

    With the trained `models`, the training images' `positions` and the training `log`
    (`cnnkit.provenance.training_log()`), first check the runs as the hidden test does:
    the notebook's three settings, trained as prescribed, and a table that reports what
    the models measure on those images. The labels themselves are checked for form only;
    the message says by which rule the hidden test judges them.
    """
    check_fit_runs(runs)
    if models is not None:
        _check_runs_as_graded(runs, models, positions, log, dataset)
    example = {name: FIT_LABELS[0] for name in list(runs)[:2]}
    if not isinstance(labels, dict):
        _fail(f"`fit_labels` must be a dict: run name -> label, e.g. {example}; "
              f"got {type(labels).__name__}")
    missing = [name for name in runs if name not in labels]
    extra = [name for name in labels if name not in runs]
    if missing or extra:
        _fail(f"label every run of fit_runs once, by its name: missing {missing}, "
              f"unknown {extra}; the runs are {list(runs)}")
    for name, label in labels.items():
        if label not in FIT_LABELS:
            _fail(f"the label of {name!r} is {label!r}; use one of {', '.join(FIT_LABELS)} "
                  "(lower case, as strings)")
    print(f"OK: a label for each of the {len(runs)} runs. The hidden test compares them with "
          f"what the trained models measure, by the rule: {fit_rule()}.")


def _check_runs_as_graded(runs, models, positions, log, dataset: str) -> None:
    from cnnkit.grading import fitting  # the hidden test's own rules

    try:
        fitting.check_prescribed_runs(runs, models, positions, log)
    except AssertionError as error:
        _fail(f"{error}. Call compare_runs with build_fit_cnn, fit_settings, "
              "epochs=FIT_EPOCHS and batch_size=FIT_BATCH_SIZE, as the text says, and run the "
              "notebook again from the top.")
    try:
        fitting.check_runs_measured(runs, models, positions, dataset)
    except AssertionError as error:
        _fail(f"{error}: train on training_data=(x_train_prepared[fit_train_positions], "
              "y_train[fit_train_positions]) and validate on validation_data="
              f"(x_train_prepared[-{VALIDATION_IMAGES}:], y_train[-{VALIDATION_IMAGES}:]), "
              "exactly as the text says, and run the notebook again from the top.")
