"""The reference models of the notebooks, their training setups, and their FLOP counts.

Each `Reference` says how a notebook trains one of its models: the builder, the
optimizer, the data set, batch size and the validation split. The benchmarks train
exactly these with `model.fit` and with `cnnkit.train`.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

import keras
from keras import layers

import cnnkit


@dataclass(frozen=True)
class Reference:
    """One model as a notebook trains it."""

    name: str
    notebook: str
    dataset: str
    build: object  # function without arguments returning an uncompiled keras.Model
    optimizer: str
    learning_rate: float
    batch_size: int = 128
    validation: int = 5000  # the last `validation` training images are held out

    def compiled(self) -> keras.Model:
        model = self.build()
        model.compile(
            loss="categorical_crossentropy",
            optimizer=cnnkit.models.make_optimizer(self.optimizer, self.learning_rate),
            metrics=["accuracy"],
        )
        return model


def two_block_cnn() -> keras.Model:
    """02's deeper variant: the simple CNN with a second convolution block (64 filters)."""
    config = dict(cnnkit.models.SIMPLE_CNN_CONFIG, conv_blocks=2)
    return keras.models.clone_model(cnnkit.models.cnn_from_config(config))


def mlp(hidden_units: tuple = (64, 64), *, l2: float | None = None) -> keras.Model:
    """03's fully connected networks: Flatten -> Dense(ReLU) per hidden layer -> Dense(softmax).

    Input `(batch, 28, 28, 1)` is flattened to `(batch, 784)`; the output is `(batch, 10)`.
    `mlp()` is 03's 784-64-64-10 MLP (55,050 parameters), `mlp((500, 300), l2=factor)` its
    500-300 MLP with L2 weight decay `factor` on the hidden layers' kernels (545,810).
    Kept here, not in cnnkit: building them is the student's exercise.
    """
    regularizer = None if l2 is None else keras.regularizers.L2(l2)
    stack = [keras.Input((28, 28, 1)), layers.Flatten()]
    stack += [layers.Dense(units, activation="relu", kernel_regularizer=regularizer)
              for units in hidden_units]
    return keras.Sequential([*stack, layers.Dense(10, activation="softmax")], name="mlp")


def mnist_convnet() -> keras.Model:
    """A typical 03 convnet (>= 99% on MNIST): Conv32-Pool-Conv64-Pool-Dropout-Dense10."""
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ], name="convnet")


def learning_curve_cnn(pool_first: bool = True) -> keras.Model:
    """04's CNN: two 5x5 blocks (16 and 32 filters), each with 2x2 pooling, batch norm and ReLU.

    `pool_first=False` pools last, after batch norm and ReLU, as most CNNs do: the same
    function for the ReLU, but batch norm then runs on four times as many values.
    """
    stack = [keras.Input((28, 28, 1))]
    for filters in (16, 32):
        block = [layers.BatchNormalization(), layers.ReLU()]
        pooling = [layers.MaxPooling2D(2)]
        stack += [layers.Conv2D(filters, 5), *(pooling + block if pool_first else block + pooling)]
    stack += [layers.Flatten(), layers.Dense(10, activation="softmax")]
    return keras.Sequential(stack, name="learning_curve_cnn")


def compact_cnn() -> keras.Model:
    """05's compact CNN (9,938 parameters), built by the reference notebook's own solution."""
    from benchmarks.calibrate import solution_code

    namespace = {"keras": keras, "layers": layers}
    exec(solution_code("05_compact_cnn", "build_compact_cnn"), namespace)
    return namespace["build_compact_cnn"]()


REFERENCES = [
    Reference("simple CNN", "01", "fashion_mnist", cnnkit.models.simple_cnn, "sgd", 0.01),
    Reference("two-block CNN", "02", "fashion_mnist", two_block_cnn, "sgd", 0.01),
    Reference("MLP 64-64", "03", "mnist", mlp, "sgd", 0.1),
    Reference("MLP 500-300 L2", "03", "mnist",
              lambda: mlp((500, 300), l2=1e-4), "sgd", 0.1),
    Reference("convnet", "03", "mnist", mnist_convnet, "adam", 0.001),
    Reference("learning-curve CNN", "04", "mnist", learning_curve_cnn, "adam", 0.001),
    Reference("learning-curve CNN, pooling last", "04", "mnist",
              lambda: learning_curve_cnn(pool_first=False), "adam", 0.001),
    Reference("compact CNN", "05", "mnist", compact_cnn, "adam", 0.01),
]
QUICK = ["simple CNN", "MLP 64-64"]


def forward_flops(model: keras.Model) -> list[tuple[str, int]]:
    """FLOPs of one example's forward pass through each Conv2D and Dense layer.

    A multiply-add counts as 2 FLOPs. Biases, activations, pooling and batch norm
    (a few FLOPs per activation value, memory-bound) are not counted.
    """
    rows = []
    for layer in model.layers:
        if isinstance(layer, (layers.Conv2D, layers.Dense)):
            kernel = layer.kernel.shape  # conv (kh, kw, c_in, c_out); dense (in, out)
            positions = prod(layer.output.shape[1:-1])  # output pixels; 1 for dense
            rows.append((layer.name, 2 * positions * prod(kernel)))
        elif layer.weights and not isinstance(layer, layers.BatchNormalization):
            raise ValueError(f"no FLOP count for layer {layer.name} ({type(layer).__name__})")
    return rows


def training_flops(model: keras.Model) -> int:
    """FLOPs of one training example: forward, plus the backward pass.

    The backward pass of a layer computes the gradient of its weights (as many FLOPs as
    its forward pass) and the gradient of its input (the same again), except for the
    first layer, whose input gradient is not needed: 3 x forward - first layer.
    """
    rows = forward_flops(model)
    return 3 * sum(flops for _, flops in rows) - (rows[0][1] if rows else 0)
