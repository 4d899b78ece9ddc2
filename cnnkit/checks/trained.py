"""Visible checks that a scored model is the one the notebook trained, and that it learned.

The hidden tests give accuracy points only to a model whose weights `cnnkit.train` (or an
experiment built on it) produced in this notebook, and that is about as accurate on
images it never saw as on the test set. These checks say so first, with the fix.
"""

from __future__ import annotations

import keras
import numpy as np

from cnnkit.checks.common import _fail
from cnnkit.provenance import training_log


def check_trained_here(model: keras.Model, dataset: str, name: str = "model",
                       fit_images: int | None = None) -> None:
    """Check that `model` holds the weights `cnnkit.train` produced and generalises.

    `dataset` is "mnist" or "fashion_mnist": the model's accuracy on the test set is
    compared with its accuracy on the last 5,000 training images, which it must not have
    trained on either. With `fit_images`, the run must also have trained on `x_fit` and
    `y_fit`, the first `fit_images` training images with one-hot labels.
    """
    from cnnkit.grading import trained  # the hidden tests' own rules

    try:
        entry = trained.check_trained_by_kit(model, training_log(), f"`{name}`")
    except AssertionError as error:
        _fail(f"{error}. Train `{name}` with cnnkit.train in the training cell, after the cell "
              f"that builds it, and do not rebuild, retrain or change `{name}` after that: "
              "the hidden tests measure only weights that cnnkit.train produced. Then run the "
              "notebook from the top.")
    if fit_images is not None:
        try:
            trained.check_trained_on(entry, trained.trusted_fit_data(dataset, fit_images),
                                     fit_images, f"`{name}`")
        except AssertionError as error:
            _fail(f"{error}: train it with cnnkit.train({name}, x_fit, y_fit, ...), and run "
                  "the notebook again from the top.")
    test, held_out, allowed = trained.generalisation_gap(model, dataset)
    if test - held_out > allowed:
        _fail(f"`{name}` reaches {test:.4f} on the test set but only {held_out:.4f} on the last "
              f"{trained.HELD_OUT:,} training images: did it train on the test images? Train "
              "on the training images only (x_fit); the test set is for the final measurement.")
    print(f"OK: `{name}` was trained by cnnkit.train; test accuracy {test:.4f}, on held-out "
          f"training images {held_out:.4f}")


def check_param_limit(model: keras.Model, limit: int, name: str = "model") -> None:
    """Check that `model` has at most `limit` parameters, and say where they are."""
    count = model.count_params()
    if count > limit:
        biggest = max(model.layers, key=lambda layer: layer.count_params())
        _fail(f"`{name}` has {count:,} parameters, more than the limit of {limit:,}; the "
              f"largest layer is {biggest.name} ({type(biggest).__name__}) with "
              f"{biggest.count_params():,}. A Dense layer after Flatten costs (inputs x units): "
              "pool or convolve further before flattening, or use fewer units.")
    print(f"OK: {count:,} parameters (limit {limit:,})")


def _measured(reported, model: keras.Model, dataset: str, what: str) -> float:
    from cnnkit.grading.trained import check_measured  # the hidden tests' own rule

    try:
        return check_measured(reported, model, dataset, what)
    except AssertionError as error:
        _fail(f"{error}: pass the test set as test_data (x_test_prepared and its labels), "
              "never the validation images, and run the notebook again from the top")


def check_measured_accuracy(reported, model: keras.Model, dataset: str, what: str) -> None:
    """Check that `reported` is what `model` measures on the `dataset` test set, as the hidden
    test measures it again (a table measured on validation images is not)."""
    measured = _measured(reported, model, dataset, what)
    print(f"OK: {what} is what its model measures on the test set ({measured:.4f})")


def check_sweep_models(sweep, sweep_accuracy, dataset: str | None = None) -> None:
    """Check that `sweep` is a `replicated_sweep` table with its trained models, and that
    `sweep_accuracy` is its test accuracies arranged by `sweep_grid`. With `dataset`, also
    apply the hidden test's rules to 03's weight-decay sweep
    (`cnnkit.grading.check_sweep_measured`): the prescribed seeds and factors, every run a
    new 500-300 MLP trained by `replicated_sweep` as prescribed on `x_fit[:10000]`, and every
    accuracy what its model measures on that test set."""
    from cnnkit.experiments import sweep_grid

    if not isinstance(sweep, dict) or not isinstance(sweep.get("model"), list):
        _fail("`sweep` must be the table that cnnkit.experiments.replicated_sweep returns, with "
              "its trained models: the hidden tests measure every model of the sweep again")
    if len(sweep["model"]) != len(sweep.get("test_accuracy", [])):
        _fail("`sweep` has a different number of models and test accuracies: run the sweep again")
    grid = sweep_grid(sweep)
    if np.asarray(sweep_accuracy).shape != grid.shape or not np.allclose(
            np.asarray(sweep_accuracy, dtype=float), grid, atol=1e-9):
        _fail("`sweep_accuracy` is not cnnkit.experiments.sweep_grid(sweep): every accuracy "
              "must be the one the sweep measured")
    if dataset is not None:
        from cnnkit.grading import mlp_vs_cnn  # the hidden test's own rules

        plan = mlp_vs_cnn.L2_SWEEP
        try:
            mlp_vs_cnn.check_sweep_measured(sweep_accuracy, sweep["model"], sweep["seed"],
                                            sweep["value"], training_log(), dataset)
        except AssertionError as error:
            _fail(f"{error}.\nRun the sweep as the text says: sweep = cnnkit.experiments."
                  f"replicated_sweep(build_regularized_mlp, l2_factors, seeds={list(plan.seeds)}, "
                  f"training_data=(x_fit[:{plan.n_train}], y_fit[:{plan.n_train}]), "
                  "test_data=(x_test_prepared, y_test_onehot), "
                  f"epochs={plan.epochs}, batch_size={plan.batch_size}), with the "
                  f"{len(plan.values)} factors of l2_factors (from {plan.values[0]:g} to "
                  f"{plan.values[-1]:g}, evenly spaced on a log scale) and a "
                  "build_regularized_mlp(factor) that builds and compiles a new 500-300 MLP on "
                  "every call. Measure on the test set, never the validation images, and do not "
                  "train the models any other way (model.fit) or change them afterwards. Then "
                  "run the notebook again from the top.")
    print(f"OK: {len(sweep['model'])} trained models behind sweep_accuracy")
