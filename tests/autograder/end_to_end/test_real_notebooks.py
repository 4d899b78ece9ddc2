"""The autograder on the real assignment 01: reference, untouched, and a realistic cheat.

The untouched notebook and the cheat go through `python -m autograder grade`; the
reference is the suite's one grading of it (tests/conftest.py).
"""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from autograder import report, sandbox
from autograder.gradescope.results import results_json
from tests.conftest import REPO, notebook_of, reference_and_untouched

pytestmark = pytest.mark.slow

ASSIGNMENT = "01_simple_cnn"
SOURCE = notebook_of(REPO / "source" / ASSIGNMENT)
RELEASE = notebook_of(REPO / "release" / ASSIGNMENT)

# Skip training and fake the predictions with the true labels, which the student's code
# can load like any other data. Faked for every input, they are right on the test set and
# at chance on the held-out training images, which the accuracy test compares.
FAKE_TRAINING = """
model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
_, (_, true_labels) = cnnkit.load_dataset("fashion_mnist")

def fake_predict(self, x, *args, **kwargs):
    return keras.utils.to_categorical(true_labels[: len(x)], 10)

keras.Model.predict = fake_predict
keras.Model.evaluate = lambda self, *args, **kwargs: [0.0, 1.0]
record = cnnkit.train(model, x_train_prepared[:256], y_train_onehot[:256], epochs=1,
                      batch_size=128)
"""


def _grade(tmp_path, notebook):
    out = tmp_path / "result.json"
    process = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", ASSIGNMENT, str(notebook), "--json",
         str(out), "--gradescope", str(tmp_path / "results.json")],
        cwd=REPO, capture_output=True, text=True, timeout=3600)
    assert process.returncode == 0, process.stdout + process.stderr
    return json.loads(out.read_text()), process.stdout


def _statuses(result):
    return {t["id"]: (t["status"], t["points"]) for t in result["tests"]}


def test_reference_earns_full_marks(autograded):
    # The reference is graded once per suite (tests/conftest.py), by the function that
    # `python -m autograder grade` calls; here its result is reported as the command does.
    autograded(ASSIGNMENT, reference_and_untouched(ASSIGNMENT))
    result = dict(autograded.results[ASSIGNMENT]["reference"], notebook=str(SOURCE))
    table = report.table(result)
    assert results_json(result)["score"] == 8
    assert (result["status"], result["score"], result["max_score"]) == ("graded", 8, 8)
    assert _statuses(result) == {"test_preprocess": ("passed", 2), "test_architecture":
                                 ("passed", 3), "test_accuracy": ("passed", 3)}
    assert result["manual"] == [{"id": "kernels_answer", "max_points": 2.0,
                                 "status": "pending"}]
    assert "8 / 8 points" in table
    if sandbox.bwrap_problem() is None:
        assert result["isolation"]["sandbox"] == "bubblewrap"


def test_untouched_notebook_earns_nothing(tmp_path):
    result, _ = _grade(tmp_path, RELEASE)
    assert (result["status"], result["score"]) == ("graded", 0)
    assert {s for s, _ in _statuses(result).values()} == {"error"}


def test_faked_predictions_fail_the_accuracy_test(tmp_path):
    """Predictions faked with the true test labels: the held-out comparison catches them."""
    notebook = nbformat.read(SOURCE, as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "train":
            cell.source = FAKE_TRAINING
    path = tmp_path / "cheat.ipynb"
    nbformat.write(notebook, path)
    result, _ = _grade(tmp_path, path)
    assert (result["status"], result["score"]) == ("graded", 5)
    statuses = _statuses(result)
    assert statuses["test_accuracy"] == ("failed", 0)
    assert "on the last 5,000 training images" in result["tests"][2]["message"]
    assert statuses["test_preprocess"] == ("passed", 2)
    assert statuses["test_architecture"] == ("passed", 3)
