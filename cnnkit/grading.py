"""The in-kernel side of the hidden tests.

Hidden tests never trust data from the student's notebook for scoring: they load
the test set themselves and measure the model on it. They also `capture` the
objects they check, so that the autograder can run the same trusted test code
again in a clean kernel on exactly those objects.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import keras
import numpy as np

from cnnkit.architecture import LayerRow, compare, layer_table
from cnnkit.checks import (
    check_architecture,
    check_confusion_matrix,
    check_hidden_l2,
    check_learning_curve,
    check_log_spaced,
    check_replicates,
    check_subsets,
)
from cnnkit.data import load_dataset, pixel_statistics, to_model_input
from cnnkit.experiments import changed_aspects
from cnnkit.models import cnn_from_config

CAPTURE_ENV = "CNNKIT_CAPTURE_DIR"

SIMPLE_CNN = [
    LayerRow("Conv2D", (None, 26, 26, 32), 320, "relu"),
    LayerRow("MaxPooling2D", (None, 13, 13, 32), 0, None),
    LayerRow("Flatten", (None, 5408), 0, None),
    LayerRow("Dense", (None, 10), 54090, "softmax"),
]


def trusted_test_set(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The trusted test set of `name`: images `(10000, 28, 28, 1)` in [0, 1], labels `(10000,)`."""
    _, (x_test, y_test) = load_dataset(name)
    return to_model_input(x_test), y_test


def measure_test_accuracy(model: keras.Model, name: str) -> float:
    """Fraction of the trusted test images of `name` that `model` classifies correctly."""
    if not isinstance(model, keras.Model):
        raise AssertionError(f"expected a keras.Model, got {type(model).__name__}")
    x_test, y_test = trusted_test_set(name)
    probabilities = np.asarray(model.predict(x_test, batch_size=1000, verbose=0))
    if probabilities.shape != (len(y_test), 10):
        raise AssertionError(
            f"the model outputs shape {probabilities.shape} for the test set, "
            f"expected {(len(y_test), 10)}"
        )
    return float(np.mean(probabilities.argmax(axis=1) == y_test))


def check_min_accuracy(model: keras.Model, name: str, minimum: float) -> None:
    """Assert that `model` reaches `minimum` accuracy on the trusted test set, and print it.

    Returns nothing on purpose: nbgrader scores a grade cell whose last line evaluates
    to a number with that number.
    """
    accuracy = measure_test_accuracy(model, name)
    if not accuracy >= minimum:
        raise AssertionError(
            f"test accuracy {accuracy:.4f} measured on the {name} test set "
            f"is below the required {minimum:.4f}"
        )
    print(f"measured: test accuracy {accuracy:.4f} on the {name} test set")


def check_model(model: keras.Model, expected: list[LayerRow]) -> None:
    """Assert that `model` has the `expected` layers, shapes and parameter counts."""
    check_architecture(model, expected)
    total = sum(row.params for row in expected)
    if model.count_params() != total:
        raise AssertionError(
            f"the model has {model.count_params():,} parameters, expected {total:,}"
        )


# --- capture and replay -------------------------------------------------------------

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"capture names are short identifiers, got {name!r}")


def capture(name: str, **objects) -> None:
    """Save the objects a hidden test checks, when `$CNNKIT_CAPTURE_DIR` is set.

    Keras models are saved as `.keras`, NumPy arrays (and lists of numbers) as `.npy`,
    histories and other JSON-compatible values as `.json`, under
    `$CNNKIT_CAPTURE_DIR/<name>/`. Without the variable this does nothing.
    """
    _check_name(name)
    root = os.environ.get(CAPTURE_ENV)
    if not root:
        return
    folder = Path(root) / name
    folder.mkdir(parents=True, exist_ok=True)
    for key, value in objects.items():
        _check_name(key)
        for old in folder.glob(f"{key}.*"):
            old.unlink()
        if isinstance(value, keras.Model):
            value.save(folder / f"{key}.keras")
        elif isinstance(value, keras.callbacks.History):
            (folder / f"{key}.json").write_text(json.dumps(value.history))
        elif hasattr(value, "history") and isinstance(value.history, dict):
            (folder / f"{key}.json").write_text(json.dumps(value.history))
        elif isinstance(value, np.ndarray) or _is_numeric_list(value):
            np.save(folder / f"{key}.npy", np.asarray(value), allow_pickle=False)
        else:
            (folder / f"{key}.json").write_text(json.dumps(value, default=_json_default))


def _is_numeric_list(value) -> bool:
    if not isinstance(value, (list, tuple)) or not value:
        return False
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except ValueError:
        return False


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot capture a {type(value).__name__}")


