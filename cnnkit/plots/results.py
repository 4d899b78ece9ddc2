"""Charts of the results tables of `cnnkit.experiments`: variants, sweeps, learning curves.

    table = cnnkit.experiments.run_variants(...)
    variant_bars(table)  # test accuracy of each variant against the baseline
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


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
