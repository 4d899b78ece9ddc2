"""Assignment 03: weight decay written as the string "l2" loses exactly the L2-model points.

`kernel_regularizer="l2"` is a classic trap: it always means Keras's default factor 0.01,
whatever factor the function was given. The wrong submission is the reference notebook
with that one mistake: its networks, held back by the strong weight decay, still clear the
sweep check's minimum. The autograder grades the mistake together with the honest
alternatives the text permits (one graded notebook for both).
"""

from __future__ import annotations

import nbformat
import numpy as np
import pytest

from cnnkit import checks, grading
from tests.conftest import REPO, notebook_of, replaced_submission

ASSIGNMENT = "03_mlp_vs_cnn"
RIGHT_L2 = "kernel_regularizer=keras.regularizers.L2(factor)"
WRONG_L2 = 'kernel_regularizer="l2"'

# grade_id -> (points the wrong submission earns, max points)
EXPECTED = {
    "test_mlp_architecture": (2, 2),
    "test_mlp_accuracy": (1, 1),
    "test_l2_factors": (1, 1),
    "test_l2_model": (0, 2),
    "test_sweep": (2, 2),
    "test_convnet": (4, 4),
}
MANUAL = ["mlp_questions", "published_answer", "conv_layers_answer", "params_answer"]


def _cell(notebook, grade_id):
    cells = [
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    ]
    assert len(cells) == 1, f"the notebook needs exactly one cell with grade_id {grade_id!r}"
    return cells[0]


def wrong_submission(path):
    """The reference notebook with the "l2" string mistake."""
    notebook = nbformat.read(notebook_of(REPO / "source" / ASSIGNMENT), as_version=4)
    build = _cell(notebook, "regularized_mlp")
    assert build.source.count(RIGHT_L2) == 2, "the reference regularises both hidden layers"
    build.source = build.source.replace(RIGHT_L2, WRONG_L2)
    nbformat.write(notebook, path)
    return path


def _build_function(source):
    import keras
    from keras import layers

    namespace = {"keras": keras, "layers": layers, "np": np}
    code = "\n".join(line for line in source.splitlines() if "print(" not in line)
    exec(code, namespace)
    return namespace


def test_every_grade_cell_is_expected():
    notebook = nbformat.read(notebook_of(REPO / "source" / ASSIGNMENT), as_version=4)
    graded = {
        c.metadata["nbgrader"]["grade_id"]: (c.cell_type, c.metadata["nbgrader"]["points"])
        for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")
    }
    assert {k: v[1] for k, v in graded.items() if v[0] == "code"} == {
        k: v[1] for k, v in EXPECTED.items()
    }
    assert [k for k, v in graded.items() if v[0] == "markdown"] == MANUAL


def test_the_l2_string_fails_only_the_l2_model_check(tmp_path):
    path = wrong_submission(tmp_path / "mlp_vs_cnn.ipynb")
    notebook = nbformat.read(path, as_version=4)
    namespace = _build_function(_cell(notebook, "regularized_mlp").source)
    checks.check_log_spaced(namespace["l2_factors"], 1e-6, 1e-3, 5)
    probe = namespace["build_regularized_mlp"](1e-3)
    grading.check_model(probe, grading.MLP_500_300)
    with pytest.raises(AssertionError, match='the string "l2" means the default factor 0.01'):
        grading.check_l2_mlp(probe, 1e-3)


def test_the_reference_passes_the_l2_checks():
    notebook = nbformat.read(notebook_of(REPO / "source" / ASSIGNMENT), as_version=4)
    namespace = _build_function(_cell(notebook, "regularized_mlp").source)
    grading.check_l2_factors(namespace["l2_factors"])
    for factor in namespace["l2_factors"]:
        grading.check_l2_mlp(namespace["build_regularized_mlp"](factor), factor)