def load_capture(name: str, root: str | os.PathLike | None = None) -> dict:
    """Load what `capture(name, ...)` saved: a dict of the captured objects.

    Models are loaded with `safe_mode=True` and arrays without pickle, so a capture
    cannot run code when loaded.
    """
    _check_name(name)
    root = root if root is not None else os.environ.get(CAPTURE_ENV)
    if not root:
        raise ValueError(f"no capture directory: pass root or set ${CAPTURE_ENV}")
    folder = Path(root) / name
    objects = {}
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.suffix == ".keras":
            objects[path.stem] = keras.saving.load_model(path, safe_mode=True)
        elif path.suffix == ".npy":
            objects[path.stem] = np.load(path, allow_pickle=False)
        elif path.suffix == ".json":
            objects[path.stem] = json.loads(path.read_text())
    return objects


def check_preprocessing(name: str, x_train, y_train, x_test, y_test) -> None:
    """Assert that the four arrays are the trusted data of `name`, prepared for a CNN.

    Expected: images `(N, 28, 28, 1)` float32 equal to the original pixels / 255, and
    one-hot labels `(N, 10)` of the original labels, for the training and test sets.
    """
    (train_images, train_labels), (test_images, test_labels) = load_dataset(name)
    for split, x, y, images, labels in (
        ("training", x_train, y_train, train_images, train_labels),
        ("test", x_test, y_test, test_images, test_labels),
    ):
        x, y = np.asarray(x), np.asarray(y)
        if x.shape != (*images.shape, 1) or x.dtype != np.float32:
            raise AssertionError(f"{split} images: {x.shape} {x.dtype}, expected "
                                 f"{(*images.shape, 1)} float32")
        if np.abs(x[..., 0] - images / np.float32(255)).max() > 1e-6:
            raise AssertionError(f"{split} images are not the original pixels divided by 255")
        if y.shape != (len(labels), 10) or not np.array_equal(y, np.eye(10)[labels]):
            raise AssertionError(f"{split} labels are not the one-hot encoding of the originals")


# --- single-factor variants (assignment 02) -------------------------------------------


def check_trained_as(model: keras.Model, config: dict, n_train: int) -> None:
    """Assert that `model` has the layers and optimizer of `config` and was trained as it says.

    The optimizer's step counter must equal `epochs * ceil(n_train / batch_size)`, the
    number of weight updates of that many epochs over `n_train` training images.
    """
    if not isinstance(model, keras.Model):
        raise AssertionError(f"expected a keras.Model, got {type(model).__name__}")
    reference = cnn_from_config(config)
    differences = compare(model, layer_table(reference))
    if differences:
        raise AssertionError(
            "the model does not match its configuration: " + "; ".join(differences)
        )
    optimizer, wanted = getattr(model, "optimizer", None), reference.optimizer
    if type(optimizer) is not type(wanted):
        raise AssertionError(
            f"the model was trained with {type(optimizer).__name__}, "
            f"its configuration says {type(wanted).__name__}"
        )
    if not np.isclose(float(optimizer.learning_rate), float(wanted.learning_rate)):
        raise AssertionError(
            f"the model was trained with learning rate {float(optimizer.learning_rate):g}, "
            f"its configuration says {float(wanted.learning_rate):g}"
        )
    steps = config["epochs"] * math.ceil(n_train / config["batch_size"])
    if int(optimizer.iterations) != steps:
        raise AssertionError(
            f"the model made {int(optimizer.iterations)} training steps, but {config['epochs']} "
            f"epoch(s) with batch size {config['batch_size']} on {n_train} images make {steps}"
        )


def check_variant_gain(
    baseline_model: keras.Model,
    best_model: keras.Model,
    best_config: dict,
    baseline: dict,
    variants: list,
    name: str,
    points: float,
    n_train: int,
) -> None:
    """Assert that a one-aspect variant beats the baseline by `points` on the trusted test set.

    Both models must have been built and trained as their configurations say
    (`check_trained_as`); `best_config` must be one of `variants` and differ from
    `baseline` in exactly one aspect.
    """
    if best_config not in list(variants):
        raise AssertionError("the best model's configuration is not one of the variants")
    aspects = changed_aspects(baseline, best_config)
    if len(aspects) != 1:
        raise AssertionError(f"the best variant changes {len(aspects)} aspects, not one")
    check_trained_as(baseline_model, baseline, n_train)
    check_trained_as(best_model, best_config, n_train)
    base = measure_test_accuracy(baseline_model, name)
    best = measure_test_accuracy(best_model, name)
    gain = 100 * (best - base)
    if gain < points:
        raise AssertionError(
            f"measured on the {name} test set, the best variant ({aspects[0]}) reaches "
            f"{best:.4f} against the baseline's {base:.4f}: {gain:+.1f} points, "
            f"at least {points:g} required"
        )
    print(f"measured: baseline {base:.4f}, {aspects[0]} variant {best:.4f} ({gain:+.1f} points)")


