"""The in-kernel side of the hidden tests.

Hidden tests never trust data from the student's notebook for scoring: they load
the test set themselves and measure the model on it. They also `capture` the
objects they check, so that the autograder can run the same trusted test code
again in a clean kernel on exactly those objects.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import keras
import numpy as np

from cnnkit.architecture import LayerRow
from cnnkit.checks import check_architecture
from cnnkit.data import load_dataset, to_model_input

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


def check_min_accuracy(model: keras.Model, name: str, minimum: float) -> float:
    """Assert that `model` reaches `minimum` accuracy on the trusted test set; return it."""
    accuracy = measure_test_accuracy(model, name)
    if not accuracy >= minimum:
        raise AssertionError(
            f"test accuracy {accuracy:.4f} measured on the {name} test set "
            f"is below the required {minimum:.4f}"
        )
    return accuracy


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
