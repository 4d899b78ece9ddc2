"""Experiments that train several models and return a plain results table.

Each function returns a list of records (dicts) or a dict of lists: no pandas.
"""

from __future__ import annotations

import time

import keras
import numpy as np

from cnnkit.data import subsample
from cnnkit.models import cnn_from_config, validate_config
from cnnkit.training import set_seed, steps_per_call, train

# --- single-factor variants (assignment 02) -------------------------------------------

RESULT_KEYS = (
    "name", "aspect", "value", "test_accuracy", "seconds", "params", "epochs", "history", "config"
)
"""The keys of every row of the table that `run_variants` returns."""


def changed_aspects(baseline: dict, variant: dict) -> list[str]:
    """The keys whose values differ between two configurations, in the baseline's key order.

    Both must be complete, valid configurations (see `cnnkit.models.SIMPLE_CNN_CONFIG`):
    `changed_aspects(baseline, dict(baseline, optimizer="adam"))` is `["optimizer"]`.
    """
    validate_config(baseline)
    validate_config(variant)
    return [key for key in baseline if baseline[key] != variant[key]]


def describe_change(baseline: dict, variant: dict) -> tuple[str, str]:
    """The changed aspect(s) and new value(s) as text, e.g. `("optimizer", "adam")`."""
    aspects = changed_aspects(baseline, variant)
    if not aspects:
        return "-", "-"
    return ", ".join(aspects), ", ".join(str(variant[key]) for key in aspects)


def _pair(data, what: str) -> tuple:
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{what} must be a pair (images, one-hot labels)")
    return data[0], data[1]


def _accuracy(model: keras.Model, x, y) -> float:
    """Fraction of the images `x` classified correctly; `y` holds labels or one-hot rows."""
    y = np.asarray(y)
    labels = y.argmax(axis=1) if y.ndim == 2 else y
    predicted = np.asarray(model.predict(x, batch_size=1000, verbose=0)).argmax(axis=1)
    return float(np.mean(predicted == labels))


def run_variants(
    baseline: dict,
    variants: list[dict],
    *,
    training_data: tuple,
    validation_data: tuple,
    test_data: tuple,
    verbose: int = 2,
) -> tuple[list[dict], list[keras.Model]]:
    """Train the baseline and then every variant from scratch; return a table and the models.

    Args:
        baseline: a complete configuration, e.g. `dict(cnnkit.models.SIMPLE_CNN_CONFIG)`.
        variants: configurations, each normally `dict(baseline, some_key=new_value)`.
        training_data: `(x, y)`: images `(N, 28, 28, 1)` float32, one-hot labels `(N, 10)`.
        validation_data: `(x_val, y_val)`, evaluated after every epoch (the curves).
        test_data: `(x_test, y_test)`, evaluated once after training (the table).
        verbose: 2 prints one line per epoch, 0 prints nothing.

    Returns:
        `(table, models)`. `table` has one dict per run, baseline first, with the keys
        `RESULT_KEYS`: run name, changed aspect(s) and value(s) (`"-"` for the baseline),
        test accuracy (a fraction), training seconds, parameter count, epochs, the history
        (metric -> one value per epoch) and the configuration. `models` holds the trained
        Keras models in the same order.
    """
    if not isinstance(variants, (list, tuple)):
        raise TypeError(f"variants must be a list of configurations, got {type(variants).__name__}")
    x, y = _pair(training_data, "training_data")
    val = _pair(validation_data, "validation_data")
    x_test, y_test = _pair(test_data, "test_data")
    runs = [("baseline", baseline)] + [(f"variant {i}", v) for i, v in enumerate(variants, 1)]
    for name, config in runs:
        try:
            validate_config(config)
        except (TypeError, ValueError) as error:
            raise type(error)(f"{name}: {error}") from None
    table, models = [], []
    for name, config in runs:
        aspect, value = describe_change(baseline, config)
        if verbose:
            change = "" if name == "baseline" else f": {aspect} = {value}"
            print(f"--- {name}{change} ({config['epochs']} epochs)")
        model = cnn_from_config(config)
        record = train(
            model, x, y, epochs=config["epochs"], batch_size=config["batch_size"],
            validation_data=val, verbose=verbose,
        )
        table.append({
            "name": name, "aspect": aspect, "value": value,
            "test_accuracy": _accuracy(model, x_test, y_test),
            "seconds": round(record.seconds, 1), "params": record.params,
            "epochs": config["epochs"], "history": record.history, "config": dict(config),
        })
        models.append(model)
    return table, models


