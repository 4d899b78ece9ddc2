"""Hidden-test helpers: trusted test data, model checks, capture and safe reload."""

import json

import keras
import numpy as np
import pytest

from cnnkit import grading, models


def test_capture_does_nothing_without_the_variable(monkeypatch, tmp_path):
    monkeypatch.delenv(grading.CAPTURE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    grading.capture("test_x", values=np.arange(3))
    assert list(tmp_path.iterdir()) == []


def test_capture_round_trip(monkeypatch, tmp_path):
    monkeypatch.setenv(grading.CAPTURE_ENV, str(tmp_path))
    model = models.simple_cnn()
    history = keras.callbacks.History()
    history.history = {"loss": [1.0, 0.5]}
    grading.capture(
        "test_all", model=model, images=np.ones((2, 3), "float32"), sizes=[100, 250],
        history=history, config={"optimizer": "adam", "epochs": 3},
    )
    assert sorted(p.name for p in (tmp_path / "test_all").iterdir()) == [
        "config.json", "history.json", "images.npy", "model.keras", "sizes.npy"
    ]
    loaded = grading.load_capture("test_all", tmp_path)
    assert isinstance(loaded["model"], keras.Model)
    assert loaded["model"].count_params() == 54410
    assert loaded["images"].dtype == np.float32 and loaded["images"].shape == (2, 3)
    assert loaded["sizes"].tolist() == [100, 250]
    assert loaded["history"] == {"loss": [1.0, 0.5]}
    assert loaded["config"] == {"optimizer": "adam", "epochs": 3}


def test_capture_rejects_path_like_names(monkeypatch, tmp_path):
    monkeypatch.setenv(grading.CAPTURE_ENV, str(tmp_path))
    with pytest.raises(ValueError):
        grading.capture("../escape", x=np.zeros(1))
    with pytest.raises(ValueError):
        grading.load_capture("a/b", tmp_path)


def test_missing_capture_loads_empty(tmp_path):
    assert grading.load_capture("test_none", tmp_path) == {}


def test_load_capture_never_unpickles(tmp_path):
    folder = tmp_path / "test_obj"
    folder.mkdir()
    np.save(folder / "evil.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="pickle"):
        grading.load_capture("test_obj", tmp_path)
    (folder / "evil.npy").unlink()
    (folder / "ok.json").write_text(json.dumps([1, 2]))
    assert grading.load_capture("test_obj", tmp_path) == {"ok": [1, 2]}


def test_check_model_accepts_reference_and_rejects_other():
    grading.check_model(models.simple_cnn(), grading.SIMPLE_CNN)
    with pytest.raises(AssertionError):
        grading.check_model(models.simple_cnn(num_classes=5), grading.SIMPLE_CNN)


@pytest.mark.slow
def test_accuracy_is_measured_on_the_trusted_test_set():
    untrained = models.simple_cnn()
    accuracy = grading.measure_test_accuracy(untrained, "fashion_mnist")
    assert 0.0 <= accuracy < 0.3
    with pytest.raises(AssertionError, match="below the required 0.9000"):
        grading.check_min_accuracy(untrained, "fashion_mnist", 0.9)


def test_trusted_preprocessing_check_rejects_tampered_labels():
    (x_train, y_train), (x_test, y_test) = grading.load_dataset("fashion_mnist")
    prepare = lambda x: (x.reshape(-1, 28, 28, 1) / np.float32(255)).astype("float32")  # noqa: E731
    onehot = lambda y: keras.utils.to_categorical(y, 10)  # noqa: E731
    grading.check_preprocessing("fashion_mnist", prepare(x_train), onehot(y_train),
                                prepare(x_test), onehot(y_test))
    with pytest.raises(AssertionError, match="test labels"):
        grading.check_preprocessing("fashion_mnist", prepare(x_train), onehot(y_train),
                                    prepare(x_test), onehot(np.roll(y_test, 1)))
    with pytest.raises(AssertionError, match="divided by 255"):
        grading.check_preprocessing("fashion_mnist", prepare(x_train) * 0.5, onehot(y_train),
                                    prepare(x_test), onehot(y_test))
