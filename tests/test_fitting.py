"""Runs side by side and the labels underfit / good / overfit (experiments, checks, grading)."""

import keras
import numpy as np
import pytest
from keras import layers

from cnnkit import checks, grading, plots, provenance, set_seed
from cnnkit.data import load_dataset, to_model_input
from cnnkit.experiments import (
    FIT_LABELS,
    OVERFIT_GAP,
    UNDERFIT_BELOW,
    VALIDATION_IMAGES,
    compare_runs,
    fit_label,
    fit_rule,
    format_runs,
    measure_fit,
)
from cnnkit.experiments.fitting import RUN_KEYS


def test_fit_label_follows_the_stated_rule():
    assert fit_label(UNDERFIT_BELOW - 0.01, UNDERFIT_BELOW - 0.01) == "underfit"
    assert fit_label(UNDERFIT_BELOW - 0.01, 0.1) == "underfit"  # the level decides first
    assert fit_label(1.0, 1.0 - OVERFIT_GAP - 0.01) == "overfit"
    assert fit_label(1.0, 1.0 - OVERFIT_GAP + 0.01) == "good"
    assert fit_label(0.999, 0.984) == "good"  # exactly the gap, though 0.999 - 0.984 > 0.015
    assert fit_label(0.999, 0.9835) == "overfit"
    assert set(FIT_LABELS) == {"underfit", "good", "overfit"}
    assert f"{UNDERFIT_BELOW:.0%}" in fit_rule() and f"{OVERFIT_GAP * 100:g} points" in fit_rule()


def test_measure_fit_gives_cross_entropy_and_accuracy():
    inputs = keras.Input((2,))
    model = keras.Model(inputs, layers.Softmax()(inputs))
    x = np.log(np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], "float32"))
    loss, accuracy = measure_fit(model, x, np.array([0, 1, 1]))
    assert accuracy == pytest.approx(2 / 3, abs=1e-4)
    assert loss == pytest.approx(-np.log([0.9, 0.8, 0.4]).mean(), abs=1e-3)
    assert measure_fit(model, x, keras.utils.to_categorical([0, 1, 1], 2))[1] == accuracy


def _tiny_cnn(filters):
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(filters, 3),
                              layers.MaxPooling2D(4), layers.Flatten(),
                              layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def tiny_runs():
    """Two real runs on 64 MNIST images, validated on the last VALIDATION_IMAGES (as 04 does)."""
    set_seed(0)
    (x_train, y_train), _ = load_dataset("mnist")
    positions = np.arange(64)
    x = to_model_input(x_train)
    runs, models = compare_runs(
        _tiny_cnn, {"1 filter": {"filters": 1}, "4 filters": {"filters": 4}},
        training_data=(x[positions], y_train[positions]),
        validation_data=(x[-VALIDATION_IMAGES:], y_train[-VALIDATION_IMAGES:]), epochs=2,
        batch_size=32, verbose=0)
    return runs, models, positions


def test_the_table_shows_the_gap_as_exactly_as_the_rule_reads_it():
    """0.9995 - 0.984 is 0.0155: overfit, which a gap rounded to 0.015 would hide."""
    run = {"params": 10, "train_accuracy": 0.9995, "val_accuracy": 0.984, "train_loss": 0.1,
           "val_loss": 0.2}
    assert "0.0155" in format_runs({"96 filters": run})
    assert fit_label(0.9995, 0.984) == "overfit"


def test_compare_runs_measures_every_setting(tiny_runs):
    runs, models, _ = tiny_runs
    assert list(runs) == ["1 filter", "4 filters"] and len(models) == 2
    for run, model in zip(runs.values(), models):
        assert set(run) == set(RUN_KEYS)
        assert len(run["history"]["val_accuracy"]) == 2
        assert run["params"] == model.count_params()
        assert 0 <= run["train_accuracy"] <= 1 and 0 <= run["val_accuracy"] <= 1
    assert runs["4 filters"]["setting"] == {"filters": 4}
    assert "4 filters" in format_runs(runs)


def test_compare_runs_rejects_bad_settings():
    with pytest.raises(TypeError, match="non-empty dict"):
        compare_runs(_tiny_cnn, [1, 2], training_data=(0, 0), validation_data=(0, 0),
                     epochs=1, batch_size=1)
    with pytest.raises(TypeError, match="dict of keyword arguments"):
        compare_runs(_tiny_cnn, {"a": 2}, training_data=(np.zeros((2, 28, 28, 1)), [0, 1]),
                     validation_data=(np.zeros((2, 28, 28, 1)), [0, 1]), epochs=1,
                     batch_size=1)


def test_runs_side_by_side_draws_one_panel_per_run(tiny_runs):
    import matplotlib

    matplotlib.use("Agg")
    axes = plots.runs_side_by_side(tiny_runs[0], "accuracy")
    assert [ax.get_title() for ax in axes] == ["1 filter", "4 filters"]
    assert len(axes[0].lines) == 2  # training and validation


