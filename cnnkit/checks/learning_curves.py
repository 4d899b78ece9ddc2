"""Checks for assignment 04: learning curves, confusion matrices and standardisation."""

from __future__ import annotations

import keras
import numpy as np

from cnnkit.architecture import LayerRow
from cnnkit.checks.common import _fail, check_architecture
from cnnkit.experiments import LEARNING_CURVE_KEYS

ALLOWED_DROP = 0.017
"""How far a size's test accuracy may fall below a smaller size's: 1.5 points more than the
largest drop of the notebook's curve over 20 calibration runs, 0.15 points
(benchmarks/calibration/04_learning_curves.curve.json). Short trainings are noisy."""


def check_sizes(sizes, smallest: int = 100, largest: int = 60000, minimum: int = 6) -> None:
    """Check training-set sizes: at least `minimum`, increasing, from `smallest` to `largest`,
    spread evenly on a log scale (no gap between neighbours of more than 15 times)."""
    sizes = [int(size) for size in sizes]
    if len(sizes) < minimum:
        _fail(f"there are {len(sizes)} sizes; use at least {minimum}, e.g. 100, 300, 1000, ...")
    if any(b <= a for a, b in zip(sizes, sizes[1:])):
        _fail(f"the sizes {sizes} must increase, smallest first, without repeats")
    if sizes[0] != smallest or sizes[-1] != largest:
        _fail(f"the sizes go from {sizes[0]:,} to {sizes[-1]:,}; go from {smallest:,} to "
              f"{largest:,} (all the training data)")
    gaps = [b / a for a, b in zip(sizes, sizes[1:])]
    if max(gaps) > 15:
        _fail(f"the sizes {sizes} are not log-spaced: {max(gaps):.0f} times from one size to "
              "the next; space them evenly on a log scale, each a few times the one before, "
              "e.g. np.geomspace(100, 60000, 6).round().astype(int) (whole numbers)")


def check_subsets(subsets, labels, smallest: int = 100, largest: int = 60000) -> None:
    """Check training subsets: arrays of positions into `labels` `(N,)`, of log-spaced
    sizes from `smallest` to `largest`, each stratified (every class in proportion)."""
    labels = np.asarray(labels)
    if not isinstance(subsets, (list, tuple)) or not subsets:
        _fail(f"`subsets` must be a list of index arrays, got {type(subsets).__name__}")
    arrays = [np.asarray(subset) for subset in subsets]
    for index in arrays:
        if index.ndim != 1 or index.dtype.kind not in "iu" or index.size == 0:
            _fail("each subset must be a 1-D array of whole-number positions in the training set "
                  f"(got shape {index.shape}, dtype {index.dtype}): subsample np.arange(N)")
        if index.min() < 0 or index.max() >= len(labels) or len(np.unique(index)) != len(index):
            _fail(f"a subset of {len(index)} holds positions outside 0..{len(labels) - 1} "
                  "or the same position twice")
    check_sizes([len(index) for index in arrays], smallest, largest)
    share = np.bincount(labels, minlength=10) / len(labels)
    for index in arrays:
        counts = np.bincount(labels[index], minlength=len(share))
        expected = share * len(index)
        worst = int(np.argmax(np.abs(counts - expected)))
        if abs(counts[worst] - expected[worst]) > 1:
            _fail(f"the subset of {len(index):,} is not stratified: it has {counts[worst]} "
                  f"images of class {worst}, while that class's share of the training set gives "
                  f"{expected[worst]:.1f}; cnnkit.subsample keeps every class's share")
    print(f"OK: {len(arrays)} stratified subsets of sizes {[len(i) for i in arrays]}")


def check_fresh_builder(build_model, expected: list[LayerRow | tuple]) -> keras.Model:
    """Check that `build_model()` returns a new compiled model with the `expected` layers
    each time it is called; returns one such model."""
    if not callable(build_model):
        _fail("build_cnn must be a function that returns a model: def build_cnn(): ...")
    first, second = build_model(), build_model()
    if not isinstance(first, keras.Model):
        _fail(f"build_cnn() returned {type(first).__name__}, not a keras.Model: return the model")
    if second is first:
        _fail("build_cnn() returned the same model twice: create the model inside the function")
    if getattr(first, "optimizer", None) is None or not first.compiled:
        _fail("the model is not compiled: call model.compile(...) inside build_cnn")
    check_architecture(first, expected, name="build_cnn()")
    return first


