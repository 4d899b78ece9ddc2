"""Assignment 04: wrong answers lose exactly their points (the zero-std standardisation trap,
wrong fit labels); the permitted alternatives earn full marks."""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pytest

from cnnkit import checks, grading
from cnnkit.data import load_dataset, subsample, to_model_input
from cnnkit.experiments import VALIDATION_IMAGES
from tests.conftest import REPO, notebook_of, replaced_submission

ASSIGNMENT = "04_learning_curves"

# The classic mistake: EPSILON is defined but the division forgets it, so the 67 border
# pixels that are black in every training image give 0 / 0 = NaN.
WRONG_STANDARDIZE = """\
EPSILON = 0.01
pixel_mean = x_train_prepared.mean(axis=0)
pixel_std = x_train_prepared.std(axis=0)
x_train_std = (x_train_prepared - pixel_mean) / pixel_std
x_test_std = (x_test_prepared - pixel_mean) / pixel_std
"""

# Every run labelled with a label the rule does not give it: the reference's runs are
# underfit, good and overfit, in this order, on every calibrated seed
# (benchmarks/calibration/04_learning_curves.experiments.json).
WRONG_FIT_LABELS = """
fit_labels = dict(zip(fit_settings, ["overfit", "underfit", "good"]))
"""

# grade_id -> (points the wrong submission earns, max points)
EXPECTED = {
    "test_subsets": (2, 2),
    "test_build_cnn": (2, 2),
    "test_learning_curve": (3, 3),
    "test_full_data_accuracy": (3, 3),
    "test_confusion": (2, 2),
    "test_standardize": (0, 3),
    "test_fit_labels": (0, 2),
}
MANUAL = ["learning_curve_answer", "confusion_answer", "batch_norm_answer"]
SIZES = [100, 300, 1000, 3000, 10000, 60000]


def _cells(notebook, grade_id):
    cells = [
        cell for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    ]
    assert len(cells) == 1, f"the notebook needs exactly one cell with grade_id {grade_id!r}"
    return cells[0]


def test_notebook_grades_the_tests_this_file_expects():
    notebook = nbformat.read(notebook_of(REPO / "source" / ASSIGNMENT), as_version=4)
    for grade_id, (_, points) in EXPECTED.items():
        assert _cells(notebook, grade_id).metadata["nbgrader"]["points"] == points
    assert "x_test_std" in _cells(notebook, "standardize").source


def test_the_runs_validate_on_the_images_the_hidden_test_measures():
    """The fitting runs' validation set, in the text and the solution, is the grader's."""
    notebook = nbformat.read(notebook_of(REPO / "source" / ASSIGNMENT), as_version=4)
    images = f"[-{VALIDATION_IMAGES}:]"
    assert images in _cells(notebook, "fit_runs").source
    text = " ".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert f"x_train_prepared{images}" in text and f"last {VALIDATION_IMAGES:,} training" in text


def test_the_runs_the_hidden_test_prescribes_are_the_notebooks():
    """The given cell of the fitting runs and `cnnkit.grading.fitting`'s constants agree."""
    import keras
    from keras import layers

    import cnnkit
    from cnnkit.grading import fitting

    notebook = nbformat.read(notebook_of(REPO / "source" / ASSIGNMENT), as_version=4)
    given = [cell.source for cell in notebook.cells
             if cell.cell_type == "code" and "def build_fit_cnn(" in cell.source]
    assert len(given) == 1
    _, y_train = load_dataset("mnist")[0]
    namespace = {"keras": keras, "layers": layers, "np": np, "cnnkit": cnnkit,
                 "y_train": y_train}
    exec(given[0], namespace)
    assert (namespace["FIT_EPOCHS"], namespace["FIT_BATCH_SIZE"]) == (
        fitting.FIT_EPOCHS, fitting.FIT_BATCH_SIZE)
    assert len(namespace["fit_train_positions"]) == fitting.FIT_IMAGES
    assert [s["filters"] for s in namespace["fit_settings"].values()] == list(fitting.FIT_FILTERS)


def test_the_wrong_labels_are_wrong_for_every_run_on_every_calibrated_seed():
    record = json.loads((REPO / "benchmarks" / "calibration" /
                         "04_learning_curves.experiments.json").read_text())
    assert record["summary"]["seeds"] >= 5
    for run in record["runs"]:
        labels = [row["label"] for row in run["fit_runs"].values()]
        assert labels == ["underfit", "good", "overfit"], run["seed"]
        namespace = {"fit_settings": dict.fromkeys(run["fit_runs"])}
        exec(WRONG_FIT_LABELS, namespace)
        assert all(namespace["fit_labels"][name] != label
                   for name, label in zip(run["fit_runs"], labels))


def test_zero_std_trap_fails_the_visible_standardisation_check():
    (x_train, _), (x_test, _) = load_dataset("mnist")
    namespace = {"x_train_prepared": to_model_input(x_train),
                 "x_test_prepared": to_model_input(x_test)}
    with np.errstate(divide="ignore", invalid="ignore"):
        exec(WRONG_STANDARDIZE, namespace)
    with pytest.raises(AssertionError, match="NaN"):
        checks.check_standardization(*(namespace[name] for name in (
            "x_train_prepared", "x_test_prepared", "x_train_std", "x_test_std",
            "pixel_mean", "pixel_std", "EPSILON")))
    with pytest.raises(AssertionError, match="NaN"):
        grading.check_standardized_data(namespace["pixel_mean"], namespace["pixel_std"],
                                        namespace["EPSILON"], namespace["x_test_std"], "mnist")


