"""Capture and replay: save the objects a hidden test checks, and load them again.

A hidden test first `capture`s the objects it checks, so that the autograder can run
the same trusted test code again in a clean kernel on exactly those objects, which
`load_capture` loads there. Without `$CNNKIT_CAPTURE_DIR`, which the autograder
sets, `capture` does nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import keras
import numpy as np

from cnnkit.paths import CAPTURE_ENV
from cnnkit.safe_load import load_captured

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"capture names are short identifiers, got {name!r}")


def capture(name: str, **objects) -> None:
    """Save the objects a hidden test checks, when `$CNNKIT_CAPTURE_DIR` is set.

    Keras models are saved as `.keras`, a list of models as `<key>.0.keras`,
    `<key>.1.keras`, ..., NumPy arrays, tensors and lists of numbers as `.npy`, histories and
    other JSON-compatible values as `.json`, under `$CNNKIT_CAPTURE_DIR/<name>/`.
    Without the variable this does nothing.
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
        elif _is_model_list(value):
            for index, model in enumerate(value):
                model.save(folder / f"{key}.{index}.keras")
        elif isinstance(value, keras.callbacks.History):
            (folder / f"{key}.json").write_text(json.dumps(value.history))
        elif hasattr(value, "history") and isinstance(value.history, dict):
            (folder / f"{key}.json").write_text(json.dumps(value.history))
        elif isinstance(value, np.ndarray) or _is_tensor(value) or _is_numeric_list(value):
            np.save(folder / f"{key}.npy", np.asarray(value), allow_pickle=False)
        else:
            (folder / f"{key}.json").write_text(json.dumps(value, default=_json_default))


def _is_model_list(value) -> bool:
    return isinstance(value, (list, tuple)) and bool(value) and all(
        isinstance(item, keras.Model) for item in value)


def _is_tensor(value) -> bool:
    """A TensorFlow or Keras tensor (e.g. from `keras.ops.one_hot`): saved as its array."""
    return keras.ops.is_tensor(value)


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

    It loads as the clean room does (`cnnkit.safe_load.load_captured`): models with
    `safe_mode=True` and Keras's own classes only, arrays without pickle, so a capture
    cannot run code when loaded.
    """
    _check_name(name)
    root = root if root is not None else os.environ.get(CAPTURE_ENV)
    if not root:
        raise ValueError(f"no capture directory: pass root or set ${CAPTURE_ENV}")
    folder = Path(root) / name
    names = {path.name.split(".")[0] for path in folder.glob("*")} if folder.is_dir() else set()
    objects = {}
    for key in sorted(names):
        with contextlib.suppress(LookupError):  # e.g. a stray file of another kind
            objects[key] = load_captured(folder, key)
    return objects