def check_learning_curve(table, minimum: float | None = None) -> None:
    """Check a `learning_curve` table: complete, one budget for every size, accuracy broadly
    increasing with the size (no size more than `ALLOWED_DROP` below a smaller one), and
    (if given) the largest size at least `minimum`."""
    if not isinstance(table, dict) or any(key not in table for key in LEARNING_CURVE_KEYS):
        _fail("`curve` must be the table that experiments.learning_curve returns, with "
              f"the keys {', '.join(LEARNING_CURVE_KEYS)}")
    rows = len(table["size"])
    if any(len(table[key]) != rows for key in LEARNING_CURVE_KEYS):
        _fail("the columns of the table have different lengths")
    check_sizes(table["size"])
    if len(set(table["steps"])) != 1 or len(set(table["batch_size"])) != 1:
        _fail(f"the sizes were trained with different budgets (steps {table['steps']}, batch "
              f"sizes {table['batch_size']}): give every size the same number of steps")
    test = np.asarray(table["test_accuracy"], dtype=float)
    train = np.asarray(table["train_accuracy"], dtype=float)
    if not (np.all((0 <= test) & (test <= 1)) and np.all((0 <= train) & (train <= 1))):
        _fail("accuracies must be fractions in [0, 1]")
    for i in range(1, rows):
        if test[i] < test[:i].max() - ALLOWED_DROP:
            _fail(f"the test accuracy drops from {test[:i].max():.4f} to {test[i]:.4f} at "
                  f"{table['size'][i]:,} images: with more data it should not get worse; was "
                  "every model trained from scratch with the same budget?")
    if test[-1] - test[0] < 0.02:
        _fail(f"the test accuracy hardly changes ({test[0]:.4f} to {test[-1]:.4f}): does "
              "every size really train on its own subset?")
    if minimum is not None and test[-1] < minimum:
        _fail(f"the model trained on all data reaches {test[-1]:.4f}, below {minimum:.4f}: "
              "increase the budget (steps) or check the model")
    print(f"OK: {rows} sizes, {table['steps'][0]} steps each, test accuracy "
          f"{test[0]:.4f} -> {test[-1]:.4f}")


