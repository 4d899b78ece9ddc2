"""Assignment 01 graded by nbgrader: equivalent formulations earn the same points."""

from __future__ import annotations

import nbformat
import pytest

from tests.conftest import REPO, notebook_of

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
    notebook = nbformat.read(SOURCE, as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell.source = solutions.pop(grade_id).strip()
    assert not solutions, f"no solution cells {sorted(solutions)}"
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.mark.slow
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
