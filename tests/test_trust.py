"""Dishonest submissions of 01-04, graded for real: a score must mean the model learned it.

One submission per class of cheat (issue 18), each the reference notebook with a solution
cell replaced, each cheap to grade (it skips or shortens training), each with the exact
points it must earn:

- a lookup table (a network that stores the test set) instead of the trained model;
- made-up numbers in a table the tests score (02's results, 03's sweep, 04's curve, and
  04's over/underfitting runs: labels written without training);
- a model trained on the public test set.
"""

from __future__ import annotations

import nbformat
import pytest

from tests.conftest import replaced_submission

# A network of Keras's own layers that stores the 10,000 test images (7x7 averages) and
# their labels: each test image finds itself. It was never trained.
LOOKUP_TABLE = """
keys = x_test_prepared.reshape(-1, 7, 4, 7, 4).mean(axis=(2, 4)).reshape(len(x_test_prepared), -1)
keys = keys / np.linalg.norm(keys, axis=1, keepdims=True)
table = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(1, 1, use_bias=False, kernel_initializer="ones"),
    layers.AveragePooling2D(4),
    layers.Flatten(),
    layers.UnitNormalization(),
    layers.Dense(len(keys), use_bias=False, activation="softmax"),
    layers.Dense(10, use_bias=False),
])
table.layers[4].set_weights([1000 * keys.T])
table.layers[5].set_weights([keras.utils.to_categorical(y_test, 10)])
table.compile(loss="categorical_crossentropy", metrics=["accuracy"])
"""

