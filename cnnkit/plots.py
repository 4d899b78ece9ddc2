"""Plots for the notebooks.

Every function draws on the `Axes` it is given (or makes a new figure), returns
what it drew on, and leaves matplotlib's global settings alone.
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

def image_grid(images, titles=None, nrows: int = 2, ncols: int = 5, axes=None, cmap="gray"):
    """Show `nrows * ncols` images `(N, 28, 28)` or `(N, 28, 28, 1)` with optional titles."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"expected images of shape (N, height, width), got {images.shape}")
    if axes is None:
        _, axes = plt.subplots(nrows, ncols, figsize=(1.8 * ncols, 2.0 * nrows))
    axes = np.atleast_1d(axes).ravel()
    for index, ax in enumerate(axes):
        ax.axis("off")
        if index < len(images):
            ax.imshow(images[index], cmap=cmap)
            if titles is not None:
                ax.set_title(str(titles[index]), fontsize=9)
    return axes


def kernel_grid(kernels, nrows: int = 4, ncols: int = 8, axes=None):
    """Show the learned kernels of a first convolution layer.

    Args:
        kernels: the layer's weights of shape `(height, width, 1, filters)`, e.g.
            `model.layers[0].get_weights()[0]` of shape `(3, 3, 1, 32)`.

    Each kernel is drawn on its own colour scale: light pixels are large weights.
    """
    kernels = np.asarray(kernels)
    if kernels.ndim != 4 or kernels.shape[2] != 1:
        raise ValueError(f"expected kernels of shape (h, w, 1, filters), got {kernels.shape}")
    if axes is None:
        _, axes = plt.subplots(nrows, ncols, figsize=(1.2 * ncols, 1.2 * nrows))
    axes = np.atleast_1d(axes).ravel()
    for index, ax in enumerate(axes):
        ax.axis("off")
        if index < kernels.shape[-1]:
            ax.imshow(kernels[:, :, 0, index], cmap="gray")
            ax.set_title(str(index), fontsize=8)
    return axes


def variant_bars(table, ax=None):
    """Test accuracy of every run of a `cnnkit.experiments.run_variants` table, as bars.

    The baseline is grey and drawn as a dashed line across the chart; variants above it
    are green, those below it red (the same: grey). Returns the `Axes`.
    """
    if not table:
        raise ValueError("the results table is empty")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.4 * len(table) + 1, 3.5))
    accuracy = np.array([100 * row["test_accuracy"] for row in table])
    labels = ["baseline"] + [f"{row['aspect']}\n= {row['value']}" for row in table[1:]]
    shade = {1: "tab:green", 0: "0.6", -1: "tab:red"}
    colors = ["0.6"] + [shade[int(np.sign(a - accuracy[0]))] for a in accuracy[1:]]
    ax.bar(np.arange(len(table)), accuracy, color=colors)
    ax.axhline(accuracy[0], color="0.3", linestyle="--", linewidth=1)
    for x, value in enumerate(accuracy):
        ax.annotate(f"{value:.1f}", (x, value), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(np.arange(len(table)), labels, fontsize=8)
    ax.set_ylim(max(0.0, accuracy.min() - 5), min(100.0, accuracy.max() + 3))
    ax.set_ylabel("test accuracy (%)")
    return ax


def variant_curves(table, metrics=("loss", "val_accuracy"), axes=None):
    """The curves of every run of a `run_variants` table on shared axes, one panel per metric.

    The baseline is the thick black line. Returns the array of `Axes`.
    """
    if axes is None:
        _, axes = plt.subplots(1, len(metrics), figsize=(6 * len(metrics), 4))
    axes = np.atleast_1d(axes)
    for ax, metric in zip(axes, metrics):
        for index, row in enumerate(table):
            if metric not in row["history"]:
                raise ValueError(f"no {metric!r} in the history of {row['name']}")
            values = row["history"][metric]
            label = "baseline" if index == 0 else f"{row['aspect']} = {row['value']}"
            style = {"color": "black", "linewidth": 2.5} if index == 0 else {"linewidth": 1.2}
            style.update(marker="o" if len(values) < 20 else None, markersize=3)
            ax.plot(np.arange(1, len(values) + 1), values, label=label, **style)
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"validation {metric[4:]}" if metric.startswith("val_") else metric)
    axes[-1].legend(fontsize=8)
    return axes


