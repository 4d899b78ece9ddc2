"""autograder.replay: the clean room's program."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def test_replay_loads_keras_models_only(tmp_path):
    """The clean room loads functional and sequential models, and refuses foreign modules."""
    import zipfile

    import keras

    from autograder.replay import CHILD

    inputs = keras.Input(shape=(4,))
    functional = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Activation("relu")(
        inputs)))
    for name in ("test_a", "test_b"):
        (tmp_path / "capture" / name).mkdir(parents=True)
        functional.save(tmp_path / "capture" / name / "model.keras")
    path = tmp_path / "capture" / "test_b" / "model.keras"
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members["config.json"] = members["config.json"].replace(b'"keras.layers"', b'"os"', 1)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    code = "assert model.count_params() == 10"
    job = {"tests": [{"id": t, "captured": ["model"], "code": code}
                     for t in ("test_a", "test_b", "test_c")]}
    (tmp_path / "job.json").write_text(json.dumps(job))
    subprocess.run([sys.executable, "-I", str(CHILD), str(tmp_path / "job.json"),
                    str(tmp_path / "results.json"), str(tmp_path / "capture")],
                   check=True, timeout=300, capture_output=True)
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["test_a"]["status"] == "passed", results
    assert results["test_b"]["status"] == "error"
    assert "os.Activation" in results["test_b"]["message"] or "not part of Keras" in results[
        "test_b"]["message"]
    assert results["test_c"]["status"] == "missing"


def _run_child(tmp_path, job: dict) -> dict:
    from autograder.replay import CHILD

    (tmp_path / "job.json").write_text(json.dumps(job))
    subprocess.run([sys.executable, "-I", str(CHILD), str(tmp_path / "job.json"),
                    str(tmp_path / "results.json"), str(tmp_path / "capture")],
                   check=True, timeout=300, capture_output=True)
    return json.loads((tmp_path / "results.json").read_text())


@pytest.mark.slow  # starts TensorFlow in a new process: keeps `make test-fast` under 2 minutes
def test_replay_reports_what_a_trusted_test_posts_to_the_leaderboard(tmp_path):
    for name in ("test_a", "test_b", "test_c", "test_d"):
        (tmp_path / "capture" / name).mkdir(parents=True)
        (tmp_path / "capture" / name / "value.json").write_text("0.5")
    post = "cnnkit.grading.leaderboard.post('accuracy', value)\n"
    results = _run_child(tmp_path, {"tests": [
        {"id": "test_a", "captured": ["value"], "code": post + "assert value < 1"},
        {"id": "test_b", "captured": ["value"], "code": "assert value < 1"},
        {"id": "test_c", "captured": ["value"], "code": "points = value * 4\nfloat(points)"},
        {"id": "test_d", "captured": ["value"], "code": "value > 0"}]})
    assert results["test_a"]["leaderboard"] == [
        {"name": "accuracy", "value": 0.5, "order": "desc"}]
    assert "leaderboard" not in results["test_b"]
    # A last expression with a number is the test's partial credit, as nbgrader reads it.
    assert (results["test_c"]["status"], results["test_c"]["points"]) == ("passed", 2.0)
    assert "points" not in results["test_b"] and "points" not in results["test_d"]


@pytest.mark.slow  # starts TensorFlow in a new process: keeps `make test-fast` under 2 minutes
def test_replay_loads_a_list_of_models_and_names_what_is_missing(tmp_path, monkeypatch):
    """Models captured as a list load as a list, in order; a missing capture lists its names."""
    import keras

    from cnnkit import grading

    monkeypatch.setenv(grading.CAPTURE_ENV, str(tmp_path / "capture"))
    inputs = keras.Input(shape=(4,))
    models = [keras.Model(inputs, keras.layers.Dense(units)(inputs)) for units in (1, 2, 3)]
    grading.capture("test_list", models=models)
    code = "assert [m.count_params() for m in models] == [5, 10, 15]"
    results = _run_child(tmp_path, {"tests": [
        {"id": "test_list", "captured": ["models"], "code": code},
        {"id": "test_gone", "captured": ["best_model", "baseline_model"], "code": "pass"}]})
    assert results["test_list"]["status"] == "passed", results
    assert results["test_gone"]["status"] == "missing"
    assert results["test_gone"]["missing"] == ["best_model", "baseline_model"]


def test_streamed_replay_runs_each_test_once_sealed_and_then_only_those_still_needed(
        tmp_path):
    """While the notebook runs, a test replays as soon as its capture folder appears; the
    grader's END then names the results it needs: the rest run (or are missing), others
    are skipped."""
    import time

    from autograder.replay import CHILD

    capture, results_path = tmp_path / "capture", tmp_path / "results.json"
    (capture / "test_early").mkdir(parents=True)
    (capture / "test_early" / "value.json").write_text("1")
    tests = [{"id": name, "captured": ["value"], "code": "assert value == 1"}
             for name in ("test_later", "test_early", "test_unneeded", "test_absent")]
    (tmp_path / "job.json").write_text(json.dumps({"stream": True, "tests": tests}))
    child = subprocess.Popen([sys.executable, "-I", str(CHILD), str(tmp_path / "job.json"),
                              str(results_path), str(capture)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while "test_early" not in (json.loads(results_path.read_text())
                                   if results_path.exists() else {}):
            assert child.poll() is None and time.monotonic() < deadline, "no streamed result"
            time.sleep(0.05)
        results = json.loads(results_path.read_text())
        assert list(results) == ["test_early"]  # test_later's capture is not there yet
        (tmp_path / "sealing").mkdir()  # sealed whole, as the grader seals
        (tmp_path / "sealing" / "value.json").write_text("2")
        (tmp_path / "sealing").rename(capture / "test_later")
        (tmp_path / "end.json").write_text(json.dumps({"tests": [
            "test_early", "test_later", "test_absent"]}))
        assert child.wait(timeout=120) == 0
    finally:
        child.kill()
    results = json.loads(results_path.read_text())
    assert set(results) == {"test_early", "test_later", "test_absent"}
    assert results["test_early"]["status"] == "passed"
    assert results["test_later"]["status"] == "failed"
    assert results["test_absent"]["status"] == "missing"
