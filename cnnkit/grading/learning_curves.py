"""Hidden tests of assignment 04: learning curves, the confusion matrix and standardisation."""

from __future__ import annotations

import keras
import numpy as np

from cnnkit.architecture import LayerRow
from cnnkit.checks import check_confusion_matrix, check_learning_curve, check_subsets
from cnnkit.data import load_dataset, pixel_statistics, to_model_input
from cnnkit.grading.common import check_min_accuracy, check_model, trusted_test_set
from cnnkit.grading.trained import check_distinct, check_measured, check_trained_by_kit

LEARNING_CURVE_CNN = [
    LayerRow("Conv2D", (None, 24, 24, 16), 416, "linear"),
    LayerRow("MaxPooling2D", (None, 12, 12, 16), 0, None),
    LayerRow("BatchNormalization", (None, 12, 12, 16), 64, None),
    LayerRow("ReLU", (None, 12, 12, 16), 0, "relu"),
    LayerRow("Conv2D", (None, 8, 8, 32), 12832, "linear"),
    LayerRow("MaxPooling2D", (None, 4, 4, 32), 0, None),
    LayerRow("BatchNormalization", (None, 4, 4, 32), 128, None),
    LayerRow("ReLU", (None, 4, 4, 32), 0, "relu"),
    LayerRow("Flatten", (None, 512), 0, None),
    LayerRow("Dense", (None, 10), 5130, "softmax"),
]
"""Two 5x5 convolution blocks (16 and 32 filters, each followed by 2x2 pooling, batch norm
and ReLU), 18,570 parameters: the CNN of the learning curves."""


def check_stratified_subsets(subsets, name: str) -> None:
    """Assert that `subsets` are stratified, log-spaced subsets of the trusted training set."""
    (_, y_train), _ = load_dataset(name)
    check_subsets(subsets, y_train, largest=len(y_train))


def _check_budget(model: keras.Model, steps: int, label: str) -> None:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise AssertionError(f"the {label} model has no optimizer: was it compiled and trained?")
    made = int(optimizer.iterations)
    if made != steps:
        raise AssertionError(
            f"the {label} model made {made} training steps, but the budget of every size is "
            f"{steps}: train a fresh model for every size, never one model on and on"
        )


def check_learning_curve_models(curve, curve_models, name: str, log) -> None:
    """Assert that every model of a learning curve is the CNN, trained from scratch by the
    notebook with the curve's budget, and that the curve reports its real test accuracy.

    `curve_models` are the models `learning_curve` returned, one per size; `log` is
    `cnnkit.provenance.training_log()` (see `cnnkit.grading.trained`).
    """
    check_learning_curve(curve)
    models = list(curve_models) if isinstance(curve_models, (list, tuple)) else []
    if len(models) != len(curve["size"]):
        raise AssertionError(f"the curve has {len(curve['size'])} sizes but {len(models)} "
                             "trained models")
    check_distinct(models, log, "the model of size")
    for position, model in enumerate(models):
        label = f"the model of {int(curve['size'][position]):,} images"
        check_model(model, LEARNING_CURVE_CNN)
        _check_budget(model, int(curve["steps"][position]), label)
        measured = check_measured(curve["test_accuracy"][position], model, name,
                                  f"the test accuracy of {label}")
        print(f"measured: {label} {measured:.4f}")


def check_full_data_model(full_model, curve, name: str, minimum: float, log=None) -> None:
    """Assert that the model trained on all training images, with the curve's budget,
    reaches `minimum` accuracy on the trusted test set; with the training `log`, also that
    the notebook trained it (`cnnkit.grading.trained.check_trained_by_kit`)."""
    if not isinstance(full_model, keras.Model):
        raise AssertionError(f"expected a keras.Model, got {type(full_model).__name__}")
    (_, y_train), _ = load_dataset(name)
    if int(curve["size"][-1]) != len(y_train):
        raise AssertionError(f"the last size of the curve is {curve['size'][-1]}, not all "
                             f"{len(y_train):,} training images")
    _check_budget(full_model, int(curve["steps"][-1]), "full-data")
    if log is not None:
        check_trained_by_kit(full_model, log, "the full-data model")
    check_min_accuracy(full_model, name, minimum)


def trusted_confusion_matrix(model: keras.Model, name: str) -> np.ndarray:
    """The confusion matrix of `model` on the trusted test set, each row divided by its sum."""
    x_test, y_test = trusted_test_set(name)
    predicted = np.asarray(model.predict(x_test, batch_size=1000, verbose=0)).argmax(axis=1)
    counts = np.bincount(y_test.astype(int) * 10 + predicted, minlength=100).reshape(10, 10)
    return counts / counts.sum(axis=1, keepdims=True)


def check_confusion_of(confusion, model: keras.Model, name: str) -> None:
    """Assert that `confusion` is `model`'s normalised confusion matrix on the trusted test set."""
    check_confusion_matrix(confusion)
    expected = trusted_confusion_matrix(model, name)
    if np.abs(np.asarray(confusion, dtype=float) - expected).max() > 2e-3:
        raise AssertionError(
            "the confusion matrix differs from the full-data model's on the test set: "
            "rows must be true classes and columns predicted classes"
        )


def check_standardized_data(pixel_mean, pixel_std, epsilon, x_test_std, name: str) -> None:
    """Assert per-pixel statistics of the trusted training images, a small epsilon, and test
    images standardised with them: `(x - mean) / (std + epsilon)` (or `max(std, epsilon)`)."""
    (x_train, _), (x_test, _) = load_dataset(name)
    mean, std = pixel_statistics(x_train[..., np.newaxis])
    mean, std = mean / np.float32(255), std / np.float32(255)
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.number)):
        raise AssertionError(f"epsilon must be a number, got {epsilon!r}")
    epsilon = float(epsilon)
    if not 1e-8 <= epsilon <= 0.1:
        raise AssertionError(f"epsilon {epsilon:g} is not a small positive number")
    pixel_mean, pixel_std = np.asarray(pixel_mean), np.asarray(pixel_std)
    if pixel_mean.shape != mean.shape or pixel_std.shape != std.shape:
        raise AssertionError(f"the statistics must have the shape {mean.shape} of one image")
    if np.abs(pixel_mean - mean).max() > 5e-4 or np.abs(pixel_std - std).max() > 5e-4:
        raise AssertionError("the statistics are not those of the training images alone")
    x_test_std = np.asarray(x_test_std)
    if x_test_std.shape != (len(x_test), 28, 28, 1):
        raise AssertionError(f"x_test_std has shape {x_test_std.shape}")
    if not np.all(np.isfinite(x_test_std)):
        raise AssertionError("x_test_std holds NaN or infinite values")
    shifted = to_model_input(x_test) - pixel_mean
    for scale in (pixel_std + np.float32(epsilon), np.maximum(pixel_std, np.float32(epsilon))):
        if np.allclose(x_test_std, shifted / scale, rtol=1e-3, atol=1e-3):
            return
    raise AssertionError("x_test_std is not the test images standardised with the training "
                         "statistics and epsilon")
