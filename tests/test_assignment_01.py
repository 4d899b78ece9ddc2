"""Assignment 01 graded by nbgrader: equivalent formulations earn the same points."""

from __future__ import annotations

import nbformat
import pytest

from tests.conftest import REPO, notebook_of, replaced_submission

SOURCE = notebook_of(REPO / "source" / "01_simple_cnn")

FUNCTIONAL_WITH_ACTIVATION_LAYERS = """
inputs = keras.Input(shape=(28, 28, 1))
x = layers.Conv2D(32, (3, 3))(inputs)
x = layers.Activation("relu")(x)
x = layers.MaxPool2D((2, 2))(x)
x = layers.Flatten()(x)
x = layers.Dense(10)(x)
outputs = layers.Activation("softmax")(x)
model = keras.Model(inputs, outputs)
"""

SEQUENTIAL_WITH_INPUT_SHAPE = """
model = keras.Sequential([
    layers.Conv2D(32, 3, input_shape=(28, 28, 1)),
    layers.ReLU(),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dense(10),
    layers.Softmax(),
])
"""

# Far too little training to pass the accuracy test (about 50% on 2,000 images), and quick.
TOO_LITTLE_TRAINING = """
model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
record = cnnkit.train(model, x_train_prepared[:2000], y_train_onehot[:2000], epochs=1,
                      batch_size=128)
"""


def submission(tmp_path, name, **solutions):
    """The reference notebook with the given solution cells (by grade_id) replaced."""
    return replaced_submission("01_simple_cnn", tmp_path / f"{name}.ipynb", solutions)


@pytest.mark.slow
@pytest.mark.concurrent
def test_equivalent_architectures_earn_the_architecture_points(autograded, tmp_path):
    """Functional or Sequential, activations as layers, trained too little: loses only accuracy."""
    submissions = {
        "functional": submission(
            tmp_path, "functional", build_model=FUNCTIONAL_WITH_ACTIVATION_LAYERS,
            train=TOO_LITTLE_TRAINING,
        ),
        "input_shape": submission(
            tmp_path, "input_shape", build_model=SEQUENTIAL_WITH_INPUT_SHAPE,
            train=TOO_LITTLE_TRAINING,
        ),
    }
    results = autograded("01_simple_cnn", submissions)
    for student, scores in results.items():
        points = {s.id: s.points for s in scores if not s.manual}
        assert points == {"test_preprocess": 2, "test_architecture": 3, "test_accuracy": 0}, student


# An honest alternative the text permits: the ReLU as its own layer, and a model compiled
# without metrics (the accuracy test measures the accuracy itself).
RELU_LAYER = """
model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(32, (3, 3)),
    layers.ReLU(),
    layers.MaxPooling2D((2, 2)),
    layers.Flatten(),
    layers.Dense(10, activation="softmax"),
])
"""
WITHOUT_METRICS = """
model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.01))
x_fit, y_fit = x_train_prepared[:-5000], y_train_onehot[:-5000]
x_val, y_val = x_train_prepared[-5000:], y_train_onehot[-5000:]
record = cnnkit.train(model, x_fit, y_fit, epochs=2, batch_size=128, validation_data=(x_val, y_val))
"""


def _visible_part(grade_id):
    notebook = nbformat.read(SOURCE, as_version=4)
    cell, = (c for c in notebook.cells
             if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return cell.source.split("### BEGIN HIDDEN TESTS")[0]


def _accuracy_cell_namespace(model_code):
    """The names the visible accuracy check sees: `model` from `model_code`, `expected` from
    the architecture cell, and 200 random test images."""
    import keras
    import numpy as np
    from keras import layers

    import cnnkit

    namespace = {"keras": keras, "layers": layers, "np": np, "cnnkit": cnnkit}
    exec(RELU_LAYER, namespace)
    exec(_visible_part("test_architecture"), namespace)
    exec(model_code, namespace)
    namespace["model"].compile(loss="categorical_crossentropy", optimizer="sgd")
    rng = np.random.default_rng(0)
    namespace["x_test_prepared"] = rng.random((200, 28, 28, 1), dtype=np.float32)
    namespace["y_test"] = rng.integers(0, 10, 200)
    namespace["y_test_onehot"] = keras.utils.to_categorical(namespace["y_test"], 10)
    return namespace


def test_the_accuracy_cell_runs_for_a_model_compiled_without_metrics():
    """The visible check measures the accuracy itself: no unpacking error, a check message."""
    namespace = _accuracy_cell_namespace(RELU_LAYER)
    with pytest.raises(AssertionError, match="below the required 0.7500"):
        exec(_visible_part("test_accuracy"), namespace)


def test_a_model_rebuilt_differently_for_training_fails_the_visible_accuracy_check():
    """The hidden test checks the measured model's layers again: so does the visible one."""
    rebuilt = RELU_LAYER.replace("layers.Conv2D(32, (3, 3))",
                                 'layers.Conv2D(32, (3, 3), padding="same")')
    namespace = _accuracy_cell_namespace(rebuilt)
    with pytest.raises(AssertionError, match=r"\(None, 28, 28, 32\)"):
        exec(_visible_part("test_accuracy"), namespace)


@pytest.mark.slow
@pytest.mark.concurrent
def test_relu_layer_and_no_metrics_earn_full_marks(autograded, tmp_path):
    """One graded submission with the permitted alternatives: every automatic point."""
    path = submission(tmp_path, "alternatives", build_model=RELU_LAYER, train=WITHOUT_METRICS)
    scores = autograded("01_simple_cnn", {"alternatives": path})["alternatives"]
    points = {s.id: (s.points, s.max_points) for s in scores if not s.manual}
    assert points == {"test_preprocess": (2, 2), "test_architecture": (3, 3),
                      "test_accuracy": (3, 3)}
