"""Checks for assignment 03 (MLP versus CNN): weight decay, replicated sweeps, your own CNN."""

from __future__ import annotations

import keras
import numpy as np

from cnnkit.architecture import is_convolutional, layer_table
from cnnkit.checks.common import _fail, check_accuracy
from cnnkit.checks.gradable import check_gradable


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
    """Check that `values` are `num` numbers from `start` to `stop`, evenly log-spaced.

    Values rounded to two significant digits (1e-6, 5.6e-6, 3.2e-5, ...) count as evenly
    log-spaced too: within 2% of `np.logspace`'s.
    """
    values = np.asarray(values, dtype=float).ravel()
    expected = np.logspace(np.log10(start), np.log10(stop), num)
    if len(values) != num:
        _fail(f"there are {len(values)} values, expected {num}")
    if np.allclose(values, expected, rtol=0.02, atol=0.0):
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


SEED_SPREAD = 0.0015
"""How much the test accuracy of one convnet design moves from seed to seed: the reference
convnet of 03 reached 0.9908 to 0.9922 over five seeds (benchmarks/calibration/03_mlp_vs_cnn.json).
The grader trains the network again, so a result closer than this to the minimum may fail."""


def check_convnet(model: keras.Model, accuracy: float, minimum: float,
                  name: str = "conv_model") -> None:
    """Check a student-designed CNN: a `keras.Model` with a convolutional layer, that the grader
    can load, with a test `accuracy` of at least `minimum`; warn when it is close to `minimum`."""
    if not isinstance(model, keras.Model):
        _fail(f"`{name}` is a {type(model).__name__}, not a keras.Model: store your trained "
              f"network in `{name}`")
    kinds = [row.type for row in layer_table(model)]
    if not any(is_convolutional(kind) for kind in kinds):
        _fail(f"`{name}` has no convolution layer ({' -> '.join(kinds)}): use at least one, "
              "e.g. layers.Conv2D or layers.SeparableConv2D")
    check_gradable(model, name)
    check_accuracy(accuracy, minimum, hint=(
        "train for more epochs, use a second convolution block, or let the learning rate "
        "decrease during training (see the ideas above)"))
    if accuracy < minimum + SEED_SPREAD:
        print(f"Warning: {accuracy:.4f} is within {100 * SEED_SPREAD:.2f} points of the required "
              f"{minimum:.2f}. The grader runs your notebook again, and the same design reaches "
              "a slightly different accuracy on each run, so it may fall short there. To be "
              "safe, aim for at least "
              f"{minimum + SEED_SPREAD:.4f}: train for a few more epochs (the reference design "
              "trained for 12 epochs instead of 5 reached 0.9921-0.9934 over five seeds), or "
              "give it more filters.")
