"""Experiments of assignment 04: runs of one network in several settings, side by side, and
the rule that labels a run `underfit`, `good` or `overfit`.

`compare_runs` trains one fresh model per setting (e.g. 2, 16 and 96 filters, or batch
normalisation on and off at two learning rates) with a validation set, and measures every
trained model on its training images and on the validation images. `fit_label` is the rule
that names a run from those two measurements; the notebook's text, its visible check and
its hidden test all use it.
"""

from __future__ import annotations

import time

import keras
import numpy as np

from cnnkit.experiments.common import _pair
from cnnkit.training import no_retracing_warning, train

FIT_LABELS = ("underfit", "good", "overfit")
"""The labels a run can get, from too little capacity or training to too much."""

UNDERFIT_BELOW = 0.85
"""A run underfits when its training accuracy stays below this: it cannot fit even the
images it learns from."""

OVERFIT_GAP = 0.015
"""A run overfits when its training accuracy is more than this above its validation
accuracy: it learned its own training images much better than new ones."""

VALIDATION_IMAGES = 2000
"""04's runs validate on the last this many training images: never trained on, and few
enough to measure after every epoch without slowing the runs much."""

RUN_KEYS = ("setting", "history", "params", "seconds", "train_loss", "train_accuracy",
            "val_loss", "val_accuracy")
"""What `compare_runs` records about each run."""


def fit_label(train_accuracy: float, val_accuracy: float) -> str:
    """`"underfit"`, `"good"` or `"overfit"` for a trained model, from its accuracy on its
    own training images and on validation images (both measured after training)."""
    train_accuracy, val_accuracy = float(train_accuracy), float(val_accuracy)
    if train_accuracy < UNDERFIT_BELOW:
        return "underfit"
    if round(train_accuracy - val_accuracy, 9) > OVERFIT_GAP:  # 0.999 - 0.984 is 0.0150...01
        return "overfit"
    return "good"


def fit_rule() -> str:
    """The rule of `fit_label` in words, with its thresholds."""
    return (f"underfit when the training accuracy stays below {UNDERFIT_BELOW:.0%}; otherwise "
            f"overfit when the training accuracy is more than {OVERFIT_GAP * 100:g} points "
            "above the validation accuracy; otherwise good")


def measure_fit(model: keras.Model, x, y) -> tuple[float, float]:
    """(cross-entropy loss, accuracy) of `model` on images `x` `(N, 28, 28, 1)` with labels
    `y` `(N,)` or one-hot `(N, 10)`, in inference mode (dropout off, batch normalisation
    with its running averages), as after training."""
    y = np.asarray(y)
    labels = y.argmax(axis=1) if y.ndim == 2 else y.astype(int)
    with no_retracing_warning():
        probabilities = np.asarray(model.predict(x, batch_size=1000, verbose=0),
                                   dtype=np.float64)
    if probabilities.shape != (len(labels), probabilities.shape[-1]) or probabilities.ndim != 2:
        raise ValueError(f"the model outputs shape {probabilities.shape} for {len(labels)} images")
    picked = np.clip(probabilities[np.arange(len(labels)), labels], 1e-7, 1.0)
    accuracy = np.mean(probabilities.argmax(axis=1) == labels)
    return round(float(-np.log(picked).mean()), 4), round(float(accuracy), 4)


def compare_runs(
    build_model,
    settings: dict,
    *,
    training_data: tuple,
    validation_data: tuple,
    epochs: int,
    batch_size: int,
    verbose: int = 1,
) -> tuple[dict, list[keras.Model]]:
    """Train a fresh model for every setting on the same data; measure each one.

    Args:
        build_model: a function that returns a new compiled model, called as
            `build_model(**setting)`, e.g. `build_model(filters=16)`.
        settings: run name -> keyword arguments of `build_model`, e.g.
            `{"2 filters": {"filters": 2}, "16 filters": {"filters": 16}}`.
        training_data: `(x, y)`: images `(N, 28, 28, 1)` and labels, every run the same.
        validation_data: `(x_val, y_val)`, evaluated after every epoch (the curves) and
            once more after training.
        epochs, batch_size: as for `cnnkit.train`, the same for every run.
        verbose: 1 prints one line per run, 0 nothing.

    Returns:
        `(runs, models)`. `runs` maps every name to a dict with the keys `RUN_KEYS`: the
        setting, the history per epoch (`loss`, `accuracy`, `val_loss`, `val_accuracy`),
        parameters, seconds, and loss and accuracy on the training images and on the
        validation images measured after training (`measure_fit`). `models` holds the
        trained models in the order of `settings`.
    """
    if not callable(build_model):
        raise TypeError("build_model must be a function: build_model(**setting) -> compiled model")
    if not isinstance(settings, dict) or not settings:
        raise TypeError("settings must be a non-empty dict: run name -> dict of keyword "
                        "arguments for build_model")
    x, y = _pair(training_data, "training_data")
    x_val, y_val = _pair(validation_data, "validation_data")
    runs, models = {}, []
    for name, setting in settings.items():
        if not isinstance(setting, dict):
            raise TypeError(f"the setting of {name!r} must be a dict of keyword arguments, "
                            f"e.g. {{'filters': 16}}; got {setting!r}")
        model = build_model(**setting)
        if not isinstance(model, keras.Model) or any(model is m for m in models):
            raise ValueError("build_model must return a new keras.Model on every call")
        start = time.perf_counter()
        record = train(model, x, y, epochs=epochs, batch_size=batch_size,
                       validation_data=(x_val, y_val), verbose=0)
        train_loss, train_accuracy = measure_fit(model, x, y)
        val_loss, val_accuracy = measure_fit(model, x_val, y_val)
        runs[str(name)] = {
            "setting": dict(setting), "history": record.history, "params": record.params,
            "seconds": round(time.perf_counter() - start, 1),
            "train_loss": train_loss, "train_accuracy": train_accuracy,
            "val_loss": val_loss, "val_accuracy": val_accuracy,
        }
        models.append(model)
        if verbose:
            print(f"{name}: training accuracy {train_accuracy:.4f}, validation accuracy "
                  f"{val_accuracy:.4f} ({runs[str(name)]['seconds']:.1f} s)", flush=True)
    return runs, models


def format_runs(runs: dict) -> str:
    """The runs of `compare_runs` as aligned text, one line per run."""
    width = max(len(name) for name in runs) + 2
    lines = [f"{'run':<{width}}{'params':>8}{'train acc':>11}{'val acc':>9}{'gap':>8}"
             f"{'train loss':>12}{'val loss':>10}"]
    for name, run in runs.items():
        gap = run["train_accuracy"] - run["val_accuracy"]
        lines.append(f"{name:<{width}}{run['params']:>8,}{run['train_accuracy']:>11.4f}"
                     f"{run['val_accuracy']:>9.4f}{gap:>8.4f}{run['train_loss']:>12.4f}"
                     f"{run['val_loss']:>10.4f}")
    return "\n".join(lines)
