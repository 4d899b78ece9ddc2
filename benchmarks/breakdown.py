"""Where a training step of the simple CNN spends its time, with no input pipeline.

Each piece runs as a compiled `tf.function` on one fixed batch of 128 random images, as
many times as an epoch of 01 has batches (55,000 / 128 = 430), best of a few repeats.
"train step, in-graph loop" runs all 430 steps inside one TensorFlow call: the floor that
no change to the data pipeline or per-step overhead of `model.fit` can go below.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from benchmarks.measure import timings
from cnnkit import models

BATCH, STEPS = 128, 430


def _best_seconds(function, repeats: int) -> float:
    function()  # trace
    return min(timings(function, repeats))


def _pieces(policy: str, steps: int) -> dict:
    """Seconds per `steps` batches of each piece of the simple CNN's step under `policy`."""
    keras.mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(0)
    model = models.simple_cnn()
    keras.mixed_precision.set_global_policy("float32")
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="categorical_crossentropy")
    conv, pool = model.layers[0], model.layers[1]
    x = tf.random.uniform((BATCH, 28, 28, 1))
    y = tf.one_hot(tf.random.uniform((BATCH,), maxval=10, dtype=tf.int32), 10)
    features = conv(x)

    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(keras.losses.categorical_crossentropy(y, model(x, training=True)))
        gradients = tape.gradient(loss, model.trainable_variables)
        model.optimizer.apply(gradients, model.trainable_variables)

    def forward():
        return model(x)

    def conv_forward():
        return conv(x)

    def conv_gradients():
        with tf.GradientTape() as tape:
            total = tf.reduce_sum(conv(x))
        return tape.gradient(total, conv.trainable_variables)

    def pool_gradient():
        with tf.GradientTape() as tape:
            tape.watch(features)
            total = tf.reduce_sum(pool(features))
        return tape.gradient(total, features)

    pieces = {"forward": forward, "conv forward": conv_forward,
              "conv forward + weight gradients": conv_gradients,
              "max pooling forward + gradient": pool_gradient, "train step": step}
    result = {}
    for name, piece in pieces.items():
        compiled = tf.function(piece)
        result[name] = _best_seconds(lambda c=compiled: [c() for _ in range(steps)], 3)

    @tf.function
    def epoch_in_graph():
        for _ in tf.range(steps):
            step()

    result["train step, in-graph loop"] = _best_seconds(epoch_in_graph, 3)
    return result


def breakdown(policies=("float32", "mixed_bfloat16"), steps: int = STEPS) -> dict:
    """Seconds per `steps` batches (by default an epoch's worth) of each piece, per policy."""
    return {"batch_size": BATCH, "steps": steps,
            "policies": {policy: _pieces(policy, steps) for policy in policies}}