def format_results(table: list[dict]) -> str:
    """The table of `run_variants` as aligned text, with the gain over the baseline in points."""
    if not table:
        raise ValueError("the results table is empty")
    base = table[0]["test_accuracy"]
    a = max(len("changed aspect"), *(len(row["aspect"]) for row in table)) + 2
    v = max(len("value"), *(len(row["value"]) for row in table)) + 2
    lines = [
        f"{'run':<11}{'changed aspect':<{a}}{'value':<{v}}{'test acc':>8}{'vs base':>9}"
        f"{'seconds':>9}{'params':>10}"
    ]
    for row in table:
        gain = "" if row is table[0] else f"{100 * (row['test_accuracy'] - base):+.1f}"
        lines.append(
            f"{row['name']:<11}{row['aspect']:<{a}}{row['value']:<{v}}"
            f"{row['test_accuracy']:>8.4f}{gain:>9}{row['seconds']:>9.1f}{row['params']:>10,}"
        )
    return "\n".join(lines)


# --- replicated sweeps (assignment 03) ------------------------------------------------


def replicated_sweep(
    build_model,
    values,
    *,
    seeds,
    training_data: tuple,
    test_data: tuple,
    epochs: int,
    batch_size: int,
    verbose: int = 1,
) -> dict[str, list]:
    """Train a fresh model for every value of a setting and every seed; one row per run.

    Args:
        build_model: a function `build_model(value)` that returns a new compiled model,
            e.g. the 500-300 MLP with L2 factor `value`.
        values: the values of the swept setting, e.g. five L2 factors.
        seeds: one seed per replicate. `cnnkit.set_seed(seed)` runs before every model
            is built, so replicates differ in their first weights and in the batch order.
        training_data: `(x, y)`: images `(N, 28, 28, 1)` float32, one-hot labels `(N, 10)`.
        test_data: `(x_test, y_test)`, evaluated once after training; labels one-hot or
            integer.
        epochs, batch_size: as for `model.fit`, the same for every run.
        verbose: 1 prints one line per run, 2 also one line per epoch, 0 nothing.

    Returns:
        A dict of lists with one entry per run, replicate after replicate: `"seed"`,
        `"value"`, `"test_accuracy"` (a fraction), `"seconds"` and `"params"`.
        `sweep_grid(table)` arranges a column as an array `(len(seeds), len(values))`.
    """
    if not callable(build_model):
        raise TypeError("build_model must be a function: build_model(value) -> compiled model")
    values, seeds = list(values), list(seeds)
    if not values or not seeds:
        raise ValueError("give at least one value and one seed")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"the seeds must differ, so that replicates differ: got {seeds}")
    x, y = _pair(training_data, "training_data")
    x_test, y_test = _pair(test_data, "test_data")
    table = {"seed": [], "value": [], "test_accuracy": [], "seconds": [], "params": []}
    for seed in seeds:
        for value in values:
            set_seed(seed)
            model = build_model(value)
            if not isinstance(model, keras.Model):
                raise TypeError(f"build_model({value!r}) returned {type(model).__name__}, "
                                "not a keras.Model")
            record = train(model, x, y, epochs=epochs, batch_size=batch_size,
                           verbose=2 if verbose >= 2 else 0)
            accuracy = _accuracy(model, x_test, y_test)
            for key, item in zip(table, (seed, value, accuracy, round(record.seconds, 1),
                                         record.params)):
                table[key].append(item)
            if verbose:
                print(f"seed {seed}, value {value:g}: test accuracy {accuracy:.4f} "
                      f"({record.seconds:.0f} s)", flush=True)
    return table


def sweep_grid(table: dict, key: str = "test_accuracy") -> np.ndarray:
    """One column of a `replicated_sweep` table as an array `(seeds, values)`.

    Row `r` holds replicate `r` (the `r`-th seed), column `v` the `v`-th value, both in
    the order in which the sweep ran them.
    """
    for column in ("seed", "value", key):
        if column not in table:
            raise ValueError(f"the table has no column {column!r}; it has {sorted(table)}")
    seeds = list(dict.fromkeys(table["seed"]))
    values = list(dict.fromkeys(table["value"]))
    grid = np.full((len(seeds), len(values)), np.nan)
    for seed, value, item in zip(table["seed"], table["value"], table[key]):
        grid[seeds.index(seed), values.index(value)] = item
    if np.isnan(grid).any():
        raise ValueError("the table lacks some (seed, value) runs: run the whole sweep")
    return grid


# --- learning curves over training-set sizes (assignment 04) ---------------------------

LEARNING_CURVE_KEYS = ("size", "train_accuracy", "test_accuracy", "steps", "batch_size", "seconds")
"""The columns of the table that `learning_curve` returns (a dict of equally long lists)."""


class _Batches(keras.utils.PyDataset):
    """Exactly `steps` batches of `batch_size` examples of `(x, y)`.

    The batches go through the examples in a shuffled order, reshuffled after every
    pass, for as many passes as `steps` needs: 100 examples and 1000 steps of 128 make
    1,280 passes, 60,000 examples and the same steps make about two.
    """

    def __init__(self, x, y, steps: int, batch_size: int, seed: int):
        super().__init__()
        rng = np.random.default_rng(seed)
        passes = -(-steps * batch_size // len(x))  # ceiling division
        order = np.concatenate([rng.permutation(len(x)) for _ in range(passes)])
        self.order = order[: steps * batch_size].reshape(steps, batch_size)
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, index: int):
        batch = self.order[index]
        return self.x[batch], self.y[batch]


