"""Seeding and a thin training loop around `model.fit`."""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field

import keras
import numpy as np

from cnnkit.progress import Progress
from cnnkit.provenance import data_fingerprint, fingerprint, record_training


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
        epoch_seconds: wall-clock time of each epoch (training and validation);
            the first one includes Keras's one-off preparation of the model.
    """

    history: dict[str, list[float]]
    seconds: float
    params: int
    epochs: int
    batch_size: int
    epoch_seconds: list[float] = field(default_factory=list)

    def final(self, metric: str) -> float:
        """The value of `metric` after the last epoch, e.g. `record.final("val_accuracy")`."""
        if metric not in self.history:
            raise KeyError(f"no metric {metric!r}; recorded: {sorted(self.history)}")
        return self.history[metric][-1]


class _EpochTimer(keras.callbacks.Callback):
    """Records the wall-clock time of every epoch."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


RETRACING_WARNING = "triggered tf.function retracing"
"""What TensorFlow's warning says when it has compiled many functions lately."""


def _not_retracing_warning(record: logging.LogRecord) -> bool:
    return RETRACING_WARNING not in record.getMessage()


@contextlib.contextmanager
def no_retracing_warning():
    """Hide TensorFlow's "triggered tf.function retracing" warning while the block runs.

    Keras compiles new TensorFlow functions for every new model it trains or lets
    predict, and TensorFlow warns when it has compiled many lately. In an experiment that
    builds one fresh model per setting that is expected, not a mistake, so the kit's own
    training and measuring hide it. Every other message still shows.
    """
    logger = logging.getLogger("tensorflow")
    logger.addFilter(_not_retracing_warning)
    try:
        yield
    finally:
        logger.removeFilter(_not_retracing_warning)


STEPS_PER_CALL = 64
"""How many batches `train` lets Keras run per call into TensorFlow."""


@contextlib.contextmanager
def steps_per_call(model: keras.Model, steps: int = STEPS_PER_CALL):
    """Let `model.fit` run `steps` batches per call into TensorFlow, then restore the model.

    Keras normally returns to Python after every batch to update callbacks and progress
    bars. On 2 cores of a CPU with AVX-512 that costs about a third of the simple CNN's
    epoch, and on any CPU about half of a small MLP's; where a step is slow anyway (the
    simple CNN on an AVX2 laptop) it saves nothing, and short runs are about 7% slower
    (see benchmarks/README.md). `train` updates its progress once per call (see
    `cnnkit.progress`), so it lets Keras run many batches per call (Keras's
    `steps_per_execution`). The batches, their order and every weight update stay
    exactly the same. A model compiled with its own `steps_per_execution` is left as it is.
    """
    if model.steps_per_execution != 1:
        with no_retracing_warning():
            yield
        return
    model.steps_per_execution = steps
    model.train_function = model.test_function = None  # rebuilt for the new setting
    try:
        with no_retracing_warning():
            yield
    finally:
        model.steps_per_execution = 1
        model.train_function = model.test_function = None


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

    Training is exactly what `model.fit(x, y, epochs=..., batch_size=...,
    validation_data=...)` does, with less overhead per batch: see `steps_per_call`.

    Args:
        model: a compiled Keras model.
        x: inputs, e.g. images of shape `(N, 28, 28, 1)`.
        y: targets, e.g. one-hot labels of shape `(N, 10)`.
        epochs: number of passes over `x`.
        batch_size: number of examples per gradient step.
        validation_data: optional `(x_val, y_val)` evaluated after every epoch.
        verbose: 1 or 2 (the default) prints one line per epoch and, in a notebook,
            shows a progress bar while training runs (`cnnkit.progress.Progress`);
            0 shows nothing.

    Returns:
        A `TrainingRecord` with the history, the seconds spent (in total and per epoch)
        and the parameter count. The weights it produced are noted in
        `cnnkit.provenance.training_log()`: the hidden tests score only models trained here.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    if getattr(model, "optimizer", None) is None or not model.compiled:
        raise ValueError("the model is not compiled yet: call model.compile(...) first")
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} examples but y has {len(y)}")
    before = fingerprint(model)
    callbacks = [_EpochTimer()]
    if verbose:
        callbacks.append(Progress(epochs, len(x), batch_size))
    start = time.perf_counter()
    with steps_per_call(model, STEPS_PER_CALL):
        history = model.fit(
            x,
            y,
            epochs=epochs,
            batch_size=batch_size,
            validation_data=validation_data,
            verbose=0,
            callbacks=callbacks,
        )
    seconds = time.perf_counter() - start
    record_training(model, before, "cnnkit.train", data_fingerprint(x, y))
    values = {name: [float(v) for v in vals] for name, vals in history.history.items()}
    return TrainingRecord(
        history=values,
        seconds=seconds,
        params=int(model.count_params()),
        epochs=epochs,
        batch_size=batch_size,
        epoch_seconds=callbacks[0].seconds,
    )
