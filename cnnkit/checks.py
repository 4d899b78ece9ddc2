"""Checks for the visible test cells of the notebooks.

Each check raises `AssertionError` with a message that says what is wrong and the
likely fix, and prints a short confirmation when everything is right.
"""

from __future__ import annotations

import keras
import numpy as np

from cnnkit.architecture import LayerRow, compare, format_table, layer_table
from cnnkit.experiments import (
    LEARNING_CURVE_KEYS,
    RESULT_KEYS,
    changed_aspects,
    describe_change,
)
from cnnkit.models import cnn_from_config, validate_config


def _fail(message: str) -> None:
    raise AssertionError(message)


def check_model_input(x: np.ndarray, n: int) -> None:
    """Check images prepared for a CNN: shape `(n, 28, 28, 1)`, float32, values in [0, 1]."""
    if not isinstance(x, np.ndarray):
        _fail(f"expected a NumPy array, got {type(x).__name__}")
    if x.shape == (n, 28, 28):
        _fail(
            f"shape is {x.shape}: Conv2D needs a channel axis; "
            "reshape to (N, 28, 28, 1), e.g. x.reshape(-1, 28, 28, 1)"
        )
    if x.shape != (n, 28, 28, 1):
        _fail(f"shape is {x.shape}, expected {(n, 28, 28, 1)}")
    if x.dtype != np.float32:
        _fail(f"dtype is {x.dtype}, expected float32: use x.astype('float32')")
    low, high = float(x.min()), float(x.max())
    if high > 1.0:
        _fail(f"values go up to {high:g}: divide the pixel values by 255 to get [0, 1]")
    if low < 0.0:
        _fail(f"values go down to {low:g}: pixels scaled to [0, 1] are never negative")
    print(f"OK: {x.shape} float32 in [{low:g}, {high:g}]")


def check_one_hot(y: np.ndarray, labels: np.ndarray, num_classes: int = 10) -> None:
    """Check that `y` (shape `(N, num_classes)`) is the one-hot encoding of `labels` (`(N,)`)."""
    y = np.asarray(y)
    labels = np.asarray(labels)
    if y.ndim == 1:
        _fail(
            f"shape is {y.shape}: one-hot labels have one column per class; "
            f"use keras.utils.to_categorical(labels, {num_classes})"
        )
    if y.shape != (len(labels), num_classes):
        _fail(f"shape is {y.shape}, expected {(len(labels), num_classes)}")
    if not np.isin(y, (0, 1)).all() or not np.all(y.sum(axis=1) == 1):
        _fail("each row must contain a single 1 and zeros elsewhere")
    if not np.array_equal(y.argmax(axis=1), labels):
        _fail("the 1 in each row must sit in the column of that image's label")
    print(f"OK: one-hot labels of shape {y.shape}")


def _shape_hint(got: tuple, want: tuple) -> str:
    if len(got) == 4 and len(want) == 4 and got[1] == want[1] + 2 and got[3] == want[3]:
        return (
            f" (a 3x3 convolution without padding shrinks {got[1]} to {want[1]}; "
            "did you set padding='same'? Leave the default padding='valid')"
        )
    if len(got) == 4 and len(want) == 4 and got[1:3] == want[1:3]:
        return f" (check the number of filters: expected {want[3]})"
    if len(got) == 2 and len(want) == 2 and want[1] == 10:
        return " (the output layer needs one unit per class: Dense(10))"
    return ""


def _activation_hint(want: LayerRow) -> str:
    if want.activation == "softmax":
        return " (add activation='softmax' to the last Dense layer to output probabilities)"
    return f" (pass activation={want.activation!r})"


def check_architecture(model: keras.Model, expected: list[LayerRow | tuple]) -> None:
    """Check `model` layer by layer against `expected` rows; see `cnnkit.compare`."""
    if not isinstance(model, keras.Model):
        _fail(f"expected a keras.Model, got {type(model).__name__}; did the cell assign `model`?")
    expected = [LayerRow(*row) for row in expected]
    differences = compare(model, expected)
    if differences:
        actual = layer_table(model)
        notes = []
        if len(actual) == len(expected):
            for got, want in zip(actual, expected):
                if got.output_shape != tuple(want.output_shape):
                    notes.append(_shape_hint(got.output_shape, tuple(want.output_shape)))
                if want.activation and got.activation != want.activation:
                    notes.append(_activation_hint(want))
        elif "Flatten" in [r.type for r in expected] and "Flatten" not in [r.type for r in actual]:
            notes.append(" (Dense needs a flat vector: add layers.Flatten() before it)")
        message = "; ".join(differences) + "".join(dict.fromkeys(notes))
        _fail(f"{message}\n\nYour model:\n{format_table(actual)}")
    total = sum(row.params for row in expected)
    print(f"OK: {len(expected)} layers as expected, {total:,} parameters")


