"""Assignment 04's checks: learning curves and standardisation (cnnkit.checks.learning_curves)."""

import re

import numpy as np
import pytest

from cnnkit import checks, models
from cnnkit.grading import SIMPLE_CNN

LC_SIZES = [100, 300, 1000, 3000, 10000, 60000]


def _labels(n=60000):
    return (np.arange(n) * 7 % 10).astype(np.uint8)  # every class, in a mixed order


def _stratified(labels, n, seed=0):
    from cnnkit.data import subsample

    return subsample(np.arange(len(labels)), labels, n, seed=seed)[0]


def test_check_sizes_wants_six_log_spaced_sizes_from_100_to_60000(capsys):
    checks.check_sizes(LC_SIZES)
    checks.check_sizes([100, 250, 500, 1000, 5000, 60000])
    for bad, message in [
        ([100, 1000, 10000, 60000], "at least 6"),
        ([100, 300, 300, 3000, 10000, 60000], "increase"),
        ([200, 300, 1000, 3000, 10000, 60000], "from 200"),
        ([100, 12080, 24060, 36040, 48020, 60000], "not log-spaced"),
    ]:
        with pytest.raises(AssertionError, match=message):
            checks.check_sizes(bad)


def test_the_geomspace_hint_gives_sizes_that_subsample_accepts():
    from cnnkit.data import subsample

    with pytest.raises(AssertionError, match=re.escape(
            "np.geomspace(100, 60000, 6).round().astype(int)")):
        checks.check_sizes([100, 12080, 24060, 36040, 48020, 60000])
    sizes = np.geomspace(100, 60000, 6).round().astype(int)
    checks.check_sizes(sizes)
    labels = _labels()
    assert len(subsample(np.arange(len(labels)), labels, sizes[1])[0]) == sizes[1]
    with pytest.raises(TypeError, match=re.escape(".round().astype(int)")):
        subsample(np.arange(len(labels)), labels, np.geomspace(100, 60000, 6)[1])


def test_check_subsets_accepts_stratified_and_rejects_first_n():
    labels = np.sort(_labels())  # sorted by class: the first n images are all zeros
    checks.check_subsets([_stratified(labels, n) for n in LC_SIZES], labels)
    with pytest.raises(AssertionError, match="not stratified"):
        checks.check_subsets([np.arange(n) for n in LC_SIZES], labels)
    with pytest.raises(AssertionError, match="positions"):
        checks.check_subsets([np.linspace(0, 1, n) for n in LC_SIZES], labels)
    twice = [_stratified(labels, n) for n in LC_SIZES]
    twice[0][1] = twice[0][0]
    with pytest.raises(AssertionError, match="twice"):
        checks.check_subsets(twice, labels)


def _curve(**changes):
    table = {"size": LC_SIZES, "train_accuracy": [1.0] * 5 + [0.99],
             "test_accuracy": [0.83, 0.92, 0.96, 0.975, 0.987, 0.991], "steps": [1000] * 6,
             "batch_size": [128] * 6, "seconds": [20.0] * 6}
    table.update(changes)
    return table


def test_check_learning_curve_wants_one_budget_and_a_rising_curve():
    checks.check_learning_curve(_curve(), minimum=0.97)
    # the largest drop of the calibration runs (AVX2 kernels, seed 1): 0.9719 -> 0.9605
    checks.check_learning_curve(
        _curve(test_accuracy=[0.7916, 0.9027, 0.9551, 0.9668, 0.9719, 0.9605]))
    with pytest.raises(AssertionError, match="different budgets"):
        checks.check_learning_curve(_curve(steps=[1000] * 5 + [2000]))
    with pytest.raises(AssertionError, match="drops"):
        checks.check_learning_curve(_curve(test_accuracy=[0.83, 0.92, 0.96, 0.9, 0.98, 0.99]))
    with pytest.raises(AssertionError, match="hardly changes"):
        checks.check_learning_curve(_curve(test_accuracy=[0.98] * 6))
    with pytest.raises(AssertionError, match="below"):
        checks.check_learning_curve(_curve(), minimum=0.995)
    with pytest.raises(AssertionError, match="keys"):
        checks.check_learning_curve({"size": LC_SIZES})


def test_check_confusion_matrix_wants_rows_summing_to_one():
    counts = np.eye(10) * 95 + 0.5
    checks.check_confusion_matrix(counts / counts.sum(axis=1, keepdims=True))
    with pytest.raises(AssertionError, match="counts"):
        checks.check_confusion_matrix(counts)
    with pytest.raises(AssertionError, match="sum to 1"):
        checks.check_confusion_matrix(counts / counts.sum())
    with pytest.raises(AssertionError, match="shape"):
        checks.check_confusion_matrix(np.eye(9))