def _whole_number(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def train_steps(model: keras.Model, x, y, *, steps: int, batch_size: int, seed: int = 0) -> dict:
    """Train a compiled `model` for exactly `steps` weight updates of `batch_size` examples.

    A budget in steps is the same for every training-set size, unlike a budget in epochs:
    one epoch of 100 images is a single step of 100, one epoch of 60,000 images is 469
    steps of 128. Args: `x` images `(N, 28, 28, 1)`, `y` labels `(N,)` or one-hot `(N, 10)`,
    both matching the model's loss. Returns the history: metric -> one value (the averages
    over all steps). Afterwards `model.optimizer.iterations` equals `steps`.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    if getattr(model, "optimizer", None) is None or not model.compiled:
        raise ValueError("the model is not compiled yet: call model.compile(...) first")
    steps = _whole_number(steps, "steps")
    batch_size = _whole_number(batch_size, "batch_size")
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"x and y need the same, non-zero length; got {len(x)} and {len(y)}")
    with steps_per_call(model):  # as in `cnnkit.train`: the same updates, less overhead
        history = model.fit(_Batches(x, y, steps, batch_size, seed), epochs=1, verbose=0)
    return {name: [float(v) for v in values] for name, values in history.history.items()}


def learning_curve(
    build_model,
    subsets,
    *,
    training_data: tuple,
    test_data: tuple,
    steps: int,
    batch_size: int,
    seed: int = 0,
    verbose: int = 1,
) -> tuple[dict, list[keras.Model]]:
    """Train a fresh model on every training subset with the same budget; return a table.

    Args:
        build_model: a function without arguments that returns a new, compiled model.
        subsets: one array of positions in the training set per size, smallest first,
            e.g. from `cnnkit.subsample(np.arange(len(y_train)), y_train, n)`.
        training_data: `(x_train, y_train)`: images `(N, 28, 28, 1)` and labels.
        test_data: `(x_test, y_test)`, evaluated once after each training run.
        steps, batch_size: the training budget, the same for every size (`train_steps`).
        seed: seeds the order of the batches.
        verbose: 1 prints one line per size, 0 prints nothing.

    Returns:
        `(table, models)`. `table` is a dict of lists with the keys `LEARNING_CURVE_KEYS`,
        one entry per subset: its size, the accuracy on the subset itself (on at most
        10,000 of its images) and on the test set, the steps and batch size, and seconds.
        `models` holds the trained models in the same order.
    """
    x, y = _pair(training_data, "training_data")
    x_test, y_test = _pair(test_data, "test_data")
    if not callable(build_model):
        raise TypeError("build_model must be a function that returns a new compiled model")
    if not isinstance(subsets, (list, tuple)) or not subsets:
        raise TypeError("subsets must be a non-empty list of index arrays, one per size")
    table = {key: [] for key in LEARNING_CURVE_KEYS}
    models: list[keras.Model] = []
    for subset in subsets:
        index = np.asarray(subset)
        if index.ndim != 1 or index.dtype.kind not in "iu" or len(index) == 0:
            raise ValueError("each subset must be a non-empty 1-D array of integer positions")
        model = build_model()
        if not isinstance(model, keras.Model) or any(model is m for m in models):
            raise ValueError("build_model must return a new keras.Model on every call")
        start = time.perf_counter()
        train_steps(model, x[index], y[index], steps=steps, batch_size=batch_size, seed=seed)
        seconds = time.perf_counter() - start
        seen = subsample(index, y[index], 10_000, seed)[0] if len(index) > 10_000 else index
        row = {
            "size": len(index),
            "train_accuracy": _accuracy(model, x[seen], y[seen]),
            "test_accuracy": _accuracy(model, x_test, y_test),
            "steps": int(model.optimizer.iterations),
            "batch_size": int(batch_size),
            "seconds": round(seconds, 1),
        }
        for key in LEARNING_CURVE_KEYS:
            table[key].append(row[key])
        models.append(model)
        if verbose:
            print(f"{row['size']:>6} images: {row['steps']} steps in {seconds:5.1f} s, "
                  f"training accuracy {row['train_accuracy']:.4f}, "
                  f"test accuracy {row['test_accuracy']:.4f}", flush=True)
    return table, models


def format_learning_curve(table: dict) -> str:
    """The table of `learning_curve` as aligned text, one line per size."""
    lines = [f"{'size':>7}{'train acc':>11}{'test acc':>10}{'steps':>7}{'seconds':>9}"]
    for i, size in enumerate(table["size"]):
        lines.append(f"{size:>7,}{table['train_accuracy'][i]:>11.4f}"
                     f"{table['test_accuracy'][i]:>10.4f}{table['steps'][i]:>7}"
                     f"{table['seconds'][i]:>9.1f}")
    return "\n".join(lines)
