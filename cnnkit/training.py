"""Seeding and a thin training loop around `model.fit`."""

from __future__ import annotations

import time
from dataclasses import dataclass

import keras
import numpy as np


def set_seed(seed: int = 0) -> None:
    """Seed Python, NumPy and the Keras backend so that runs are repeatable."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    keras.utils.set_random_seed(int(seed))


@dataclass
class TrainingRecord:
    """What one call to `train` produced.

    Attributes:
        history: metric name -> one value per epoch (e.g. `loss`, `accuracy`,
            `val_loss`, `val_accuracy`), as in `keras.callbacks.History.history`.
        seconds: wall-clock time spent in `model.fit`.
        params: number of parameters of the model.
        epochs: number of epochs trained.
        batch_size: batch size used.
    """

    history: dict[str, list[float]]
    seconds: float
    params: int
    epochs: int
    batch_size: int

    def final(self, metric: str) -> float:
        """The value of `metric` after the last epoch, e.g. `record.final("val_accuracy")`."""
        if metric not in self.history:
            raise KeyError(f"no metric {metric!r}; recorded: {sorted(self.history)}")
        return self.history[metric][-1]


def train(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    verbose: int = 2,
) -> TrainingRecord:
    """Train a compiled `model` with `model.fit` and record what happened.

    Args:
        model: a compiled Keras model.
        x: inputs, e.g. images of shape `(N, 28, 28, 1)`.
        y: targets, e.g. one-hot labels of shape `(N, 10)`.
        epochs: number of passes over `x`.
        batch_size: number of examples per gradient step.
        validation_data: optional `(x_val, y_val)` evaluated after every epoch.
        verbose: 2 prints one line per epoch (the default; progress bars write
            control characters into saved notebooks), 0 prints nothing.

    Returns:
        A `TrainingRecord` with the history, the seconds spent and the parameter count.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    if getattr(model, "optimizer", None) is None or not model.compiled:
        raise ValueError("the model is not compiled yet: call model.compile(...) first")
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} examples but y has {len(y)}")
    start = time.perf_counter()
    history = model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        verbose=verbose,
    )
    seconds = time.perf_counter() - start
    values = {name: [float(v) for v in vals] for name, vals in history.history.items()}
    return TrainingRecord(
        history=values,
        seconds=seconds,
        params=int(model.count_params()),
        epochs=epochs,
        batch_size=batch_size,
    )
