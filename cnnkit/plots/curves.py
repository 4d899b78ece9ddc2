"""Training curves: a metric per epoch, for one run or several side by side.

    history = model.fit(...)  # or cnnkit.train(...)
    plot_history(history)  # loss and accuracy, training and validation
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def plot_history(history, metrics=("loss", "accuracy"), axes=None, label: str = ""):
    """Training and validation curves per epoch, one panel per metric.

    Args:
        history: a dict of lists (metric -> one value per epoch), a Keras `History`,
            or a `cnnkit.TrainingRecord`.
        metrics: which metrics to draw; `val_<metric>` is drawn too when present.
        axes: one `Axes` per metric; new ones are made when `None`.
        label: prefix for the legend entries, to compare several runs on shared axes.

    Returns:
        The array of `Axes`.
    """
    values = getattr(history, "history", history)
    if not isinstance(values, dict):
        raise TypeError("history must be a dict of lists, a Keras History or a TrainingRecord")
    if axes is None:
        _, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5))
    axes = np.atleast_1d(axes)
    for ax, metric in zip(axes, metrics):
        if metric not in values:
            raise ValueError(f"no {metric!r} in the history; it has {sorted(values)}")
        epochs = np.arange(1, len(values[metric]) + 1)
        prefix = f"{label} " if label else ""
        ax.plot(epochs, values[metric], marker="o", label=f"{prefix}training")
        if f"val_{metric}" in values:
            ax.plot(epochs, values[f"val_{metric}"], marker="s", label=f"{prefix}validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.legend()
    return axes


def runs_side_by_side(runs, metric: str = "loss", axes=None):
    """The training and validation curves of several runs, one panel per run, side by side.

    Args:
        runs: run name -> a dict with a `"history"` (metric -> one value per epoch), as
            `cnnkit.experiments.compare_runs` returns; or run name -> history.
        metric: which curve to draw, e.g. `"loss"` or `"accuracy"`; `val_<metric>` too.
        axes: one `Axes` per run; new ones, sharing the y-axis, are made when `None`.

    Returns:
        The array of `Axes`, in the order of `runs`.
    """
    if not isinstance(runs, dict) or not runs:
        raise TypeError("runs must be a non-empty dict: run name -> run (or history)")
    if axes is None:
        _, axes = plt.subplots(1, len(runs), figsize=(3.3 * len(runs), 3.2), sharey=True,
                               squeeze=False)
    axes = np.atleast_1d(axes).ravel()
    if len(axes) != len(runs):
        raise ValueError(f"{len(runs)} runs need {len(runs)} axes, got {len(axes)}")
    for ax, (name, run) in zip(axes, runs.items()):
        history = run.get("history", run) if isinstance(run, dict) else run
        plot_history(history, metrics=(metric,), axes=[ax])
        ax.set_title(str(name), fontsize=10)
        ax.grid(True, alpha=0.3)
    for ax in axes[1:]:
        ax.set_ylabel("")
    return axes
