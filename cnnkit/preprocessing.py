"""Prepare images for a model: pick a subset, add the channel axis, pixel statistics.

    x_small, y_small = subsample(x_train, y_train, 1000)  # keeps each class's share
    x_train = to_model_input(x_train)  # (60000, 28, 28, 1) float32 in [0, 1]
    mean, std = pixel_statistics(x_train)  # each (28, 28, 1), over the training images

NumPy only: nothing here imports Keras.
"""

from __future__ import annotations

import numpy as np


def _class_sizes(counts: np.ndarray, n: int) -> np.ndarray:
    """How many examples to draw from each class: proportional to `counts`, at least 1 each,
    summing to `n` (largest-remainder rounding)."""
    share = counts * n / counts.sum()
    sizes = np.maximum(np.floor(share).astype(int), 1)
    while sizes.sum() > n:  # raising tiny classes to 1 went over n: take from the largest excess
        sizes[np.argmax(np.where(sizes > 1, sizes - share, -np.inf))] -= 1
    shortfall = n - sizes.sum()
    most_under = np.argsort(sizes - share, kind="stable")
    sizes[most_under[:shortfall]] += 1
    return sizes


def subsample(x: np.ndarray, y: np.ndarray, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A random subset of `n` examples that keeps each class's share of the data.

    `x` has shape `(N, ...)`; `y` holds integer labels `(N,)` or one-hot labels
    `(N, num_classes)`. Returns `(x_sub, y_sub)` with `n` examples in their original order.
    Every class present in `y` appears at least once; the same `seed` gives the same subset.
    """
    x, y = np.asarray(x), np.asarray(y)
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"n should be an integer (a whole number), got {type(n).__name__} {n!r}: "
                        "round sizes made with np.geomspace, e.g. "
                        "np.geomspace(100, 60000, 6).round().astype(int)")
    if y.ndim not in (1, 2) or len(x) != len(y):
        raise ValueError(f"x and y should have the same length and y should be labels (N,) or "
                         f"one-hot labels (N, classes); got x {x.shape} and y {y.shape}")
    labels = y if y.ndim == 1 else y.argmax(axis=1)
    classes, counts = np.unique(labels, return_counts=True)
    if not len(classes) <= n <= len(y):
        raise ValueError(f"n should be between the number of classes ({len(classes)}) and the "
                         f"number of examples ({len(y)}), got {n}")
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(labels == label), size, replace=False)
              for label, size in zip(classes, _class_sizes(counts, n), strict=True)]
    index = np.sort(np.concatenate(chosen))
    return x[index], y[index]


def to_model_input(x: np.ndarray) -> np.ndarray:
    """uint8 images `(N, 28, 28)` with values 0..255 -> float32 `(N, 28, 28, 1)` in [0, 1].

    Conv2D layers expect channels-last input `(batch, height, width, channels)`: grayscale
    images get one channel. Images that already have it, `(N, 28, 28, 1)`, are accepted too.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"expected a NumPy array of images, got {type(x).__name__}")
    if x.dtype != np.uint8:
        raise TypeError(f"expected uint8 pixel values 0..255 as load_dataset returns them, got "
                        f"dtype {x.dtype} (are the images already scaled?)")
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3:
        raise ValueError(f"expected images of shape (N, 28, 28) or (N, 28, 28, 1), got "
                         f"{x.shape} (for a single image use x[np.newaxis])")
    images = x.astype(np.float32)
    images /= 255  # in place: one float32 copy of the images, not two
    return images[..., np.newaxis]


# --- per-pixel standardisation (assignment 04) ----------------------------------------


def pixel_statistics(x_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean and standard deviation of every pixel over the images of `x_train`.

    `x_train` has shape `(N, 28, 28, 1)` (or `(N, 28, 28)`); both results have the shape
    of one image, `(28, 28, 1)`, and dtype float32. Computed in float64 for accuracy.
    Pixels that are the same in every image (MNIST's black border) have a std of 0.
    """
    x = np.asarray(x_train)
    if x.ndim < 2 or len(x) < 2:
        raise ValueError(f"expected a stack of at least two images (N, ...), got {x.shape}")
    total, squares = np.zeros(x.shape[1:]), np.zeros(x.shape[1:])
    for start in range(0, len(x), 10_000):  # in chunks: a float64 copy of all would be large
        chunk = x[start : start + 10_000].astype(np.float64)
        total += chunk.sum(axis=0)
        squares += (chunk**2).sum(axis=0)
    mean = total / len(x)
    std = np.sqrt(np.maximum(squares / len(x) - mean**2, 0.0))
    return mean.astype(np.float32), std.astype(np.float32)
