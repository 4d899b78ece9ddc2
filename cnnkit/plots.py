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