def check_accuracy(accuracy: float, minimum: float) -> None:
    """Check that a test accuracy (a fraction in [0, 1]) is at least `minimum`."""
    accuracy = float(accuracy)
    if not 0.0 <= accuracy <= 1.0:
        _fail(f"accuracy {accuracy:g} is not a fraction in [0, 1]")
    if accuracy < minimum:
        _fail(
            f"test accuracy {accuracy:.4f} is below the required {minimum:.4f}: "
            "check the preprocessing, the optimizer and the number of epochs"
        )
    print(f"OK: test accuracy {accuracy:.4f} >= {minimum:.4f}")


# --- single-factor variants (assignment 02) -------------------------------------------


def _listing(names) -> str:
    """`'a'`, `'a' and 'b'`, `'a', 'b' and 'c'`."""
    names = [repr(name) for name in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _aspects(baseline: dict, variant, index: int) -> list[str]:
    try:
        return changed_aspects(baseline, variant)
    except (TypeError, ValueError) as error:
        _fail(f"variant {index} is not a valid configuration: {error}")


def check_variant_configs(variants, minimum: int = 5) -> None:
    """Check that `variants` is a list of at least `minimum` complete, valid configurations."""
    if not isinstance(variants, (list, tuple)):
        _fail(f"`variants` must be a list of configurations (dicts), got {type(variants).__name__}")
    if len(variants) < minimum:
        _fail(
            f"there are {len(variants)} variants; make at least {minimum}, "
            "each changing one aspect of the baseline"
        )
    problems = []
    for index, variant in enumerate(variants, start=1):
        try:
            validate_config(variant)
        except (TypeError, ValueError) as error:
            problems.append(f"variant {index}: {error}")
    if problems:
        _fail("\n".join(problems))
    print(f"OK: {len(variants)} valid configurations")


def check_one_change_each(baseline: dict, variants) -> None:
    """Check that every variant differs from `baseline` in exactly one aspect (key)."""
    problems = []
    for index, variant in enumerate(variants, start=1):
        aspects = _aspects(baseline, variant, index)
        if not aspects:
            problems.append(f"variant {index} is the same as the baseline: change one value")
        elif len(aspects) == 2:
            problems.append(f"variant {index} changes both {_listing(aspects)}")
        elif len(aspects) > 2:
            problems.append(f"variant {index} changes {len(aspects)} aspects: {_listing(aspects)}")
    if problems:
        _fail(
            "\n".join(problems) + "\nChange exactly one aspect per variant, e.g. "
            "dict(baseline, epochs=20), so that a difference in accuracy can be traced to it."
        )
    print(f"OK: each of the {len(variants)} variants changes exactly one aspect")


def check_distinct_aspects(baseline: dict, variants, minimum: int = 5) -> None:
    """Check that the variants change at least `minimum` aspects and no aspect twice."""
    changed_by: dict[str, list[int]] = {}
    for index, variant in enumerate(variants, start=1):
        for aspect in _aspects(baseline, variant, index):
            changed_by.setdefault(aspect, []).append(index)
    repeated = [
        f"variants {', '.join(map(str, who[:-1]))} and {who[-1]} all change {aspect!r}"
        if len(who) > 2 else f"variants {who[0]} and {who[1]} both change {aspect!r}"
        for aspect, who in changed_by.items() if len(who) > 1
    ]
    if repeated:
        _fail("\n".join(repeated) + "\nLet each variant explore a different aspect.")
    if len(changed_by) < minimum:
        unused = [key for key in baseline if key not in changed_by]
        _fail(
            f"the variants change only {len(changed_by)} different aspects"
            f"{': ' + _listing(changed_by) if changed_by else ''}; change at least {minimum}, "
            f"e.g. from {_listing(unused)}"
        )
    print(f"OK: {len(changed_by)} different aspects: {_listing(changed_by)}")


def check_results_table(table, baseline: dict, variants) -> None:
    """Check a `run_variants` table: the baseline and every variant, each row complete."""
    if not isinstance(table, (list, tuple)) or not all(isinstance(r, dict) for r in table):
        _fail("the results table must be the list of dicts that run_variants returns")
    if len(table) != len(variants) + 1:
        _fail(
            f"the table has {len(table)} rows, expected {len(variants) + 1} (the baseline and "
            f"{len(variants)} variants): run run_variants again with all your variants"
        )
    for index, row in enumerate(table):
        name = "the baseline" if index == 0 else f"variant {index}"
        missing = [key for key in RESULT_KEYS if key not in row]
        if missing:
            _fail(f"the row of {name} lacks {_listing(missing)}")
        config = baseline if index == 0 else variants[index - 1]
        if row["config"] != config:
            _fail(f"row {index + 1} is not {name}: run run_variants again after editing variants")
        if (row["aspect"], row["value"]) != describe_change(baseline, config):
            _fail(f"the changed aspect or value in the row of {name} is wrong")
        accuracy = row["test_accuracy"]
        if not isinstance(accuracy, (float, int)) or not 0 <= accuracy <= 1:
            _fail(f"the test accuracy of {name} must be a fraction in [0, 1], got {accuracy!r}")
        if not isinstance(row["seconds"], (float, int)) or not row["seconds"] > 0:
            _fail(f"the training time of {name} must be a positive number of seconds")
        if row["params"] != cnn_from_config(config).count_params():
            _fail(f"the parameter count of {name} does not match its configuration")
        for metric in ("loss", "accuracy", "val_loss", "val_accuracy"):
            values = row["history"].get(metric) if isinstance(row["history"], dict) else None
            if values is None or len(values) != config["epochs"]:
                _fail(f"the history of {name} needs {config['epochs']} values of {metric!r}")
            if not np.all(np.isfinite(values)):
                _fail(f"the {metric!r} curve of {name} is not finite: training diverged")
    print(f"OK: {len(table)} complete rows (the baseline and {len(variants)} variants)")


def check_improvement(table, points: float = 5.0) -> int:
    """Check that a single-change variant beats the baseline row by `points` percentage points.

    Returns the row index of the best variant that changes exactly one aspect.
    """
    base = table[0]
    single = [
        i for i, row in enumerate(table[1:], start=1)
        if len(changed_aspects(base["config"], row["config"])) == 1
    ]
    if not single:
        _fail("no variant changes exactly one aspect of the baseline, so none can count")
    best = max(single, key=lambda i: table[i]["test_accuracy"])
    row = table[best]
    gain = 100 * (row["test_accuracy"] - base["test_accuracy"])
    described = f"{row['name']} ({row['aspect']} = {row['value']})"
    if gain < points:
        _fail(
            f"the best variant, {described}, reaches {row['test_accuracy']:.4f}: {gain:+.1f} "
            f"points compared with the baseline's {base['test_accuracy']:.4f}, but one variant "
            f"must gain at least {points:g} points. Which aspect holds the baseline back most?"
        )
    print(f"OK: {described} gains {gain:+.1f} points ({row['test_accuracy']:.4f} "
          f"versus {base['test_accuracy']:.4f})")
    return best


# --- weight decay and replicated sweeps (assignment 03) ---------------------------------


def kernel_l2_factor(layer: keras.layers.Layer) -> float | None:
    """The L2 factor of `layer`'s `kernel_regularizer`, or `None` when it has no L2 penalty.

    `keras.regularizers.L2(f)`, `keras.regularizers.l2(f)` and `L1L2(l2=f)` all give `f`.
    The string `"l2"` gives Keras's default factor, 0.01.
    """
    regularizer = getattr(layer, "kernel_regularizer", None)
    factor = getattr(regularizer, "l2", None)
    return None if factor is None else float(factor)


def _dense_layers(model: keras.Model) -> list[keras.layers.Dense]:
    """The `Dense` layers of `model` in order, including those of nested models."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found.extend(_dense_layers(layer))
        elif isinstance(layer, keras.layers.Dense):
            found.append(layer)
    return found


def check_hidden_l2(model: keras.Model, factor: float) -> None:
    """Check that every hidden `Dense` layer of `model` has L2 weight decay `factor`.

    The hidden layers are all `Dense` layers but the last (the output layer, which may
    or may not be regularised).
    """
    if not isinstance(model, keras.Model):
        _fail(f"expected a keras.Model, got {type(model).__name__}")
    dense = _dense_layers(model)
    if len(dense) < 2:
        _fail("the model has no hidden Dense layer to regularise")
    problems = []
    for index, layer in enumerate(dense[:-1], start=1):
        where = f"hidden layer {index} ({layer.units} units)"
        got = kernel_l2_factor(layer)
        l1 = float(getattr(layer.kernel_regularizer, "l1", 0.0) or 0.0)
        if got is None or got == 0.0:
            problems.append(
                f"{where} has no L2 weight decay: pass "
                f"kernel_regularizer=keras.regularizers.L2({factor:g}) to it"
            )
        elif not np.isclose(got, factor, rtol=1e-6, atol=0.0):
            hint = (
                ' (the string "l2" means the default factor 0.01: pass '
                "keras.regularizers.L2(factor) to use your factor)" if got == 0.01 else
                " (does your function pass its argument on to the regulariser?)"
            )
            problems.append(f"{where} has L2 factor {got:g}, expected {factor:g}{hint}")
        if l1:
            problems.append(f"{where} also has an L1 penalty of {l1:g}: use L2 only")
    if problems:
        _fail("\n".join(problems))
    print(f"OK: L2 factor {factor:g} on the {len(dense) - 1} hidden layers")


def check_log_spaced(values, start: float, stop: float, num: int) -> None:
    """Check that `values` are `num` numbers from `start` to `stop`, evenly log-spaced."""
    values = np.asarray(values, dtype=float).ravel()
    expected = np.logspace(np.log10(start), np.log10(stop), num)
    if len(values) != num:
        _fail(f"there are {len(values)} values, expected {num}")
    if np.allclose(values, expected, rtol=1e-6, atol=0.0):
        print(f"OK: {num} values from {start:g} to {stop:g}, evenly spaced on a log scale")
        return
    shown = ", ".join(f"{v:.3g}" for v in expected)
    if np.allclose(values, np.linspace(start, stop, num), rtol=1e-6, atol=0.0):
        _fail(
            f"these values are evenly spaced on a linear scale (np.linspace): all but the "
            f"first are within a factor 4 of {stop:g}. Space them evenly on a log scale "
            f"(np.logspace) to get {shown}"
        )
    _fail(f"expected {shown} (np.logspace), got {', '.join(f'{v:.3g}' for v in values)}")


def check_replicates(results, shape: tuple, minimum: float) -> None:
    """Check an array of test accuracies `(replicates, values)`: its shape, range and spread."""
    results = np.asarray(results, dtype=float)
    if results.shape != tuple(shape):
        hint = " (rows are replicates, columns values: transpose it)" if (
            results.shape == tuple(shape)[::-1]) else ""
        _fail(f"the results have shape {results.shape}, expected {tuple(shape)}{hint}")
    if not np.all(np.isfinite(results)):
        _fail("some results are NaN or infinite: did a run diverge?")
    if results.max() > 1.0:
        _fail(f"the largest value is {results.max():g}: give accuracies as fractions in [0, 1]")
    if results.min() < minimum:
        _fail(
            f"the lowest accuracy is {results.min():.4f}, below the expected minimum "
            f"{minimum:.2f} for these networks: did every run train for the stated epochs?"
        )
    if len(results) > 1 and np.all(results == results[0]):
        _fail("every replicate gave exactly the same results: give each replicate its own seed")
    print(f"OK: {results.shape} accuracies from {results.min():.4f} to {results.max():.4f}")


# --- learning curves and standardisation (assignment 04) ------------------------------


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
              "the next; space them evenly on a log scale, e.g. with np.geomspace")


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
    check_architecture(first, expected)
    return first


def check_learning_curve(table, minimum: float | None = None) -> None:
    """Check a `learning_curve` table: complete, one budget for every size, accuracy broadly
    increasing with the size, and (if given) the largest size at least `minimum`."""
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
        if test[i] < test[:i].max() - 0.01:
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


def check_confusion_matrix(matrix, num_classes: int = 10) -> None:
    """Check a confusion matrix normalised per true class: `(classes, classes)`, rows sum to 1."""
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
    print(f"OK: a {matrix.shape} confusion matrix, each row sums to 1")


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
        _fail("pixel_std is not the standard deviation of the training images")
    spread = np.abs(np.asarray(x_train_std).mean(axis=0)).max()
    if spread > 1e-3:
        _fail(f"a pixel of x_train_std has mean {spread:.3f}, expected 0: subtract pixel_mean")
    print(f"OK: finite, mean 0 per pixel on the training set, EPSILON = {epsilon:g}")
