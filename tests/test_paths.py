"""cnnkit.paths: the facts cnnkit and the autograder share."""

import subprocess
import sys

from cnnkit import data, paths


def test_data_dir_prefers_cnnkit_then_keras_home_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("CNNKIT_DATA_DIR", str(tmp_path / "data"))
    assert paths.data_dir() == tmp_path / "data"
    monkeypatch.delenv("CNNKIT_DATA_DIR")
    assert paths.data_dir() == tmp_path / "keras" / "datasets"
    monkeypatch.delenv("KERAS_HOME")
    assert paths.data_dir() == tmp_path / "home" / ".keras" / "datasets"


def test_cnnkit_and_the_autograder_look_in_the_same_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CNNKIT_DATA_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert data.data_dir() == paths.data_dir() == tmp_path / "datasets"
    assert data.cache_path("mnist") == paths.cache_path("mnist")


def test_the_capture_variable_is_the_one_grading_reads():
    from cnnkit.grading import captures

    assert captures.CAPTURE_ENV == paths.CAPTURE_ENV == "CNNKIT_CAPTURE_DIR"


def test_paths_needs_only_the_standard_library():
    code = ("import sys; import cnnkit.paths; "
            "print(sorted(m for m in ('numpy', 'keras', 'tensorflow', 'matplotlib') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
