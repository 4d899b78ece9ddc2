"""Trust in a score: the measured model is one the notebook trained, and it learned.

Accuracy points mean that the student's model learned the task. Three checks, each
usable in the clean-room replay on captured objects:

- `check_trained_by_kit`: the model's weights are exactly weights that `cnnkit.train` or
  `cnnkit.experiments.train_steps` produced in the notebook (`cnnkit.provenance`), in a
  run that made weight updates and changed the weights. A model swapped in after training
  (a lookup table, a copy of someone else's weights), an untrained model, or a model
  changed after training has no such entry.
- `check_generalises`: the model is about as accurate on the last 5,000 training images
  (which the notebooks keep aside for validation) as on the test set. A model fitted to
  the public test set is far more accurate on the test set than on images it never saw.
- `check_trained_on_fit`: where a notebook gives the training data as `x_fit` and `y_fit`
  (03, 05), the run trained on exactly those (`cnnkit.provenance.data_fingerprint`). A
  model trained on the test images *and* the held-out ones passes `check_generalises`,
  not this. 01 has no such check: its students prepare the arrays themselves, and
  equivalent ways (`x / 255`, `x * (1 / 255)`) differ in the last bit.
- `check_param_limit`: a stated parameter limit that a network storing the test set (a
  Dense layer holding 10,000 images) cannot meet.

What counts is the weights, not the cell or the Python object: a model trained with
`cnnkit.train` in any cell of the notebook's run passes, and an honest student may build
the network again in the training cell (the accuracy test checks the architecture on the
measured model itself). A model trained with `model.fit` directly fails, and the visible
check `cnnkit.checks.check_trained_here` says so first.

Residual risks: the training log lives in the student's kernel, so code written to forge
it (calling `cnnkit.provenance.record_training` on hand-made weights) is not caught here,
as a replaced `capture` is not: both need deliberate work against the kit's internals.
Weights loaded *before* a training run (a classmate's, or downloaded) and then trained a
token step pass too: what was trained is checked, not where its starting point came from.
Like copied code, that is plagiarism, for a similarity check rather than the autograder;
where a notebook prescribes the training (02, 04's runs), `check_fresh_run` also requires
the run's full steps from a fresh model.
"""

from __future__ import annotations

import functools
import math

import keras
import numpy as np

from cnnkit.data import load_dataset, to_model_input
from cnnkit.grading.common import measure_test_accuracy
from cnnkit.provenance import data_fingerprint, fingerprint

HELD_OUT = 5000
"""The last images of the training set that the notebooks never train on: validation."""


def _runs(log) -> list[dict]:
    if not isinstance(log, list) or not all(isinstance(entry, dict) for entry in log):
        raise AssertionError("the training log is not the list cnnkit.provenance keeps")
    return log


def check_trained_by_kit(model: keras.Model, log, label: str = "the model") -> dict:
    """Assert that `model`'s weights are the result of a training run in `log`; return it.

    `log` is `cnnkit.provenance.training_log()` as captured with the model. The run must
    have made at least one weight update and changed the weights.
    """
    if not isinstance(model, keras.Model):
        raise AssertionError(f"{label} is a {type(model).__name__}, not a keras.Model")
    weights = fingerprint(model)
    runs = [entry for entry in _runs(log) if entry.get("after") == weights]
    trained = [entry for entry in runs
               if int(entry.get("steps", 0)) > 0 and entry.get("before") != weights]
    if trained:
        return trained[-1]
    if runs:
        raise AssertionError(f"{label} was never trained: its weights are those it started with")
    if any(entry.get("before") == weights for entry in log):
        raise AssertionError(f"{label} has the weights it had before training: it is not the "
                             "model that training produced")
    raise AssertionError(
        f"{label} does not have weights that cnnkit.train (or the experiments' helpers) "
        "produced in this notebook: it was trained another way, changed after training, or "
        "is a different model from the one trained")


def check_fresh_run(model: keras.Model, log, steps: int, how: str, label: str) -> dict:
    """Assert that the run that trained `model` (`check_trained_by_kit`) made `steps` weight
    updates, from weights no earlier run produced (a fresh model); return its log entry.

    `how` says where `steps` comes from, e.g. "10 epochs of 32 on 1,000 images".
    """
    entry = check_trained_by_kit(model, log, label)
    if int(entry.get("steps", 0)) != steps:
        raise AssertionError(f"the run that trained {label} made {entry.get('steps')} steps, but "
                             f"{how} make {steps}")
    if any(other.get("after") == entry.get("before") for other in log):
        raise AssertionError(f"{label} continued from the weights of an earlier training run: "
                             "every run trains a fresh model")
    return entry


@functools.lru_cache(maxsize=4)
def trusted_fit_data(name: str, n_train: int) -> str:
    """The `data_fingerprint` of the training data the notebooks prescribe as `x_fit` and
    `y_fit`: the first `n_train` training images of `name` (`to_model_input`) with their
    one-hot labels."""
    (x_train, y_train), _ = load_dataset(name)
    x_fit = to_model_input(x_train)[:n_train]
    y_fit = keras.utils.to_categorical(y_train, 10)[:n_train]
    return data_fingerprint(x_fit, y_fit)


def check_trained_on(entry: dict, data: str, n_train: int, label: str) -> None:
    """Assert that the training run `entry` (of `cnnkit.provenance.training_log()`) trained on
    the data whose fingerprint is `data` (`trusted_fit_data(name, n_train)`)."""
    if entry.get("data") != data:
        raise AssertionError(f"{label} was trained on other data than x_fit and y_fit (the first "
                             f"{n_train:,} training images and their one-hot labels)")


