"""Hidden tests of 04: learning curves and standardisation (cnnkit.grading.learning_curves)."""

import keras
import numpy as np
import pytest

from cnnkit import grading, models


def _learning_curve_cnn():
    """A new, compiled CNN from the reference notebook's own `build_cnn`."""
    from benchmarks.calibrate import solution_code

    namespace = {"keras": keras, "layers": keras.layers}
    exec(solution_code("04_learning_curves", "build_cnn"), namespace)
    return namespace["build_cnn"]()


def test_learning_curve_cnn_table_matches_the_notebook_network():
    grading.check_model(_learning_curve_cnn(), grading.LEARNING_CURVE_CNN)
    assert sum(row.params for row in grading.LEARNING_CURVE_CNN) == 18570


@pytest.mark.slow
def test_learning_curve_models_must_be_fresh_and_honestly_reported():
    from cnnkit import experiments, provenance

    (x_train, y_train), _ = grading.load_dataset("mnist")
    x, y = grading.to_model_input(x_train[:200]), y_train[:200]
    sizes = [100, 300, 1000, 3000, 10000, 60000]
    trained = [_learning_curve_cnn() for _ in sizes]
    for model in trained:
        experiments.train_steps(model, x, y, steps=2, batch_size=32)
    measured = [grading.measure_test_accuracy(m, "mnist") for m in trained]
    curve = {"size": sizes, "train_accuracy": [1.0] * 6, "steps": [2] * 6,
             "test_accuracy": measured, "batch_size": [32] * 6, "seconds": [1] * 6}
    log = provenance.training_log()
    made_up = dict(curve, test_accuracy=[measured[0], 0.5, 0.6, 0.7, 0.8, 0.99])
    with pytest.raises(AssertionError, match="reported as"):
        grading.check_learning_curve_models(made_up, trained, "mnist", log)
    untrained = trained[:1] + [_learning_curve_cnn() for _ in sizes[1:-1]] + trained[-1:]
    with pytest.raises(AssertionError, match="cnnkit.train"):
        grading.check_learning_curve_models(made_up, untrained, "mnist", log)
    experiments.train_steps(trained[-1], x, y, steps=2, batch_size=32)  # trained on and on
    with pytest.raises(AssertionError, match="made 4 training steps"):
        grading.check_full_data_model(trained[-1], curve, "mnist", 0.0, provenance.training_log())


def test_confusion_of_is_recomputed_from_the_model():
    model = models.simple_cnn()  # untrained: some fixed, poor predictions on MNIST
    expected = grading.trusted_confusion_matrix(model, "mnist")
    assert expected.shape == (10, 10) and np.allclose(expected.sum(axis=1), 1)
    grading.check_confusion_of(expected, model, "mnist")
    with pytest.raises(AssertionError, match="differs"):
        grading.check_confusion_of(np.full((10, 10), 0.1), model, "mnist")


def test_standardized_data_must_use_training_statistics_only():
    from cnnkit.data import pixel_statistics

    (x_train, _), (x_test, _) = grading.load_dataset("mnist")
    train, test = grading.to_model_input(x_train), grading.to_model_input(x_test)
    mean, std = pixel_statistics(train)
    grading.check_standardized_data(mean, std, 0.01, (test - mean) / (std + 0.01), "mnist")
    grading.check_standardized_data(mean, std, 1e-7, (test - mean) / np.maximum(std, 1e-7),
                                    "mnist")
    all_mean, all_std = pixel_statistics(np.concatenate([train, test]))
    with pytest.raises(AssertionError, match="training images alone"):
        grading.check_standardized_data(all_mean, all_std, 0.01,
                                        (test - all_mean) / (all_std + 0.01), "mnist")
    with np.errstate(divide="ignore", invalid="ignore"):
        trap = (test - mean) / std
    with pytest.raises(AssertionError, match="NaN"):
        grading.check_standardized_data(mean, std, 0.01, trap, "mnist")
    with pytest.raises(AssertionError, match="standardised with the training"):
        grading.check_standardized_data(mean, std, 0.01, (test - mean) / (std + 0.1), "mnist")