def test_first_n_images_are_not_stratified_subsets():
    (_, y_train), _ = load_dataset("mnist")
    positions = np.arange(len(y_train))
    grading.check_stratified_subsets(
        [subsample(positions, y_train, n, seed=n)[0] for n in SIZES], "mnist")
    with pytest.raises(AssertionError, match="not stratified"):
        grading.check_stratified_subsets([positions[:n] for n in SIZES], "mnist")


# Honest alternatives the text permits, in one submission: log-spaced sizes from
# np.geomspace (rounded to whole numbers, as check_sizes suggests), the ReLU written as
# Activation("relu") after each BatchNormalization, and the standard deviation floored at
# EPSILON instead of increased by it.
GEOMSPACE_SUBSETS = """
sizes = np.geomspace(100, 60000, 6).round().astype(int)
positions = np.arange(len(y_train))
subsets = [cnnkit.subsample(positions, y_train, n, seed=int(n))[0] for n in sizes]
"""
ACTIVATION_AFTER_BN = """
STEPS = 400
BATCH_SIZE = 64


def build_cnn():
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(16, 5),
        layers.MaxPooling2D(2),
        layers.BatchNormalization(),
        layers.Activation("relu"),
        layers.Conv2D(32, 5),
        layers.MaxPooling2D(2),
        layers.BatchNormalization(),
        layers.Activation("relu"),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ])
    schedule = keras.optimizers.schedules.CosineDecay(0.01, decay_steps=STEPS)
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
"""
FLOORED_STD = """
EPSILON = 0.01
pixel_mean = np.mean(x_train_prepared, axis=0)
pixel_std = np.std(x_train_prepared, axis=0)
x_train_std = (x_train_prepared - pixel_mean) / np.maximum(pixel_std, EPSILON)
x_test_std = (x_test_prepared - pixel_mean) / np.maximum(pixel_std, EPSILON)
"""
ALTERNATIVES = {"subsets": GEOMSPACE_SUBSETS, "build_cnn": ACTIVATION_AFTER_BN,
                "standardize": FLOORED_STD}


# Graded, the alternatives come with the two wrong answers (the zero-std trap instead of
# FLOORED_STD, and wrong labels): one graded 04 (3.5-4.5 minutes on an AVX2 CPU)
# shows both that the honest alternatives earn their points and that each mistake loses
# exactly its own. FLOORED_STD is checked without the grader in the test right below.
ALTERNATIVES_WITH_MISTAKES = {**ALTERNATIVES, "standardize": WRONG_STANDARDIZE,
                              "fit_labels": WRONG_FIT_LABELS}


def alternatives_submission(path):
    return replaced_submission(ASSIGNMENT, path, ALTERNATIVES_WITH_MISTAKES)


def test_the_alternatives_pass_the_visible_and_hidden_checks():
    """Everything but the training: subsets, the CNN's layers, the standardisation."""
    import keras
    from keras import layers

    import cnnkit

    (x_train, y_train), (x_test, _) = load_dataset("mnist")
    namespace = {"np": np, "keras": keras, "layers": layers, "cnnkit": cnnkit,
                 "y_train": y_train, "x_train_prepared": to_model_input(x_train),
                 "x_test_prepared": to_model_input(x_test)}
    for source in ALTERNATIVES.values():
        exec(source, namespace)
    checks.check_subsets(namespace["subsets"], y_train)
    grading.check_stratified_subsets(namespace["subsets"], "mnist")
    notebook = nbformat.read(notebook_of(REPO / "source" / ASSIGNMENT), as_version=4)
    expected_code = _cells(notebook, "test_build_cnn").source.split("cnn = ")[0]
    exec(expected_code, namespace)
    cnn = checks.check_fresh_builder(namespace["build_cnn"], namespace["expected"])
    grading.check_model(cnn, grading.LEARNING_CURVE_CNN)
    checks.check_standardization(*(namespace[name] for name in (
        "x_train_prepared", "x_test_prepared", "x_train_std", "x_test_std", "pixel_mean",
        "pixel_std", "EPSILON")))
    grading.check_standardized_data(namespace["pixel_mean"], namespace["pixel_std"],
                                    namespace["EPSILON"], namespace["x_test_std"], "mnist")


def test_test_set_statistics_fail_the_visible_check_as_the_hidden_one():
    (x_train, _), (x_test, _) = load_dataset("mnist")
    x_train, x_test = to_model_input(x_train), to_model_input(x_test)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    x_train_std = (x_train - mean) / (std + 0.01)
    own = (x_test - x_test.mean(axis=0)) / (x_test.std(axis=0) + 0.01)
    with pytest.raises(AssertionError, match="the test set's own statistics"):
        checks.check_standardization(x_train, x_test, x_train_std, own, mean, std, 0.01)
    with pytest.raises(AssertionError, match="not the test images standardised"):
        grading.check_standardized_data(mean, std, 0.01, own, "mnist")


@pytest.mark.slow
@pytest.mark.concurrent
def test_the_alternatives_earn_their_points_and_the_mistakes_lose_exactly_theirs(
        autograded, tmp_path_factory):
    """The zero-std trap loses the standardisation points, wrong labels the label points."""
    path = alternatives_submission(
        tmp_path_factory.mktemp("alternatives-04") / "learning_curves.ipynb")
    scores = autograded(ASSIGNMENT, {"alternatives": path})["alternatives"]
    auto = {s.id: (s.points, s.max_points) for s in scores if not s.manual}
    assert auto == EXPECTED
    manual = [s for s in scores if s.manual]
    assert [s.id for s in manual] == MANUAL
    assert all(s.needs_manual_grade for s in manual)
