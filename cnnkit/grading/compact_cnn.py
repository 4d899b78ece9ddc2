"""Hidden tests of assignment 05: the compact CNN's budget, layer rules and accuracy tiers.

Every accuracy test checks the layer rules again on the very model it measures (the
object it captured), so a model that breaks them earns no accuracy points and the tiers
cannot be passed by another model than one the rules approve. The parameter budget has
its own test: a model over budget loses exactly those points, and keeps the points of the
main and second accuracy tiers. What the original challenge is about needs the budget,
checked on the trained model itself: the extra-credit tier (`check_extra_credit`) and the
leaderboard (an over-budget model is left off it).

The kernel-size sweep of part 6 has its own module, `cnnkit.grading.kernel_sizes`.
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
from cnnkit.grading.trained import check_generalises, check_trained_on_fit

COMPACT_MINIMUM = 0.978  # 1.5 points below 0.9936, the lowest of 5 reference seeds
"""The main accuracy tier (benchmarks/calibration/05_compact_cnn.json)."""
SECOND_TIER = 0.985
EXTRA_CREDIT = 0.994
"""The goal of the original challenge: this accuracy with at most `BUDGET` parameters."""
ACCURACY_FLOOR = 0.95
"""Partial credit of the main tier: from 0 points here up to all of them at COMPACT_MINIMUM."""
FIT_IMAGES = 55_000
"""The notebook trains on `x_fit` and `y_fit`: the first this many training images."""
MAIN_TIER_POINTS = 4
"""The points of the main tier (grade cell `test_compact_accuracy`)."""
TEST_IMAGES = 10_000
"""A test accuracy is a whole number of these images, correctly classified, divided by it."""


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


def post_if_within_budget(model: keras.Model, accuracy: float) -> bool:
    """Post `accuracy` and the parameter count of `model` to the leaderboard when `model`
    keeps the parameter budget; an over-budget model is left off (the leaderboard ranks
    the challenge, which is the budget). Returns whether it was posted."""
    if budget_problem(model, BUDGET):
        print(f"not ranked on the leaderboard: {model.count_params():,} parameters, over "
              f"the budget of {BUDGET:,}")
        return False
    leaderboard.post("accuracy", accuracy, "desc")
    leaderboard.post("parameters", model.count_params(), "asc")
    return True


def _verified_accuracy(model: keras.Model, log, post_to_leaderboard: bool,
                       within_budget: bool = False) -> float:
    """The test accuracy of `model` once it passed the rules (with `within_budget` the
    budget too), provenance and overfit checks."""
    check_compact_model(model)
    problem = budget_problem(model, BUDGET) if within_budget else None
    if problem:
        raise AssertionError("this tier needs the parameter budget, as the original challenge "
                             f"does, on the trained model: {problem}")
    check_trained_on_fit(model, log, "mnist", FIT_IMAGES, "compact_model")
    check_generalises(model, "mnist", "compact_model")
    accuracy = measure_test_accuracy(model, "mnist")
    if post_to_leaderboard:
        post_if_within_budget(model, accuracy)
    return accuracy


def tier_points(accuracy: float, points: float = MAIN_TIER_POINTS) -> float:
    """`points` at `COMPACT_MINIMUM` or above; below, the share of the way up from
    `ACCURACY_FLOOR`, rounded down to a tenth of a point; 0 at the floor or below.

    The visible check of the main tier (`cnnkit.checks.check_partial_credit`) applies this
    same rule, so a model it passes earns points here.
    """
    share = (float(accuracy) - ACCURACY_FLOOR) / (COMPACT_MINIMUM - ACCURACY_FLOOR)
    return max(0.0, min(float(points), int(points * share * 10 + 1e-9) / 10))


def first_paying_accuracy(points: float = MAIN_TIER_POINTS) -> float:
    """The lowest test accuracy (a whole number of the `TEST_IMAGES`) that `tier_points`
    pays for: a tenth of a point of `points`, just above `ACCURACY_FLOOR`."""
    start = int(ACCURACY_FLOOR * TEST_IMAGES)
    return next(k / TEST_IMAGES for k in range(start, TEST_IMAGES + 1)
                if tier_points(k / TEST_IMAGES, points) > 0)


PARTIAL_CREDIT_FROM = first_paying_accuracy(MAIN_TIER_POINTS)
"""The main tier's partial credit starts here (0.9507): below it the share of the way from
`ACCURACY_FLOOR` is less than a tenth of a point."""


def compact_accuracy_points(model: keras.Model, log, points: float = MAIN_TIER_POINTS,
                            post_to_leaderboard: bool = False) -> float:
    """The points of the main accuracy tier: all `points` at `COMPACT_MINIMUM` or above, and
    below it in proportion to the way from `ACCURACY_FLOOR` (e.g. 0.971: 3 of 4), rounded
    down to a tenth (`tier_points`). Asserts the checks of `check_compact_accuracy`, and an
    accuracy that earns points (from `PARTIAL_CREDIT_FROM` for the main tier's points).
    The grade cell ends with this call: nbgrader reads its value as the score.

    The budget is not asked here (it has its own test); with `post_to_leaderboard`, only
    a model within the budget is posted (`post_if_within_budget`).
    """
    accuracy = _verified_accuracy(model, log, post_to_leaderboard)
    earned = tier_points(accuracy, points)
    if not earned > 0:
        raise AssertionError(f"test accuracy {accuracy:.4f} measured on the mnist test set is "
                             f"too far below {COMPACT_MINIMUM:.4f} for partial credit (from "
                             f"{first_paying_accuracy(points):.4f})")
    print(f"measured: test accuracy {accuracy:.4f}: {earned:g} of {points:g} points")
    return earned


def check_compact_accuracy(model: keras.Model, minimum: float | None, log,
                           post_to_leaderboard: bool = False,
                           within_budget: bool = False) -> None:
    """Assert that `model` keeps the layer rules (with `within_budget` also the parameter
    budget), holds weights that `cnnkit.train` produced (`log` is
    `cnnkit.provenance.training_log()`), was not fitted to the test set, and reaches
    `minimum` on the trusted test set.

    With `post_to_leaderboard`, the measured accuracy and the parameter count of a model
    within the budget are posted (see `post_if_within_budget`) before the threshold is
    applied.
    """
    if minimum is None:
        raise AssertionError("the accuracy threshold is not calibrated yet: run "
                             "python -m benchmarks.calibrate_05 and set COMPACT_MINIMUM")
    accuracy = _verified_accuracy(model, log, post_to_leaderboard, within_budget)
    if not accuracy >= minimum:
        raise AssertionError(f"test accuracy {accuracy:.4f} measured on the mnist test set is "
                             f"below {minimum:.4f}")
    print(f"measured: test accuracy {accuracy:.4f} with {model.count_params():,} parameters")


def check_extra_credit(model: keras.Model, log) -> None:
    """The extra-credit tier, the goal of the original challenge: the trained `model` keeps
    the layer rules and the parameter budget (its own, whatever model the budget test
    saw) and reaches `EXTRA_CREDIT` on the trusted test set (see `check_compact_accuracy`)."""
    check_compact_accuracy(model, EXTRA_CREDIT, log, within_budget=True)