def check_confusion_matrix(matrix, num_classes: int = 10, model: keras.Model | None = None,
                           images=None, labels=None) -> None:
    """Check a confusion matrix normalised per true class: `(classes, classes)`, rows sum to 1.

    With `model`, `images` `(N, 28, 28, 1)` and integer `labels` `(N,)`, also check that it is
    that model's matrix on those images.
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.shape != (num_classes, num_classes):
        _fail(f"the confusion matrix has shape {matrix.shape}, expected "
              f"{(num_classes, num_classes)}: one row per true class, one column per prediction")
    if not np.all(np.isfinite(matrix)) or matrix.min() < 0:
        _fail("the confusion matrix must hold finite, non-negative numbers")
    sums = matrix.sum(axis=1)
    if np.all(sums > 1.5):
        _fail(f"the rows sum to {sums[:3].round().tolist()}...: these are counts; divide every "
              "row by its sum, so that each row holds fractions of that true class")
    if not np.allclose(sums, 1.0, atol=1e-4):
        _fail(f"every row must sum to 1, got {sums.round(4).tolist()}: divide each row (true "
              "class) by its own sum, not by the column sums or the total")
    if model is not None:
        _check_confusion_of(matrix, model, images, np.asarray(labels).astype(int), num_classes)
    print(f"OK: a {matrix.shape} confusion matrix, each row sums to 1")


def _check_confusion_of(matrix, model, images, labels, num_classes: int) -> None:
    predicted = np.asarray(model.predict(images, batch_size=1000, verbose=0)).argmax(axis=1)
    counts = np.bincount(labels * num_classes + predicted, minlength=num_classes**2)
    counts = counts.reshape(num_classes, num_classes)
    expected = counts / counts.sum(axis=1, keepdims=True)
    if np.abs(matrix - expected).max() > 2e-3:
        swapped = counts.T / counts.T.sum(axis=1, keepdims=True)
        if np.abs(matrix - swapped).max() <= 2e-3:
            _fail("rows and columns are swapped: row i must be the true digit i, so pass the "
                  "true labels first: tf.math.confusion_matrix(y_test, predicted, ...)")
        _fail("this is not full_model's confusion matrix on the test set: predict "
              "x_test_prepared with full_model, take .argmax(axis=1), and count against y_test")


def check_standardization(x_train, x_test, x_train_std, x_test_std, mean, std, epsilon) -> None:
    """Check per-pixel standardisation fitted on `x_train` `(N, 28, 28, 1)` only: statistics
    of the shape of one image, finite results, and the test set scaled with training stats."""
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.number)):
        _fail(f"EPSILON must be a number, got {epsilon!r}")
    epsilon = float(epsilon)
    if not 1e-8 <= epsilon <= 0.1:
        _fail(f"EPSILON is {epsilon:g}: use a small positive number such as 0.01 (between 1e-8 "
              "and 0.1) so that pixels with a standard deviation of 0 do not divide by 0")
    mean, std = np.asarray(mean), np.asarray(std)
    for name, stat in (("pixel_mean", mean), ("pixel_std", std)):
        if stat.shape != x_train.shape[1:]:
            _fail(f"{name} has shape {stat.shape}: compute one value per pixel, over the images "
                  f"only (axis=0), giving {x_train.shape[1:]}")
    for name, x, x_std in (("x_train_std", x_train, x_train_std),
                           ("x_test_std", x_test, x_test_std)):
        x_std = np.asarray(x_std)
        if x_std.shape != x.shape:
            _fail(f"{name} has shape {x_std.shape}, expected {x.shape}")
        bad = int(np.size(x_std) - np.count_nonzero(np.isfinite(x_std)))
        if bad:
            _fail(f"{name} holds {bad:,} NaN or infinite values: pixels that are 0 in every "
                  "training image have a standard deviation of 0, and 0 / 0 is NaN; divide "
                  "by (pixel_std + EPSILON)")
    if np.abs(mean - x_train.mean(axis=0)).max() > 5e-4:
        _fail("pixel_mean is not the mean of the training images: fit the statistics on "
              "x_train_prepared alone, never on the test set")
    if np.abs(std - x_train.std(axis=0)).max() > 5e-4:
        _fail("pixel_std is not the standard deviation of the training images: "
              "x_train_prepared.std(axis=0)")
    for name, x, x_std in (("x_train_std", x_train, x_train_std),
                           ("x_test_std", x_test, x_test_std)):
        _check_scaled_with(name, x, np.asarray(x_std), mean, std, epsilon)
    print(f"OK: finite, scaled with the training statistics, EPSILON = {epsilon:g}")


def _check_scaled_with(name, x, x_std, mean, std, epsilon: float) -> None:
    """Fail unless `x_std` is `(x - mean) / (std + epsilon)` (or `/ max(std, epsilon)`)."""
    epsilon = np.float32(epsilon)
    for scale in (std + epsilon, np.maximum(std, epsilon)):
        parts = (slice(start, start + 5000) for start in range(0, len(x), 5000))
        if all(np.allclose(x_std[part], (x[part] - mean) / scale, rtol=1e-3, atol=1e-3)
               for part in parts):  # 5,000 images at a time: no large temporary arrays
            return
    own = np.allclose(x_std.mean(axis=0), 0, atol=1e-3)
    if name == "x_test_std" and own:
        _fail("x_test_std has mean 0 on every pixel of the test set: it was standardised with "
              "the test set's own statistics. Use pixel_mean and pixel_std of the training set "
              "for the test images too: (x_test_prepared - pixel_mean) / (pixel_std + EPSILON)")
    if not own and name == "x_train_std":
        _fail("x_train_std does not have mean 0 on every pixel: subtract pixel_mean")
    _fail(f"{name} is not ({name[:-4]}_prepared - pixel_mean) / (pixel_std + EPSILON): "
          "subtract the mean and divide by the standard deviation plus EPSILON, both the "
          "training set's")