# --- fully connected versus convolutional networks (assignment 03) ----------------------

MLP_64_64 = [
    LayerRow("Flatten", (None, 784), 0, None),
    LayerRow("Dense", (None, 64), 50240, "relu"),
    LayerRow("Dense", (None, 64), 4160, "relu"),
    LayerRow("Dense", (None, 10), 650, "softmax"),
]
MLP_500_300 = [
    LayerRow("Flatten", (None, 784), 0, None),
    LayerRow("Dense", (None, 500), 392500, "relu"),
    LayerRow("Dense", (None, 300), 150300, "relu"),
    LayerRow("Dense", (None, 10), 3010, "softmax"),
]


def check_l2_mlp(model: keras.Model, factor: float) -> None:
    """Assert that `model` is the 500-300 MLP with L2 weight decay `factor` on its hidden layers."""
    check_model(model, MLP_500_300)
    check_hidden_l2(model, factor)


def check_l2_factors(values) -> None:
    """Assert that `values` are the five L2 factors 1e-6 ... 1e-3, evenly log-spaced."""
    check_log_spaced(values, 1e-6, 1e-3, 5)


def check_sweep_results(results, minimum: float, shape: tuple = (3, 5)) -> None:
    """Assert that `results` holds test accuracies `(replicates, factors)` of at least `minimum`."""
    check_replicates(results, shape, minimum)


def check_convnet(model: keras.Model, name: str, minimum: float) -> None:
    """Assert that `model` has a `Conv2D` layer and reaches `minimum` on the trusted test set."""
    if not isinstance(model, keras.Model):
        raise AssertionError(f"expected a keras.Model, got {type(model).__name__}")
    kinds = [row.type for row in layer_table(model)]
    if "Conv2D" not in kinds:
        raise AssertionError(f"the model has no Conv2D layer: {' -> '.join(kinds)}")
    check_min_accuracy(model, name, minimum)


# --- learning curves and standardisation (assignment 04) ------------------------------

LEARNING_CURVE_CNN = [
    LayerRow("Conv2D", (None, 24, 24, 16), 416, "linear"),
    LayerRow("BatchNormalization", (None, 24, 24, 16), 64, None),
    LayerRow("ReLU", (None, 24, 24, 16), 0, "relu"),
    LayerRow("MaxPooling2D", (None, 12, 12, 16), 0, None),
    LayerRow("Conv2D", (None, 8, 8, 32), 12832, "linear"),
    LayerRow("BatchNormalization", (None, 8, 8, 32), 128, None),
    LayerRow("ReLU", (None, 8, 8, 32), 0, "relu"),
    LayerRow("MaxPooling2D", (None, 4, 4, 32), 0, None),
    LayerRow("Flatten", (None, 512), 0, None),
    LayerRow("Dense", (None, 10), 5130, "softmax"),
]
"""Two 5x5 convolution blocks (16 and 32 filters, batch norm, ReLU, 2x2 pooling), 18,570
parameters: the CNN of the learning curves."""


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


def check_learning_curve_models(curve, smallest_model, full_model, name: str) -> None:
    """Assert that the first and last models of a learning curve are the CNN, each trained
    from scratch with the curve's budget, and that the curve reports their real accuracy."""
    check_learning_curve(curve)
    for label, model, position in (("smallest", smallest_model, 0), ("full-data", full_model, -1)):
        if not isinstance(model, keras.Model):
            raise AssertionError(f"the {label} model is a {type(model).__name__}, not a model")
        check_model(model, LEARNING_CURVE_CNN)
        _check_budget(model, int(curve["steps"][position]), label)
        measured = measure_test_accuracy(model, name)
        reported = float(curve["test_accuracy"][position])
        if abs(measured - reported) > 0.002:
            raise AssertionError(
                f"the curve reports test accuracy {reported:.4f} for the {label} model, but it "
                f"measures {measured:.4f} on the {name} test set"
            )
        print(f"measured: {label} model {measured:.4f}")


def check_full_data_model(full_model, curve, name: str, minimum: float) -> None:
    """Assert that the model trained on all training images, with the curve's budget,
    reaches `minimum` accuracy on the trusted test set."""
    if not isinstance(full_model, keras.Model):
        raise AssertionError(f"expected a keras.Model, got {type(full_model).__name__}")
    (_, y_train), _ = load_dataset(name)
    if int(curve["size"][-1]) != len(y_train):
        raise AssertionError(f"the last size of the curve is {curve['size'][-1]}, not all "
                             f"{len(y_train):,} training images")
    _check_budget(full_model, int(curve["steps"][-1]), "full-data")
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
