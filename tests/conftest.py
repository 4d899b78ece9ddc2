"""Shared fixtures: the assignments of the kit and their graded reference/untouched runs,
the real datasets, an offline data directory, and matplotlib drawing off-screen."""

from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import numpy as np
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

from autograder.course import Course
from autograder.options import Options
from autograder.pipeline import grade as grade_submission
from autograder.result import scores_of
from cnnkit import loading, sources
from cnnkit.cpu import use_fast_kernels
from cnnkit.paths import DATASETS

REPO = Path(__file__).resolve().parent.parent
FILES = Path(__file__).resolve().parent / "files"

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
use_fast_kernels()  # as every notebook's setup cell does, before TensorFlow's first operation


def lab_kernel_manager() -> KernelManager:
    """A manager of the "python3" kernel that `make lab` starts (.lab/kernels/python3)."""
    dirs = [str(REPO / ".lab" / "kernels"), *KernelSpecManager().kernel_dirs]
    return KernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(
        kernel_dirs=dirs))


def notebook_of(folder: Path) -> Path:
    """The one notebook of an assignment folder."""
    notebooks = sorted(folder.glob("*.ipynb"))
    if len(notebooks) != 1:
        raise ValueError(f"expected one notebook in {folder}, found {notebooks}")
    return notebooks[0]


def same_padding_cnn():
    """01's network with its convolution padded ('same'): 28x28 stays 28x28, a common slip."""
    import keras
    from keras import layers

    return keras.Sequential([keras.Input((28, 28, 1)),
                             layers.Conv2D(32, 3, padding="same", activation="relu"),
                             layers.MaxPooling2D(), layers.Flatten(),
                             layers.Dense(10, activation="softmax")])


def replaced_submission(assignment: str, path: Path, solutions: dict[str, str]) -> Path:
    """Write to `path` the reference notebook of `assignment` with the given solution cells
    (by grade_id) replaced by `solutions`, as a student's submission."""
    import nbformat

    notebook = nbformat.read(notebook_of(REPO / "source" / assignment), as_version=4)
    todo = dict(solutions)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in todo:
            cell.source = todo.pop(grade_id).strip()
    assert not todo, f"no solution cells {sorted(todo)}"
    nbformat.write(notebook, path)
    return path


def reference_and_untouched(assignment: str) -> dict[str, Path]:
    """The submissions every assignment is graded with once per suite (see `autograded`)."""
    return {
        "reference": notebook_of(REPO / "source" / assignment),
        "untouched": notebook_of(REPO / "release" / assignment),
    }


@pytest.fixture(scope="session")
def autograded(tmp_path_factory):
    """Grade submissions with the autograder, once per assignment; returns a lookup function.

    `autograded(assignment, {"student": notebook_path, ...})` returns
    `{student: [TestScore, ...]}`. Each submission goes through `python -m autograder
    grade`'s path: nbgrader's autograde with the kernel in the sandbox, then the
    clean-room replay of the hidden tests, so a test scores only when it passes in both.
    Results are cached for the session, so the reference and untouched runs of an
    assignment are graded only once. `grade.runs[assignment]` holds the course folder
    and the seconds of the autograde that graded the reference (else the first one)
    (tests/test_benchmarks.py checks the budgets); `grade.results[assignment]` the full
    results (status, messages).
    """
    cache: dict = {}
    runs: dict = {}
    results: dict = {}

    def grade(assignment: str, submissions: dict[str, Path]) -> dict:
        key = (assignment, tuple(sorted((s, str(p)) for s, p in submissions.items())))
        if key not in cache:
            root = tmp_path_factory.mktemp(f"course-{assignment}")
            graded = Course(root, REPO / "source", assignment)
            graded.setup()
            start = time.perf_counter()
            outcome = {s: grade_submission(graded, s, p, Options())
                       for s, p in submissions.items()}
            if "reference" in submissions or assignment not in runs:
                runs[assignment] = {"root": root, "seconds": time.perf_counter() - start}
            results.setdefault(assignment, {}).update(outcome)
            cache[key] = {s: scores_of(r) for s, r in outcome.items()}
        return cache[key]

    grade.runs = runs
    grade.results = results
    return grade


# --- the datasets (tests of cnnkit.loading, cnnkit.integrity, cnnkit.sources, cnnkit.data) ---

@pytest.fixture(scope="session")
def real():
    """Both real datasets, loaded through the cache; provisions them first if needed."""
    if not all(loading.cache_path(name).is_file() for name in DATASETS):
        loading.fetch()
    return {name: loading.load_dataset(name) for name in DATASETS}


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """An empty data directory, no Debian package and no Keras download: returns the directory."""
    root = tmp_path / "data"
    monkeypatch.setenv("CNNKIT_DATA_DIR", str(root))
    monkeypatch.setattr(sources, "DEBIAN_DIR", tmp_path / "no-debian-package")

    def no_download(name):
        raise sources.SourceUnavailable("no internet in this test")

    monkeypatch.setattr(sources, "load_from_keras", no_download)
    return root


def write_idx_folder(folder: Path, dataset) -> None:
    """Write a dataset as the four gzipped IDX files of Keras's fashion-mnist layout."""
    folder.mkdir(parents=True)
    (x_train, y_train), (x_test, y_test) = dataset
    for filename, array in zip(sources.IDX_FILES, (x_train, y_train, x_test, y_test), strict=True):
        header = np.array([2048 + array.ndim, *array.shape], ">u4").tobytes()
        with gzip.open(folder / filename, "wb", compresslevel=1) as file:
            file.write(header + array.tobytes())


def write_cache(path: Path, dataset) -> None:
    (x_train, y_train), (x_test, y_test) = dataset
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)


def corrupted(dataset, how: str):
    """A copy of `dataset` with one flipped bit of a pixel (`how="pixel"`), one test image
    too few (`"shape"`) or two wrong test labels (`"labels"`)."""
    (x_train, y_train), (x_test, y_test) = (tuple(a.copy() for a in pair) for pair in dataset)
    if how == "pixel":
        x_train[123, 14, 14] ^= 1
    elif how == "shape":
        x_test = x_test[:-1]
    elif how == "labels":
        y_test[:2] = y_test[1::-1] + 1
    return (x_train, y_train), (x_test, y_test)


# --- plots (tests of cnnkit.plots) ---------------------------------------------------------

@pytest.fixture
def figures():
    """matplotlib draws off-screen (Agg); every figure the test made is closed after it."""
    import matplotlib
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    yield
    plt.close("all")
