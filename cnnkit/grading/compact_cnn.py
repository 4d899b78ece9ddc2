"""Hidden tests of assignment 05: the compact CNN, its table and its accuracy.

Every accuracy test checks the layer rules again on the very model it measures (the
object it captured), so a model that breaks them earns no accuracy points and the tiers
cannot be passed by another model than one the rules approve. The parameter budget has
its own test: a model over budget loses exactly those points.
"""

from __future__ import annotations

import keras

from cnnkit.checks.compact_cnn import (
    BUDGET,
    budget_problem,
    layer_rule_problems,
)
from cnnkit.grading import leaderboard
from cnnkit.grading.common import measure_test_accuracy
from cnnkit.grading.trained import check_generalises, check_trained_by_kit

COMPACT_MINIMUM = 0.978  # 1.5 points below 0.9936, the lowest of 5 reference seeds
"""The main accuracy tier (benchmarks/calibration/05_compact_cnn.json)."""
SECOND_TIER = 0.985
EXTRA_CREDIT = 0.994


def check_compact_budget(model: keras.Model) -> None:
    """Assert that `model` has at most `BUDGET` parameters."""
    problem = budget_problem(model, BUDGET)
    if problem:
        raise AssertionError(problem)


def check_compact_model(model: keras.Model) -> None:
    """Assert that `model` keeps the layer rules of the compact CNN (not the budget)."""
    problems = layer_rule_problems(model)
    if problems:
        raise AssertionError("the model breaks the layer rules: " + "; ".join(problems))


def check_compact_accuracy(model: keras.Model, minimum: float | None, log,
                           post_to_leaderboard: bool = False) -> None:
    """Assert that `model` keeps the layer rules, holds weights that `cnnkit.train` produced
    (`log` is `cnnkit.provenance.training_log()`), was not fitted to the test set, and
    reaches `minimum` on the trusted test set.

    With `post_to_leaderboard`, the measured accuracy and the parameter count are posted
    (see `cnnkit.grading.leaderboard`) before the threshold is applied.
    """
    if minimum is None:
        raise AssertionError("the accuracy threshold is not calibrated yet: run "
                             "python -m benchmarks.calibrate_05 and set COMPACT_MINIMUM")
    check_compact_model(model)
    check_trained_by_kit(model, log, "compact_model")
    check_generalises(model, "mnist", "compact_model")
    accuracy = measure_test_accuracy(model, "mnist")
    if post_to_leaderboard:
        leaderboard.post("accuracy", accuracy, "desc")
        leaderboard.post("parameters", model.count_params(), "asc")
    if not accuracy >= minimum:
        raise AssertionError(f"test accuracy {accuracy:.4f} measured on the mnist test set is "
                             f"below {minimum:.4f}")
    print(f"measured: test accuracy {accuracy:.4f} with {model.count_params():,} parameters")
