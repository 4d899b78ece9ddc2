"""Builders for the reference architectures used in the notebooks."""

from __future__ import annotations

import difflib
import inspect

import keras
from keras import layers


def simple_cnn(input_shape: tuple = (28, 28, 1), num_classes: int = 10) -> keras.Model:
    """The simple CNN of assignment 01: Conv(32, 3x3, ReLU) -> MaxPool(2x2) -> Dense(softmax).

    Input `(batch, 28, 28, 1)`; the convolution gives `(batch, 26, 26, 32)`, pooling
    `(batch, 13, 13, 32)`, flattening `(batch, 5408)`, and the output is
    `(batch, num_classes)` class probabilities. 54,410 parameters for 10 classes.
    """
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dense(num_classes, activation="softmax"),
        ],
        name="simple_cnn",
    )


# --- a CNN described by a configuration (assignment 02) -------------------------------

SIMPLE_CNN_CONFIG = {
    "conv_blocks": 1,  # convolution blocks; block b has filters * 2**b filters
    "filters": 32,  # filters of the first convolution
    "kernel_size": 3,  # height and width of every convolution kernel
    "activation": "relu",  # activation of every hidden layer (the output is softmax)
    "pooling": True,  # a 2x2 max pooling after every convolution
    "dense_units": 0,  # units of a hidden Dense layer before the output; 0 = none
    "dropout": 0.0,  # dropout rate before the output layer; 0.0 = none
    "optimizer": "sgd",
    "learning_rate": None,  # None = the optimizer's Keras default (SGD 0.01, Adam 0.001)
    "epochs": 2,
    "batch_size": 128,
}
"""The network and training setup of assignment 01 as a configuration."""

ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "selu", "gelu", "silu", "leaky_relu")
OPTIMIZERS = {
    "sgd": keras.optimizers.SGD,
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "nadam": keras.optimizers.Nadam,
    "rmsprop": keras.optimizers.RMSprop,
    "adagrad": keras.optimizers.Adagrad,
}


def _positive_int(config: dict, key: str, minimum: int = 1) -> None:
    value = config[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{key!r} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{key!r} must be at least {minimum}, got {value}")


def validate_config(config: dict, input_size: int = 28) -> None:
    """Raise `ValueError`/`TypeError` unless `config` is a complete, valid CNN configuration.

    A configuration has exactly the keys of `SIMPLE_CNN_CONFIG`; start from a complete one,
    e.g. `dict(SIMPLE_CNN_CONFIG, optimizer="adam")`.
    """
    if not isinstance(config, dict):
        raise TypeError(f"a configuration is a dict, got {type(config).__name__}")
    unknown = [key for key in config if key not in SIMPLE_CNN_CONFIG]
    for key in unknown:
        close = difflib.get_close_matches(str(key), SIMPLE_CNN_CONFIG, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown key {key!r}{hint}; the keys are: {', '.join(SIMPLE_CNN_CONFIG)}")
    missing = [key for key in SIMPLE_CNN_CONFIG if key not in config]
    if missing:
        raise ValueError(
            f"the configuration lacks {', '.join(map(repr, missing))}: start from a complete "
            "one and change a value, e.g. dict(baseline, epochs=20)"
        )
    for key in ("conv_blocks", "filters", "kernel_size", "epochs", "batch_size"):
        _positive_int(config, key)
    _positive_int(config, "dense_units", minimum=0)
    if config["activation"] not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {config['activation']!r}")
    if config["optimizer"] not in OPTIMIZERS:
        raise ValueError(
            f"optimizer must be one of {tuple(OPTIMIZERS)}, got {config['optimizer']!r}"
        )
    if not isinstance(config["pooling"], bool):
        raise TypeError(f"'pooling' must be True or False, got {config['pooling']!r}")
    rate = config["learning_rate"]
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float))):
        raise TypeError(f"'learning_rate' must be a number or None, got {rate!r}")
    if rate is not None and not 0 < rate <= 10:
        raise ValueError(f"'learning_rate' must be positive (and at most 10), got {rate}")
    dropout = config["dropout"]
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"'dropout' must be a rate in [0, 1), got {dropout!r}")
    size = input_size
    for block in range(1, config["conv_blocks"] + 1):
        size = size - config["kernel_size"] + 1
        size = size // 2 if config["pooling"] else size
        if size < 1:
            raise ValueError(
                f"with kernel_size {config['kernel_size']} the {input_size}x{input_size} image "
                f"shrinks to nothing in convolution block {block}: use fewer conv_blocks "
                "or a smaller kernel_size"
            )


def learning_rate_of(name: str, learning_rate: float | None) -> float:
    """The rate an optimizer `name` trains with: `learning_rate`, or its default if `None`."""
    if learning_rate is not None:
        return float(learning_rate)
    return float(inspect.signature(OPTIMIZERS[name]).parameters["learning_rate"].default)


def make_optimizer(name: str, learning_rate: float | None = None) -> keras.optimizers.Optimizer:
    """A fresh Keras optimizer by name (`"sgd"`, `"adam"`, ...), at its default rate if `None`."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {tuple(OPTIMIZERS)}, got {name!r}")
    if learning_rate is None:
        return OPTIMIZERS[name]()
    return OPTIMIZERS[name](learning_rate=learning_rate)


def cnn_from_config(
    config: dict, input_shape: tuple = (28, 28, 1), num_classes: int = 10
) -> keras.Model:
    """A compiled CNN built from `config` (see `SIMPLE_CNN_CONFIG`), ready for `cnnkit.train`.

    Layers: `conv_blocks` x [Conv2D (+ MaxPooling2D 2x2 if `pooling`)] -> Flatten ->
    [Dense(`dense_units`)] -> [Dropout] -> Dense(`num_classes`, softmax). Input
    `(batch, 28, 28, 1)`, output `(batch, num_classes)` class probabilities. Compiled with
    categorical cross-entropy (one-hot targets), the configured optimizer and accuracy.
    `SIMPLE_CNN_CONFIG` gives the same layers as `simple_cnn()`.
    """
    validate_config(config, input_size=min(input_shape[:2]))
    stack = [keras.Input(shape=input_shape)]
    for block in range(config["conv_blocks"]):
        filters = config["filters"] * 2**block
        stack.append(layers.Conv2D(filters, config["kernel_size"], activation=config["activation"]))
        if config["pooling"]:
            stack.append(layers.MaxPooling2D(pool_size=(2, 2)))
    stack.append(layers.Flatten())
    if config["dense_units"]:
        stack.append(layers.Dense(config["dense_units"], activation=config["activation"]))
    if config["dropout"]:
        stack.append(layers.Dropout(config["dropout"]))
    stack.append(layers.Dense(num_classes, activation="softmax"))
    model = keras.Sequential(stack, name="cnn")
    model.compile(
        loss="categorical_crossentropy",
        optimizer=make_optimizer(config["optimizer"], config["learning_rate"]),
        metrics=["accuracy"],
    )
    return model