# Honest alternatives the text permits, in one submission: the MLP's ReLUs as their own
# layers, the factors as powers of ten, keras.regularizers.l2, and a convnet without a
# single Conv2D layer (a depthwise convolution with 32 filters per input channel, which on
# one input channel is an ordinary convolution, then a separable one), trained 8 epochs
# (the text's advice for a margin above 0.99).
MLP_WITH_ACTIVATION_LAYERS = """
mlp_model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Flatten(),
    layers.Dense(64),
    layers.Activation("relu"),
    layers.Dense(64),
    layers.ReLU(),
    layers.Dense(10),
    layers.Softmax(),
])
"""
POWERS_OF_TEN = """
l2_factors = 10.0 ** np.linspace(-6, -3, 5)


def build_regularized_mlp(factor):
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Flatten(),
        layers.Dense(500, activation="relu", kernel_regularizer=keras.regularizers.l2(factor)),
        layers.Dense(300, activation="relu", kernel_regularizer=keras.regularizers.l2(factor)),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy",
                  optimizer=keras.optimizers.SGD(learning_rate=0.1), metrics=["accuracy"])
    return model
"""
SEPARABLE_CONVNET = """
conv_model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.DepthwiseConv2D(3, depth_multiplier=32, activation="relu"),
    layers.MaxPooling2D(2),
    layers.SeparableConv2D(128, 3, activation="relu"),
    layers.MaxPooling2D(2),
    layers.Flatten(),
    layers.Dropout(0.5),
    layers.Dense(10, activation="softmax"),
])
epochs, batch_size = 8, 64
total_steps = epochs * int(np.ceil(len(x_fit) / batch_size))
schedule = keras.optimizers.schedules.CosineDecay(3e-3, decay_steps=total_steps, alpha=0.01)
conv_model.compile(loss="categorical_crossentropy",
                   optimizer=keras.optimizers.Adam(learning_rate=schedule), metrics=["accuracy"])
conv_record = cnnkit.train(conv_model, x_fit, y_fit, epochs=epochs, batch_size=batch_size,
                           validation_data=(x_val, y_val))
"""
ALTERNATIVES = {"build_mlp": MLP_WITH_ACTIVATION_LAYERS, "regularized_mlp": POWERS_OF_TEN,
                "conv_model": SEPARABLE_CONVNET}


# Graded, the alternatives carry the "l2" string mistake in their regularised MLP: one
# graded 03 (over five minutes on an AVX2 laptop) shows both that the honest alternatives
# earn their points and that the mistake loses exactly its own. The alternatives' own
# keras.regularizers.l2 is checked without the grader in the test right below.
ALTERNATIVES_WITH_L2_STRING = {
    **ALTERNATIVES,
    "regularized_mlp": POWERS_OF_TEN.replace("kernel_regularizer=keras.regularizers.l2(factor)",
                                             WRONG_L2),
}


def alternatives_submission(path):
    """The reference notebook with ALTERNATIVES_WITH_L2_STRING in its solution cells."""
    assert ALTERNATIVES_WITH_L2_STRING["regularized_mlp"].count(WRONG_L2) == 2
    return replaced_submission(ASSIGNMENT, path, ALTERNATIVES_WITH_L2_STRING)


def test_the_alternatives_pass_the_visible_and_hidden_model_checks():
    """Untrained: the layer checks, the factors and the convnet's layer rule and loading."""
    namespace = _build_function(POWERS_OF_TEN)
    exec(MLP_WITH_ACTIVATION_LAYERS, namespace)
    checks.check_architecture(namespace["mlp_model"], grading.MLP_64_64, name="mlp_model")
    grading.check_model(namespace["mlp_model"], grading.MLP_64_64)
    grading.check_l2_factors(namespace["l2_factors"])
    for factor in namespace["l2_factors"]:
        grading.check_l2_mlp(namespace["build_regularized_mlp"](factor), factor)
    conv_source = SEPARABLE_CONVNET.split("epochs, batch_size")[0]
    exec(conv_source, namespace)
    checks.check_gradable(namespace["conv_model"], "conv_model")
    with pytest.raises(AssertionError, match="test accuracy .* is below the required 0.9900"):
        grading.check_convnet(namespace["conv_model"], "mnist", 0.99)  # untrained


