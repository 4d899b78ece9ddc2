"""Pictures of images and weights: a grid of images, the kernels of a layer, a confusion matrix.

    image_grid(x_train[:10], titles=y_train[:10])
    kernel_grid(model.layers[0].get_weights()[0])  # (3, 3, 1, 32): 32 small images
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def image_grid(images, titles=None, nrows: int = 2, ncols: int = 5, axes=None, cmap="gray"):
    """Show `nrows * ncols` images `(N, 28, 28)` or `(N, 28, 28, 1)` with optional titles."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"expected images of shape (N, height, width), got {images.shape}")
    if axes is None:
        _, axes = plt.subplots(nrows, ncols, figsize=(1.8 * ncols, 2.0 * nrows))
    return _draw_grid(images, titles, axes, cmap=cmap, fontsize=9)


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
    filters = np.moveaxis(kernels[:, :, 0, :], -1, 0)  # (filters, height, width)
    return _draw_grid(filters, range(len(filters)), axes, cmap="gray", fontsize=8)


def _draw_grid(images, titles, axes, cmap, fontsize):
    """Draw `images[i]` `(height, width)` with `titles[i]` on the i-th of `axes`; hide the rest."""
    axes = np.atleast_1d(axes).ravel()
    for index, ax in enumerate(axes):
        ax.axis("off")
        if index < len(images):
            ax.imshow(images[index], cmap=cmap)
            if titles is not None:
                ax.set_title(str(titles[index]), fontsize=fontsize)
    return axes


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
