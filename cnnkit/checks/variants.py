"""Checks for assignment 02: single-factor variants of a baseline configuration.

Each variant changes exactly one aspect of the baseline, so that a difference in
accuracy can be traced to that aspect.
"""

from __future__ import annotations

import numpy as np

from cnnkit.checks.common import _fail
from cnnkit.experiments import RESULT_KEYS, changed_aspects, describe_change
from cnnkit.models import cnn_from_config, validate_config


def _listing(names) -> str:
    """`'a'`, `'a' and 'b'`, `'a', 'b' and 'c'`."""
    names = [repr(name) for name in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _aspects(baseline: dict, variant, index: int) -> list[str]:
    try:
        return changed_aspects(baseline, variant)
    except (TypeError, ValueError) as error:
        _fail(f"variant {index} is not a valid configuration: {error}")


def check_variant_configs(variants, minimum: int = 5) -> None:
    """Check that `variants` is a list of at least `minimum` complete, valid configurations."""
    if not isinstance(variants, (list, tuple)):
        _fail(f"`variants` must be a list of configurations (dicts), got {type(variants).__name__}")
    if len(variants) < minimum:
        _fail(
            f"there are {len(variants)} variants; make at least {minimum}, "
            "each changing one aspect of the baseline"
        )
    problems = []
    for index, variant in enumerate(variants, start=1):
        try:
            validate_config(variant)
        except (TypeError, ValueError) as error:
            problems.append(f"variant {index}: {error}")
    if problems:
        _fail("\n".join(problems))
    print(f"OK: {len(variants)} valid configurations")


def check_one_change_each(baseline: dict, variants, original: dict | None = None) -> None:
    """Check that every variant differs from `baseline` in exactly one aspect (key).

    With `original`, first check that `baseline` still equals it: the grader compares the
    variants with the original baseline, not with an edited one.
    """
    if original is not None and baseline != original:
        edited = [key for key in original if baseline.get(key) != original[key]]
        _fail(f"`baseline` has been changed ({_listing(edited or list(baseline))}): a variant "
              "was probably made with `variant = baseline` and then edited, which edits the "
              "baseline too. Restore it with baseline = dict(cnnkit.models.SIMPLE_CNN_CONFIG) "
              "and make every variant a copy: dict(baseline, key=value)")
    problems = []
    for index, variant in enumerate(variants, start=1):
        aspects = _aspects(baseline, variant, index)
        if not aspects:
            problems.append(f"variant {index} is the same as the baseline: change one value")
        elif len(aspects) == 2:
            problems.append(f"variant {index} changes both {_listing(aspects)}")
        elif len(aspects) > 2:
            problems.append(f"variant {index} changes {len(aspects)} aspects: {_listing(aspects)}")
    if problems:
        _fail(
            "\n".join(problems) + "\nChange exactly one aspect per variant, e.g. "
            "dict(baseline, epochs=20), so that a difference in accuracy can be traced to it."
        )
    print(f"OK: each of the {len(variants)} variants changes exactly one aspect")


def check_distinct_aspects(baseline: dict, variants, minimum: int = 5) -> None:
    """Check that the variants change at least `minimum` aspects and no aspect twice."""
    changed_by: dict[str, list[int]] = {}
    for index, variant in enumerate(variants, start=1):
        for aspect in _aspects(baseline, variant, index):
            changed_by.setdefault(aspect, []).append(index)
    repeated = [
        f"variants {', '.join(map(str, who[:-1]))} and {who[-1]} all change {aspect!r}"
        if len(who) > 2 else f"variants {who[0]} and {who[1]} both change {aspect!r}"
        for aspect, who in changed_by.items() if len(who) > 1
    ]
    if repeated:
        _fail("\n".join(repeated) + "\nLet each variant explore a different aspect.")
    if len(changed_by) < minimum:
        unused = [key for key in baseline if key not in changed_by]
        _fail(
            f"the variants change only {len(changed_by)} different aspects"
            f"{': ' + _listing(changed_by) if changed_by else ''}; change at least {minimum}, "
            f"e.g. from {_listing(unused)}"
        )
    print(f"OK: {len(changed_by)} different aspects: {_listing(changed_by)}")


def check_results_table(table, baseline: dict, variants) -> None:
    """Check a `run_variants` table: the baseline and every variant, each row complete."""
    if not isinstance(table, (list, tuple)) or not all(isinstance(r, dict) for r in table):
        _fail("the results table must be the list of dicts that run_variants returns")
    if len(table) != len(variants) + 1:
        _fail(
            f"the table has {len(table)} rows, expected {len(variants) + 1} (the baseline and "
            f"{len(variants)} variants): run run_variants again with all your variants"
        )
    for index, row in enumerate(table):
        name = "the baseline" if index == 0 else f"variant {index}"
        missing = [key for key in RESULT_KEYS if key not in row]
        if missing:
            _fail(f"the row of {name} lacks {_listing(missing)}")
        config = baseline if index == 0 else variants[index - 1]
        if row["config"] != config:
            _fail(f"row {index + 1} is not {name}: run run_variants again after editing variants")
        if (row["aspect"], row["value"]) != describe_change(baseline, config):
            aspect, value = describe_change(baseline, config)
            _fail(f"the row of {name} says it changes {row['aspect']!r} to {row['value']!r}, but "
                  f"its configuration changes {aspect!r} to {value!r}: do not edit the table by "
                  "hand; run run_variants again to rebuild it")
        accuracy = row["test_accuracy"]
        if not isinstance(accuracy, (float, int)) or not 0 <= accuracy <= 1:
            _fail(f"the test accuracy of {name} must be a fraction in [0, 1], got {accuracy!r}")
        if not isinstance(row["seconds"], (float, int)) or not row["seconds"] > 0:
            _fail(f"the training time of {name} must be a positive number of seconds")
        if row["params"] != cnn_from_config(config).count_params():
            _fail(f"the parameter count of {name} does not match its configuration")
        for metric in ("loss", "accuracy", "val_loss", "val_accuracy"):
            values = row["history"].get(metric) if isinstance(row["history"], dict) else None
            if values is None or len(values) != config["epochs"]:
                _fail(f"the history of {name} needs {config['epochs']} values of {metric!r}")
            if not np.all(np.isfinite(values)):
                _fail(f"the {metric!r} curve of {name} is not finite: training diverged")
    print(f"OK: {len(table)} complete rows (the baseline and {len(variants)} variants)")


def check_results_models(table, trained_models, baseline: dict, variants, dataset: str,
                         n_train: int) -> None:
    """Check the models behind a `run_variants` table as the hidden test does: each trained
    by the notebook as its configuration says (its layers, optimizer settings, loss and
    steps), on the first `n_train` training images (`x_fit`, `y_fit`), and measuring its
    row's test accuracy on the `dataset` test set."""
    from cnnkit.grading.variants import check_results_measured  # the hidden test's own rules
    from cnnkit.provenance import training_log

    models = list(trained_models) if isinstance(trained_models, tuple) else trained_models
    try:
        check_results_measured(list(table), models, baseline, list(variants), training_log(),
                               dataset, n_train)
    except AssertionError as error:
        _fail(f"{error}. Call run_variants as the text says: training_data=(x_fit, y_fit) and "
              "test_data=(x_test_prepared, y_test_onehot), with the trained_models it returns "
              "unchanged (run_variants builds and compiles every model as its configuration "
              "says: do not compile, train or replace them yourself); then run the notebook "
              "again from the top.")
    print(f"OK: the {len(table)} models were trained as configured on x_fit and y_fit, and "
          "measure their rows' test accuracies")


def check_improvement(table, points: float = 5.0) -> int:
    """Check that a single-change variant beats the baseline row by `points` percentage points.

    First, as the hidden test does, the baseline row must reach what the baseline reaches
    when trained as configured (`cnnkit.grading.variants.check_baseline_accuracy`).
    Returns the row index of the best variant that changes exactly one aspect.
    """
    from cnnkit.grading.variants import check_baseline_accuracy  # the hidden test's own rule

    base = table[0]
    try:
        check_baseline_accuracy(base["test_accuracy"])
    except AssertionError as error:
        _fail(f"{error}: run run_variants(baseline, variants, ...) with baseline = "
              "dict(cnnkit.models.SIMPLE_CNN_CONFIG) unchanged, and do not change the "
              "baseline's model, weights or training yourself; then run the notebook again "
              "from the top.")
    single = [
        i for i, row in enumerate(table[1:], start=1)
        if len(changed_aspects(base["config"], row["config"])) == 1
    ]
    if not single:
        _fail("no variant changes exactly one aspect of the baseline, so none can count")
    best = max(single, key=lambda i: table[i]["test_accuracy"])
    row = table[best]
    gain = 100 * (row["test_accuracy"] - base["test_accuracy"])
    described = f"{row['name']} ({row['aspect']} = {row['value']})"
    if gain < points - 1e-9:  # exactly `points` passes: 0.7905 - 0.7405 is 4.99999... in floats
        _fail(
            f"the best variant, {described}, reaches {row['test_accuracy']:.4f}: {gain:+.1f} "
            f"points compared with the baseline's {base['test_accuracy']:.4f}, but one variant "
            f"must gain at least {points:g} points. Two epochs are short: look at the "
            "baseline's loss curve, still falling at the end. A change to the network's "
            "size or shape rarely pays off that early; a change that makes each weight update "
            "go further can. Each rerun of run_variants retrains every network (about two "
            "minutes on a laptop CPU), so think before you try again."
        )
    print(f"OK: {described} gains {gain:+.1f} points ({row['test_accuracy']:.4f} "
          f"versus {base['test_accuracy']:.4f})")
    return best