@pytest.mark.slow
@pytest.mark.concurrent
def test_the_alternatives_earn_their_points_and_the_l2_string_loses_exactly_its_own(
        autograded, tmp_path_factory):
    path = alternatives_submission(tmp_path_factory.mktemp("alternatives-03") / "mlp_vs_cnn.ipynb")
    scores = autograded(ASSIGNMENT, {"alternatives": path})["alternatives"]
    auto = {s.id: (s.points, s.max_points) for s in scores if not s.manual}
    assert auto == EXPECTED  # every point but test_l2_model's
    manual = [s for s in scores if s.manual]
    assert [s.id for s in manual] == MANUAL
    assert all(s.needs_manual_grade for s in manual)


def _reference_sweep_call() -> dict:
    """The arguments the reference notebook's sweep cell passes to replicated_sweep, run
    on the notebook's own data cell (the recorder trains nothing)."""
    import types

    import keras

    import cnnkit
    from benchmarks.calibrate import solution_code

    notebook = nbformat.read(notebook_of(REPO / "source" / ASSIGNMENT), as_version=4)
    data_cell = next(c.source for c in notebook.cells
                     if c.cell_type == "code" and "x_fit, y_fit = " in c.source)
    (x_train, y_train), (x_test, y_test) = cnnkit.load_dataset("mnist")
    namespace = {"keras": keras, "np": np, "cnnkit": cnnkit, "x_train": x_train,
                 "y_train": y_train, "x_test": x_test, "y_test": y_test}
    exec(data_cell, namespace)
    call = {}

    def record(build_model, values, **options):
        call.update(options, build_model=build_model, values=values)
        return {}

    namespace.update(layers=keras.layers, cnnkit=types.SimpleNamespace(
        experiments=types.SimpleNamespace(replicated_sweep=record, sweep_grid=dict)))
    exec(solution_code(ASSIGNMENT, "regularized_mlp", "sweep"), namespace)
    return call


def test_the_reference_sweep_is_the_prescribed_experiment():
    """The hidden sweep test's plan (cnnkit.grading.mlp_vs_cnn.L2_SWEEP) is the experiment
    the reference notebook runs: its factors, seeds, epochs, batch size and x_fit[:10000]."""
    from cnnkit.grading.mlp_vs_cnn import L2_SWEEP
    from cnnkit.grading.trained import trusted_fit_data
    from cnnkit.provenance import data_fingerprint

    call = _reference_sweep_call()
    assert np.allclose(call["values"], L2_SWEEP.values, rtol=1e-12, atol=0)
    assert list(call["seeds"]) == list(L2_SWEEP.seeds) == [1, 2, 3]
    assert (call["epochs"], call["batch_size"]) == (L2_SWEEP.epochs, L2_SWEEP.batch_size)
    assert data_fingerprint(*call["training_data"]) == trusted_fit_data("mnist", 10_000)


@pytest.mark.slow  # trains 500-300 MLPs: keeps `make test-fast` under 2 minutes
def test_a_run_of_the_reference_sweep_passes_the_hidden_rule():
    """One run of the reference sweep (its first seed and factor: 5 epochs on 10,000
    images, a few seconds), checked by the hidden rule with the plan cut to that run."""
    import dataclasses

    from cnnkit import experiments, provenance
    from cnnkit.grading.mlp_vs_cnn import L2_SWEEP

    call = _reference_sweep_call()
    build, values = call.pop("build_model"), call.pop("values")
    sweep = experiments.replicated_sweep(build, values[:1], **dict(call, seeds=call["seeds"][:1],
                                                                   verbose=0))
    plan = dataclasses.replace(L2_SWEEP, seeds=L2_SWEEP.seeds[:1], values=L2_SWEEP.values[:1])
    grading.check_sweep_measured(experiments.sweep_grid(sweep), sweep["model"], sweep["seed"],
                                 sweep["value"], provenance.training_log(), "mnist", plan=plan)