@pytest.fixture
def tiny_prescription(monkeypatch):
    """The hidden test's prescribed runs, made the tiny runs' (04's take 20 s natively)."""
    for name, value in (("FIT_FILTERS", (1, 4)), ("FIT_EPOCHS", 2), ("FIT_BATCH_SIZE", 32),
                        ("FIT_IMAGES", 64)):
        monkeypatch.setattr(grading.fitting, name, value)


def _labels(runs):
    return {name: fit_label(run["train_accuracy"], run["val_accuracy"])
            for name, run in runs.items()}


def test_visible_check_wants_one_allowed_label_per_run(tiny_runs, capsys):
    runs = tiny_runs[0]
    checks.check_fit_labels({"1 filter": "good", "4 filters": "overfit"}, runs)
    assert fit_rule() in capsys.readouterr().out
    with pytest.raises(AssertionError, match="missing \\['4 filters'\\]"):
        checks.check_fit_labels({"1 filter": "good"}, runs)
    with pytest.raises(AssertionError, match="use one of underfit, good, overfit"):
        checks.check_fit_labels({"1 filter": "good", "4 filters": "Overfitting"}, runs)
    with pytest.raises(AssertionError, match="compare_runs"):
        checks.check_fit_labels({"1 filter": "good"}, {"1 filter": {"train_accuracy": 1.0}})


def test_hidden_check_labels_by_the_measured_models(tiny_runs, tiny_prescription):
    runs, models, positions = tiny_runs
    log = provenance.training_log()
    labels = _labels(runs)
    grading.check_fit_labels_of(labels, runs, models, positions, "mnist", log)
    name = "1 filter"
    wrong = dict(labels, **{name: next(x for x in FIT_LABELS if x != labels[name])})
    with pytest.raises(AssertionError, match=f"'{name}' is {labels[name]}, not {wrong[name]}"):
        grading.check_fit_labels_of(wrong, runs, models, positions, "mnist", log)


def test_hidden_check_catches_made_up_numbers_and_untrained_models(tiny_runs, tiny_prescription):
    runs, models, positions = tiny_runs
    log = provenance.training_log()
    made_up = {name: dict(run, train_accuracy=1.0, val_accuracy=0.5)
               for name, run in runs.items()}
    with pytest.raises(AssertionError, match="reports a training accuracy of 1.0"):
        grading.check_fit_labels_of(_labels(made_up), made_up, models, positions, "mnist", log)
    untrained = [_tiny_cnn(1), _tiny_cnn(4)]
    with pytest.raises(AssertionError, match="cnnkit.train"):
        grading.check_fit_labels_of(_labels(runs), runs, untrained, positions, "mnist", log)
    with pytest.raises(AssertionError, match="validation set"):
        grading.check_fit_labels_of(_labels(runs), runs, models, np.arange(59_936, 60_000),
                                    "mnist", log)


def _tiny_rerun(settings, positions):
    (x_train, y_train), _ = load_dataset("mnist")
    x = to_model_input(x_train)
    return compare_runs(_tiny_cnn, settings, training_data=(x[positions], y_train[positions]),
                        validation_data=(x[-VALIDATION_IMAGES:], y_train[-VALIDATION_IMAGES:]),
                        epochs=2, batch_size=32, verbose=0)


@pytest.mark.slow  # trains several models: keeps `make test-fast` under 2 minutes
def test_the_visible_check_applies_the_hidden_rules_to_the_runs(tiny_runs, tiny_prescription,
                                                                monkeypatch):
    """Runs on other images, a run left out or a shorter training: both checks fail, the
    visible one first, with the fix."""
    runs, models, positions = tiny_runs
    checks.check_fit_labels(_labels(runs), runs, models, positions, provenance.training_log())
    other_images = _tiny_rerun({"1 filter": {"filters": 1}, "4 filters": {"filters": 4}},
                               np.arange(64, 128))
    one_run = ({"1 filter": runs["1 filter"]}, models[:1])
    log = provenance.training_log()
    for (wrong_runs, wrong_models), visible, hidden in (
            (other_images, r"fit_train_positions\]\)", "reports a training accuracy"),
            (one_run, r"with \(1, 4\) filters", r"with \(1, 4\) filters")):
        with pytest.raises(AssertionError, match=visible):
            checks.check_fit_labels(_labels(wrong_runs), wrong_runs, wrong_models, positions, log)
        with pytest.raises(AssertionError, match=hidden):
            grading.check_fit_labels_of(_labels(wrong_runs), wrong_runs, wrong_models, positions,
                                        "mnist", log)
    monkeypatch.setattr(grading.fitting, "FIT_EPOCHS", 3)  # the runs trained 2: too short
    for check in (lambda: checks.check_fit_labels(_labels(runs), runs, models, positions, log),
                  lambda: grading.check_fit_labels_of(_labels(runs), runs, models, positions,
                                                      "mnist", log)):
        with pytest.raises(AssertionError, match="made 4 steps, but 3 epochs"):
            check()
