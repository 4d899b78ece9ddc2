"""The trusted test set, a model's accuracy on it, and its layers (cnnkit.grading.common)."""

import pytest

from cnnkit import grading, models


def test_check_model_accepts_reference_and_rejects_other():
    grading.check_model(models.simple_cnn(), grading.SIMPLE_CNN)
    with pytest.raises(AssertionError):
        grading.check_model(models.simple_cnn(num_classes=5), grading.SIMPLE_CNN)


@pytest.mark.slow
def test_accuracy_is_measured_on_the_trusted_test_set():
    untrained = models.simple_cnn()
    accuracy = grading.measure_test_accuracy(untrained, "fashion_mnist")
    assert 0.0 <= accuracy < 0.3
    with pytest.raises(AssertionError, match="below the required 0.9000"):
        grading.check_min_accuracy(untrained, "fashion_mnist", 0.9)
