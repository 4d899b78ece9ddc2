"""cnnkit.data: the command line, and the data functions it gathers from their modules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cnnkit import data, integrity, loading, paths, preprocessing, sources
from tests.conftest import write_idx_folder

REPO = Path(__file__).resolve().parent.parent

GATHERED = {
    loading: ["CLASS_NAMES", "FETCH_HINT", "DatasetNotFoundError", "cache_path", "class_names",
              "fetch", "load_dataset"],
    integrity: ["SHA256", "TEST_COUNTS", "TRAIN_COUNTS", "DataIntegrityError", "checksum",
                "verify"],
    preprocessing: ["pixel_statistics", "subsample", "to_model_input"],
    paths: ["DATASETS", "data_dir"],
    sources: ["Dataset"],
}


def test_data_gathers_the_very_same_objects():
    for module, names in GATHERED.items():
        for name in names:
            assert getattr(data, name) is getattr(module, name), f"cnnkit.data.{name}"
    gathered = {name for names in GATHERED.values() for name in names}
    assert set(data.__all__) == gathered | {"info", "main"}


def test_fetch_and_info_from_keras_layout_files(real, offline, capsys):
    write_idx_folder(offline / "fashion-mnist", real["fashion_mnist"])
    assert data.main(["fetch", "fashion_mnist"]) == 0
    out = capsys.readouterr().out
    assert "found Keras's cache" in out and str(data.cache_path("fashion_mnist")) in out
    assert data.main(["info"]) == 0
    out = capsys.readouterr().out
    assert "fashion_mnist: cached, checksum ok" in out and "mnist: not cached" in out


@pytest.mark.slow
def test_command_line_info_runs():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-m", "cnnkit.data", "info"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "fashion_mnist:" in result.stdout and "mnist:" in result.stdout
