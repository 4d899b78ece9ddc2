"""Facts that cnnkit and the autograder share: standard library only.

The autograder imports this module without importing TensorFlow, so nothing here
may import more than the standard library.

- `data_dir()`: where datasets live. `$CNNKIT_DATA_DIR` if set, else Keras's own
  cache, `$KERAS_HOME/datasets` (`~/.keras/datasets` without `KERAS_HOME`).
- `CAPTURE_ENV`: the variable naming the folder where hidden tests save what they
  check (`cnnkit.grading.capture`); the autograder sets it in the student's kernel.
- `HIDDEN_BEGIN` / `HIDDEN_END`: nbgrader's markers around hidden test code.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "CNNKIT_DATA_DIR"
CAPTURE_ENV = "CNNKIT_CAPTURE_DIR"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
DATASETS = ("mnist", "fashion_mnist")


def data_dir() -> Path:
    """Where datasets live: `$CNNKIT_DATA_DIR`, else `$KERAS_HOME/datasets` (`~/.keras/...`)."""
    configured = os.environ.get(DATA_ENV)
    if configured:
        return Path(configured).expanduser()
    keras_home = os.environ.get("KERAS_HOME")
    home = Path(keras_home).expanduser() if keras_home else Path.home() / ".keras"
    return home / "datasets"


def cache_path(name: str) -> Path:
    """The verified cache of dataset `name`: `data_dir()/cnnkit/<name>.npz`."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}: choose one of {', '.join(DATASETS)}")
    return data_dir() / "cnnkit" / f"{name}.npz"