def sweep_errorbars(
    values,
    results,
    *,
    reference: float | None = None,
    reference_label: str = "reference",
    xlabel: str = "L2 factor",
    ylabel: str = "test accuracy",
    log_x: bool = True,
    ax=None,
):
    """Mean and standard deviation over replicates against the swept values.

    Args:
        values: the swept values, shape `(V,)`, e.g. five L2 factors.
        results: one row per replicate, shape `(R, V)`, e.g. `experiments.sweep_grid(table)`.
        reference: a value to draw as a dashed horizontal line, e.g. a published result.
        log_x: a logarithmic x-axis, for values that span powers of ten.

    The error bars are the mean +/- one standard deviation of each column; every single
    run is drawn as a small grey dot as well. Returns the `Axes`.
    """
    values = np.asarray(values, dtype=float)
    results = np.asarray(results, dtype=float)
    if results.ndim != 2 or results.shape[1] != len(values):
        raise ValueError(
            f"results must have shape (replicates, {len(values)}), one column per value; "
            f"got {results.shape}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for row in results:
        ax.plot(values, row, "o", color="0.6", markersize=3)
    ax.errorbar(values, results.mean(axis=0), yerr=results.std(axis=0), fmt="o-", capsize=4,
                label=f"mean +/- std over {len(results)} runs")
    if reference is not None:
        ax.axhline(reference, color="tab:red", linestyle="--", label=reference_label)
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax


def params_vs_accuracy(names, params, accuracies, *, ax=None):
    """One point per trained model: parameter count (log x-axis) against test accuracy.

    `names`, `params` and `accuracies` are equally long sequences, one entry per model.
    Models with the same name (e.g. the replicates of a sweep) share a colour and one
    legend entry. Returns the `Axes`.
    """
    if not len(names) == len(params) == len(accuracies):
        raise ValueError(
            f"names, params and accuracies must be equally long, got "
            f"{len(names)}, {len(params)} and {len(accuracies)}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    names = [str(name) for name in names]
    params, accuracies = np.asarray(params, dtype=float), np.asarray(accuracies, dtype=float)
    for name in dict.fromkeys(names):
        mine = np.array([n == name for n in names])
        ax.scatter(params[mine], accuracies[mine], label=name, alpha=0.8)
    ax.set_xscale("log")
    ax.set_xlim(10 ** np.floor(np.log10(params.min())), 10 ** np.ceil(np.log10(params.max())))
    ax.xaxis.set_minor_formatter(plt.NullFormatter())  # label the powers of ten only
    ax.set_xlabel("number of parameters (log scale)")
    ax.set_ylabel("test accuracy")
    ax.legend(fontsize=8)
    return ax


def learning_curve(table, ax=None):
    """Training and test accuracy against training-set size, on a logarithmic x-axis.

    Args:
        table: the dict of lists that `cnnkit.experiments.learning_curve` returns
            (keys `size`, `train_accuracy`, `test_accuracy`).
        ax: the `Axes` to draw on; a new figure is made when `None`.

    Returns:
        The `Axes`.
    """
    if not isinstance(table, dict) or not {"size", "test_accuracy"} <= set(table):
        raise TypeError("table must be the dict of lists that experiments.learning_curve returns")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    sizes = np.asarray(table["size"])
    if "train_accuracy" in table:
        ax.plot(sizes, table["train_accuracy"], marker="o", label="training accuracy")
    ax.plot(sizes, table["test_accuracy"], marker="s", label="test accuracy")
    ax.set_xscale("log")
    ax.set_xticks(sizes, [f"{size:,}" for size in sizes], fontsize=8)
    ax.minorticks_off()
    ax.set_xlabel("training images (log scale)")
    ax.set_ylabel("accuracy")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


def confusion_matrix(matrix, class_names=None, ax=None, digits: int = 2):
    """A confusion matrix as a heatmap with the value written in every cell.

    Args:
        matrix: shape `(classes, classes)`; row `i` is the true class, column `j` the
            predicted one. Counts or fractions (e.g. each row divided by its sum).
        class_names: tick labels; `0, 1, ...` when `None`.
        ax: the `Axes` to draw on; a new figure is made when `None`.
        digits: decimals shown for fractions (counts are shown as whole numbers).

    Returns:
        The `Axes`.
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"expected a square matrix (classes, classes), got {matrix.shape}")
    classes = len(matrix)
    names = [str(i) for i in range(classes)] if class_names is None else list(class_names)
    if len(names) != classes:
        raise ValueError(f"{len(names)} class names for a {classes}x{classes} matrix")
    if ax is None:
        _, ax = plt.subplots(figsize=(0.55 * classes + 1.5, 0.55 * classes + 1))
    ax.imshow(matrix, cmap="Blues")
    counts = np.all(matrix == np.round(matrix)) and matrix.max() > 1
    top = matrix.max() if matrix.max() > 0 else 1.0
    for i in range(classes):
        for j in range(classes):
            value = matrix[i, j]
            text = f"{value:.0f}" if counts else f"{value:.{digits}f}"
            if not counts and value < 0.5 * 10**-digits:
                text = "0"
            color = "white" if value > 0.6 * top else "black"
            ax.text(j, i, text, ha="center", va="center", fontsize=7.5, color=color)
    ax.set_xticks(range(classes), names)
    ax.set_yticks(range(classes), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    return ax