def check_trained_on_fit(model: keras.Model, log, name: str, fit_images: int,
                         label: str = "the model") -> dict:
    """Assert that `model`'s weights come from a training run in `log`
    (`check_trained_by_kit`) on `x_fit` and `y_fit`, the first `fit_images` training images
    of `name` with one-hot labels; return the run's entry. A model trained on test images
    (with or without the held-out ones, which would hide it from `check_generalises`) fails."""
    entry = check_trained_by_kit(model, log, label)
    check_trained_on(entry, trusted_fit_data(name, fit_images), fit_images, label)
    return entry


def _accuracy(model: keras.Model, x: np.ndarray, y: np.ndarray) -> float:
    predicted = np.asarray(model.predict(x, batch_size=1000, verbose=0))
    if predicted.shape != (len(y), 10):
        raise AssertionError(f"the model outputs shape {predicted.shape}, expected "
                             f"{(len(y), 10)}")
    return float(np.mean(predicted.argmax(axis=1) == y))


def generalisation_gap(model: keras.Model, name: str) -> tuple[float, float, float]:
    """(test accuracy, held-out accuracy, allowed gap) of `model` on the trusted `name` data.

    The held-out images are the last `HELD_OUT` of the training set. The allowed gap is
    three standard errors of the difference of two independent accuracies, and at least
    half a point. Honest models are *more* accurate on these held-out images than on the
    test set or about as accurate (measured: simple CNN on 20,000 images, 1 and 3 epochs,
    about 2 points on both MNIST and Fashion-MNIST; 05's compact CNN within 0.2 points), so
    the check does not fail them. With five standard errors, 01's network trained 10
    epochs on the Fashion-MNIST test set (0.8922 on it, 0.8718 held out) passed.
    """
    (x_train, y_train), _ = load_dataset(name)
    test = measure_test_accuracy(model, name)
    held_out = _accuracy(model, to_model_input(x_train[-HELD_OUT:]), y_train[-HELD_OUT:])
    spread = math.sqrt(test * (1 - test) / 10_000 + held_out * (1 - held_out) / HELD_OUT)
    return test, held_out, max(0.005, 3 * spread)


def check_generalises(model: keras.Model, name: str, label: str = "the model") -> None:
    """Assert that `model` is not much more accurate on the test set than on unseen images."""
    test, held_out, allowed = generalisation_gap(model, name)
    if test - held_out > allowed:
        raise AssertionError(
            f"{label} is {test - held_out:.3f} more accurate on the test set ({test:.4f}) than "
            f"on the last {HELD_OUT:,} training images ({held_out:.4f}), which it never trained "
            "on: it was fitted to the test set")


def check_param_limit(model: keras.Model, limit: int, label: str = "the model") -> None:
    """Assert that `model` has at most `limit` parameters."""
    if not isinstance(model, keras.Model):
        raise AssertionError(f"{label} is a {type(model).__name__}, not a keras.Model")
    if model.count_params() > limit:
        raise AssertionError(f"{label} has {model.count_params():,} parameters, more than the "
                             f"limit of {limit:,}")


def check_measured(reported, model: keras.Model, name: str, what: str,
                   tolerance: float = 0.002) -> float:
    """Assert that `reported` is `model`'s accuracy on the trusted test set; return it.

    The tolerance (20 of 10,000 images by default) covers the rounding of float32
    arithmetic between two runs of the same model, never a different model.
    """
    if isinstance(reported, bool) or not isinstance(reported, (int, float, np.number)):
        raise AssertionError(f"{what} is not a number: {reported!r}")
    measured = measure_test_accuracy(model, name)
    if not abs(measured - float(reported)) <= tolerance:
        raise AssertionError(f"{what} is reported as {float(reported):.4f}, but its model "
                             f"measures {measured:.4f} on the {name} test set")
    return measured


def check_distinct(models, log, label: str) -> None:
    """Assert that every model of `models` was trained by the kit, each in a run of its own.

    Two models may have equal weights when two runs trained them the same way (e.g. a
    sweep whose varied value has no effect, with the same seed): that is allowed as long
    as the log holds as many runs that produced those weights as there are such models.
    One model (or a copy of it) reported for two entries is not.
    """
    seen: dict[str, int] = {}
    for index, model in enumerate(models):
        check_trained_by_kit(model, log, f"{label} {index + 1}")
        weights = fingerprint(model)
        seen[weights] = seen.get(weights, 0) + 1
        runs = sum(1 for entry in _runs(log) if entry.get("after") == weights
                   and int(entry.get("steps", 0)) > 0 and entry.get("before") != weights)
        if seen[weights] > runs:
            raise AssertionError(f"{label} {index + 1} has the same weights as an earlier one, "
                                 "and no training run of its own produced them")


def check_learned(model: keras.Model, log, name: str, minimum: float,
                  label: str = "the model", fit_images: int | None = None) -> None:
    """Assert that the notebook trained `model` (`check_trained_by_kit`; with `fit_images`,
    on `x_fit` and `y_fit`: `check_trained_on_fit`), that it reaches `minimum` on the
    trusted test set, and that it was not fitted to the test set."""
    from cnnkit.grading.common import check_min_accuracy

    if fit_images is None:
        check_trained_by_kit(model, log, label)
    else:
        check_trained_on_fit(model, log, name, fit_images, label)
    check_min_accuracy(model, name, minimum)
    check_generalises(model, name, label)
