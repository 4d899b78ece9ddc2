"""capture and load_capture, for the autograder's clean-room replay (cnnkit.grading.captures)."""

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


def test_capture_saves_a_tensor_as_its_array(monkeypatch, tmp_path):
    """One-hot labels from keras.ops.one_hot (a tensor, not an array) are captured too."""
    monkeypatch.setenv(grading.CAPTURE_ENV, str(tmp_path))
    labels = keras.ops.one_hot(np.array([0, 2]), 3)
    grading.capture("test_tensor", labels=labels)
    loaded = grading.load_capture("test_tensor", tmp_path)
    assert loaded["labels"].tolist() == [[1, 0, 0], [0, 0, 1]]


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