CASES = {
    # 01: train the real network a little, then hand in the lookup table as `model`.
    ("01_simple_cnn", "lookup_table"): ({"train": """
model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.01),
              metrics=["accuracy"])
record = cnnkit.train(model, x_train_prepared[:256], y_train_onehot[:256], epochs=1, batch_size=128)
""" + LOOKUP_TABLE + "model = table\n"}, {
        "test_preprocess": (2, 2), "test_architecture": (3, 3), "test_accuracy": (0, 3)}),
    # 01: the real network, trained on the (public) test set until it remembers it.
    ("01_simple_cnn", "trained_on_test_set"): ({"train": """
model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(1e-3),
              metrics=["accuracy"])
record = cnnkit.train(model, x_test_prepared, y_test_onehot, epochs=10, batch_size=128)
"""}, {"test_preprocess": (2, 2), "test_architecture": (3, 3), "test_accuracy": (0, 3)}),
    # 02: untrained models and a made-up results table of the right shape.
    ("02_variants", "made_up_table"): ({"run_variants": """
made_up = [0.80, 0.90, 0.86, 0.84, 0.85, 0.79]
results, trained_models = [], []
for index, config in enumerate([baseline, *variants]):
    network = cnnkit.models.cnn_from_config(config)
    aspect, value = cnnkit.experiments.describe_change(baseline, config)
    trained_models.append(network)
    results.append({
        "name": "baseline" if index == 0 else f"variant {index}", "aspect": aspect,
        "value": value, "test_accuracy": made_up[index], "seconds": 1.0,
        "params": network.count_params(), "epochs": config["epochs"], "config": config,
        "history": {m: [0.5] * config["epochs"]
                    for m in ("loss", "accuracy", "val_loss", "val_accuracy")},
    })
"""}, {"test_variant_configs": (1, 1), "test_one_change": (2, 2),
       "test_distinct_aspects": (2, 2), "test_results_table": (0, 2),
       "test_improvement": (0, 3)}),
    # 03: a real but short sweep whose accuracies are then made up; the lookup table
    # (with a 1x1 convolution, so it "is" a convnet) as the convnet.
    ("03_mlp_vs_cnn", "made_up_sweep_and_lookup"): ({
        "sweep": """
sweep = cnnkit.experiments.replicated_sweep(
    build_regularized_mlp, l2_factors, seeds=[1, 2, 3],
    training_data=(x_fit[:256], y_fit[:256]), test_data=(x_test_prepared, y_test_onehot),
    epochs=1, batch_size=128,
)
sweep["test_accuracy"] = [0.97 + 0.001 * i for i in range(15)]
sweep_accuracy = cnnkit.experiments.sweep_grid(sweep)
""",
        "conv_model": LOOKUP_TABLE + "conv_model, conv_record = table, None\n"}, {
        "test_mlp_architecture": (2, 2), "test_mlp_accuracy": (1, 1), "test_l2_factors": (1, 1),
        "test_l2_model": (2, 2), "test_sweep": (0, 2), "test_convnet": (0, 4)}),
    # 03: the reference convnet trained on the test set (and no sweep, to stay cheap).
    ("03_mlp_vs_cnn", "trained_on_test_set"): ({
        "sweep": "sweep, sweep_accuracy = {}, np.zeros((3, 5))\n",
        "conv_model": """
conv_model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Flatten(),
    layers.Dropout(0.5),
    layers.Dense(10, activation="softmax"),
])
conv_model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(3e-3),
                   metrics=["accuracy"])
conv_record = cnnkit.train(conv_model, x_test_prepared, y_test_onehot, epochs=12, batch_size=64)
"""}, {"test_mlp_architecture": (2, 2), "test_mlp_accuracy": (1, 1), "test_l2_factors": (1, 1),
       "test_l2_model": (2, 2), "test_sweep": (0, 2), "test_convnet": (0, 4)}),
    # 04: train only the smallest and the full-data model, make up the sizes in between;
    # label the over/underfitting runs from a made-up table of untrained models.
    ("04_learning_curves", "made_up_middle"): ({"fit_runs": """
fit_models = [build_fit_cnn(**setting) for setting in fit_settings.values()]
fit_runs = {
    name: {"setting": setting, "params": model.count_params(), "seconds": 1.0,
           "history": {m: [0.5] * FIT_EPOCHS for m in ("loss", "accuracy", "val_loss",
                                                         "val_accuracy")},
           "train_loss": 0.1, "train_accuracy": train, "val_loss": 0.2, "val_accuracy": val}
    for (name, setting), model, (train, val) in zip(
        fit_settings.items(), fit_models, [(0.72, 0.74), (0.96, 0.95), (1.0, 0.96)])
}
""", "learning_curve": """
ends = []
for subset in (subsets[0], subsets[-1]):
    network = build_cnn()
    cnnkit.experiments.train_steps(network, x_train_prepared[subset], y_train[subset],
                                   steps=STEPS, batch_size=BATCH_SIZE)
    ends.append(network)
accuracy = [float(np.mean(m.predict(x_test_prepared, verbose=0).argmax(axis=1) == y_test))
            for m in ends]
curve = {"size": [len(s) for s in subsets], "train_accuracy": [1.0] * len(subsets),
         "test_accuracy": np.linspace(accuracy[0], accuracy[1], len(subsets)).tolist(),
         "steps": [STEPS] * len(subsets), "batch_size": [BATCH_SIZE] * len(subsets),
         "seconds": [1.0] * len(subsets)}
curve_models = [ends[0]] + [build_cnn() for _ in subsets[1:-1]] + [ends[1]]
smallest_model, full_model = curve_models[0], curve_models[-1]
"""}, {"test_subsets": (2, 2), "test_build_cnn": (2, 2), "test_learning_curve": (0, 3),
       "test_full_data_accuracy": (3, 3), "test_confusion": (2, 2), "test_standardize": (3, 3),
       "test_fit_labels": (0, 2)}),
}


def dishonest(assignment: str, folder, name: str, solutions: dict) -> object:
    """The reference notebook of `assignment` with the given solution cells (by grade_id)."""
    return replaced_submission(assignment, folder / f"{name}.ipynb", solutions)


@pytest.mark.parametrize(("assignment", "kind"), sorted(CASES))
def test_submission_builds(assignment, kind, tmp_path):
    """Cheap: every dishonest notebook is built from the current reference."""
    solutions, expected = CASES[assignment, kind]
    path = dishonest(assignment, tmp_path, kind, solutions)
    notebook = nbformat.read(path, as_version=4)
    graded = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
              for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")
              and c.cell_type == "code"}
    assert graded == {test: points for test, (_, points) in expected.items()}
    for source in solutions.values():
        compile(source, kind, "exec")


@pytest.mark.slow
@pytest.mark.concurrent
@pytest.mark.parametrize(("assignment", "kind"), sorted(CASES))
def test_dishonest_submission_earns_exactly(assignment, kind, autograded, tmp_path_factory):
    solutions, expected = CASES[assignment, kind]
    path = dishonest(assignment, tmp_path_factory.mktemp(kind), kind, solutions)
    scores = autograded(assignment, {kind: path})[kind]
    points = {s.id: (s.points, s.max_points) for s in scores if not s.manual}
    assert points == expected, autograded.results[assignment][kind]["tests"]
