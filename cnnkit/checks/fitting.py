"""Checks for assignment 04: the labels `underfit`, `good` and `overfit` of a set of runs."""

from __future__ import annotations

from cnnkit.checks.common import _fail
from cnnkit.experiments.fitting import FIT_LABELS, RUN_KEYS, fit_rule


def check_fit_runs(runs) -> None:
    """Check that `runs` is the dict that `cnnkit.experiments.compare_runs` returns."""
    if not isinstance(runs, dict) or not runs:
        _fail("`fit_runs` must be the dict of runs that cnnkit.experiments.compare_runs "
              f"returns (run name -> its measurements), got {type(runs).__name__}")
    for name, run in runs.items():
        if not isinstance(run, dict) or any(key not in run for key in RUN_KEYS):
            _fail(f"the run {name!r} is not a run of compare_runs: it needs the keys "
                  f"{', '.join(RUN_KEYS)}")


def check_fit_labels(labels, runs) -> None:
    """Check that `labels` gives every run of `runs` exactly one of `FIT_LABELS`.

    It checks the form only, and says by which rule the hidden test judges the labels.
    """
    check_fit_runs(runs)
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
