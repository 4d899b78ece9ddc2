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
ACCURACY_FLOOR = 0.95
"""Partial credit of the main tier: from 0 points here up to all of them at COMPACT_MINIMUM."""


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


def _verified_accuracy(model: keras.Model, log, post_to_leaderboard: bool) -> float:
    """The test accuracy of `model` once it passed the rules, provenance and overfit checks."""
    check_compact_model(model)
    check_trained_by_kit(model, log, "compact_model")
    check_generalises(model, "mnist", "compact_model")
    accuracy = measure_test_accuracy(model, "mnist")
    if post_to_leaderboard:
        leaderboard.post("accuracy", accuracy, "desc")
        leaderboard.post("parameters", model.count_params(), "asc")
    return accuracy


def tier_points(accuracy: float, points: float) -> float:
    """`points` at `COMPACT_MINIMUM` or above; below, the share of the way up from
    `ACCURACY_FLOOR`, rounded down to a tenth of a point; 0 at the floor or below."""
    share = (float(accuracy) - ACCURACY_FLOOR) / (COMPACT_MINIMUM - ACCURACY_FLOOR)
    return max(0.0, min(float(points), int(points * share * 10 + 1e-9) / 10))


def compact_accuracy_points(model: keras.Model, log, points: float,
                            post_to_leaderboard: bool = False) -> float:
    """The points of the main accuracy tier: all `points` at `COMPACT_MINIMUM` or above, and
    below it in proportion to the way from `ACCURACY_FLOOR` (e.g. 0.971: 3 of 4), rounded
    down to a tenth. Asserts the checks of `check_compact_accuracy`, and an accuracy above
    the floor. The grade cell ends with this call: nbgrader reads its value as the score.
    """
    accuracy = _verified_accuracy(model, log, post_to_leaderboard)
    earned = tier_points(accuracy, points)
    if not earned > 0:
        raise AssertionError(f"test accuracy {accuracy:.4f} measured on the mnist test set is "
                             f"too far below {COMPACT_MINIMUM:.4f} for partial credit (from "
                             f"above {ACCURACY_FLOOR:.4f})")
    print(f"measured: test accuracy {accuracy:.4f}: {earned:g} of {points:g} points")
    return earned


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
    accuracy = _verified_accuracy(model, log, post_to_leaderboard)
    if not accuracy >= minimum:
        raise AssertionError(f"test accuracy {accuracy:.4f} measured on the mnist test set is "
                             f"below {minimum:.4f}")
    print(f"measured: test accuracy {accuracy:.4f} with {model.count_params():,} parameters")
