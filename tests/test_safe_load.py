"""cnnkit.safe_load: the one loader of captured objects (clean room, load_capture, checks)."""

from __future__ import annotations

import json
import zipfile

import keras
import numpy as np
import pytest

from cnnkit import safe_load


def _model(units: int = 2) -> keras.Model:
    inputs = keras.Input(shape=(4,))
    return keras.Model(inputs, keras.layers.Dense(units)(inputs))


def test_foreign_classes_names_what_is_not_keras():
    config = {"module": "keras.layers", "class_name": "Dense", "config": {"layers": [
        {"module": "evil", "class_name": "Payload"},
        {"module": "keras.layers", "class_name": "Dense", "registered_name": "Mine>Dense"}]}}
    assert safe_load.foreign_classes(config) == ["evil.Payload", "Mine>Dense"]
    assert safe_load.foreign_classes({"module": "keras", "class_name": "Functional"}) == []


def test_keras_functions_given_by_object_load_and_others_are_foreign(tmp_path):
    """`loss=keras.losses.categorical_crossentropy` is saved as a `builtins.function` by name,
    which Keras resolves to its own function; `tf.nn.softmax` (saved as `softmax_v2`) is not
    Keras's."""
    model = _model(10)
    model.compile(loss=keras.losses.categorical_crossentropy, optimizer="sgd",
                  metrics=[keras.metrics.categorical_accuracy])
    model.save(tmp_path / "model.keras")
    with zipfile.ZipFile(tmp_path / "model.keras") as archive:
        assert safe_load.foreign_classes(json.loads(archive.read("config.json"))) == []
    assert safe_load.load_model(tmp_path / "model.keras", "model").loss is (
        keras.losses.categorical_crossentropy)
    for name in ("softmax_v2", "eval", "__import__", None):
        function = {"module": "builtins", "class_name": "function", "config": name}
        assert safe_load.foreign_classes(function) == ["builtins.function"], name


def test_load_captured_reads_models_arrays_json_and_lists(tmp_path):
    _model(1).save(tmp_path / "model.keras")
    np.save(tmp_path / "curve.npy", np.arange(3.0), allow_pickle=False)
    (tmp_path / "table.json").write_text(json.dumps({"value": [1, 2]}))
    for index, units in enumerate((1, 2, 3)):
        _model(units).save(tmp_path / f"models.{index}.keras")
    assert safe_load.load_captured(tmp_path, "model").count_params() == 5
    assert safe_load.load_captured(tmp_path, "curve").tolist() == [0.0, 1.0, 2.0]
    assert safe_load.load_captured(tmp_path, "table") == {"value": [1, 2]}
    assert [m.count_params() for m in safe_load.load_captured(tmp_path, "models")] == [5, 10, 15]
    with pytest.raises(LookupError):
        safe_load.load_captured(tmp_path, "nothing")


def test_a_model_naming_another_module_is_refused(tmp_path):
    path = tmp_path / "model.keras"
    _model().save(path)
    with zipfile.ZipFile(path) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    config = json.loads(files["config.json"])
    config["module"] = "os"
    files["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match="os.Functional, which is not part of Keras"):
        safe_load.load_model(path, "model")