def test_check_standardization_catches_the_zero_std_trap():
    rng = np.random.default_rng(0)
    x_train = rng.random((200, 28, 28, 1), dtype=np.float32)
    x_train[:, 0, :, :] = 0  # a black border row: standard deviation 0
    x_test = rng.random((50, 28, 28, 1), dtype=np.float32)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    good = [(x - mean) / (std + 0.01) for x in (x_train, x_test)]
    checks.check_standardization(x_train, x_test, *good, mean, std, 0.01)
    checks.check_standardization(x_train, x_test, *good, mean, std, np.float32(0.01))
    with np.errstate(divide="ignore", invalid="ignore"):
        trap = [(x - mean) / std for x in (x_train, x_test)]
    with pytest.raises(AssertionError, match="NaN"):
        checks.check_standardization(x_train, x_test, *trap, mean, std, 0.01)
    both = np.concatenate([x_train, x_test])
    with pytest.raises(AssertionError, match="never on the test set"):
        checks.check_standardization(x_train, x_test, *good, both.mean(axis=0), std, 0.01)
    with pytest.raises(AssertionError, match="EPSILON"):
        checks.check_standardization(x_train, x_test, *good, mean, std, 0)
    with pytest.raises(AssertionError, match="axis=0"):
        checks.check_standardization(x_train, x_test, *good, mean.mean(), std, 0.01)


def test_check_standardization_catches_test_set_statistics():
    rng = np.random.default_rng(1)
    x_train = rng.random((200, 28, 28, 1), dtype=np.float32)
    x_train[:, 0, :, :] = 0
    x_test = rng.random((50, 28, 28, 1), dtype=np.float32) * 0.8  # another distribution
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    train_std = (x_train - mean) / (std + 0.01)
    floored = [(x - mean) / np.maximum(std, 0.01) for x in (x_train, x_test)]
    checks.check_standardization(x_train, x_test, *floored, mean, std, 0.01)
    own = (x_test - x_test.mean(axis=0)) / (x_test.std(axis=0) + 0.01)
    with pytest.raises(AssertionError, match="the test set's own statistics"):
        checks.check_standardization(x_train, x_test, train_std, own, mean, std, 0.01)
    with pytest.raises(AssertionError, match=re.escape(
            "x_test_std is not (x_test_prepared - pixel_mean) / (pixel_std + EPSILON)")):
        checks.check_standardization(x_train, x_test, train_std, (x_test - mean) / (std + 0.1),
                                     mean, std, 0.01)
    with pytest.raises(AssertionError, match="subtract pixel_mean"):
        checks.check_standardization(x_train, x_test, x_train / (std + 0.01),
                                     (x_test - mean) / (std + 0.01), mean, std, 0.01)


def test_check_fresh_builder_refuses_a_shared_model():
    model = models.simple_cnn()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(AssertionError, match="same model twice"):
        checks.check_fresh_builder(lambda: model, SIMPLE_CNN)

    def fresh():
        built = models.simple_cnn()
        built.compile(optimizer="sgd", loss="categorical_crossentropy")
        return built

    assert checks.check_fresh_builder(fresh, SIMPLE_CNN) is not None
    with pytest.raises(AssertionError, match="not compiled"):
        checks.check_fresh_builder(models.simple_cnn, SIMPLE_CNN)


class _FixedPredictions:
    """Stands in for a model: `predict` gives one-hot rows of the given predictions."""

    def __init__(self, predicted):
        self.predicted = predicted

    def predict(self, images, batch_size=None, verbose=0):
        return np.eye(10)[self.predicted[: len(images)]]


def test_check_confusion_matrix_compares_with_the_model(capsys):
    rng = np.random.default_rng(2)
    labels = np.repeat(np.arange(10), 50)
    predicted = np.where(rng.random(500) < 0.7, labels, rng.integers(0, 10, 500))
    model, images = _FixedPredictions(predicted), np.zeros((500, 28, 28, 1), np.float32)
    counts = np.bincount(labels * 10 + predicted, minlength=100).reshape(10, 10)
    right = counts / counts.sum(axis=1, keepdims=True)
    checks.check_confusion_matrix(right, model=model, images=images, labels=labels)
    assert "OK" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="not full_model's confusion matrix"):
        checks.check_confusion_matrix(right[::-1], model=model, images=images, labels=labels)
    swapped = counts.T / counts.T.sum(axis=1, keepdims=True)
    with pytest.raises(AssertionError, match="rows and columns are swapped"):
        checks.check_confusion_matrix(swapped, model=model, images=images, labels=labels)
