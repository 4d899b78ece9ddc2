"""The autograder's parts, without running notebooks: contract, submissions, reports, sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder import files, hidden, report, sandbox
from autograder.feedback import REDACTED, scrub
from autograder.submission import Rejected, prepare
from tests.conftest import FILES, REPO

FIXTURE_SOURCE = FILES / "fixture_course" / "source"


@pytest.fixture(scope="module")
def fixture_assignment():
    return hidden.load_assignment(FIXTURE_SOURCE, "00_fixture")


# --- the hidden-region contract ---------------------------------------------------------


@pytest.mark.parametrize("name", hidden.assignments(REPO / "source"))
def test_every_assignment_can_be_replayed(name):
    """Every hidden region starts with a capture of everything it uses (see hidden.py)."""
    assignment = hidden.load_assignment(REPO / "source", name)
    assert hidden.contract_problems(assignment) == []


def test_fixture_assignment_tests(fixture_assignment):
    tests = {t.id: t for t in fixture_assignment.tests}
    assert [t.id for t in fixture_assignment.autograded] == [
        "test_squares", "test_model", "test_trained"]
    assert tests["test_model"].captured == ["model"]
    assert "count_params" in tests["test_model"].replay
    assert "capture" not in tests["test_model"].replay
    assert [t.id for t in fixture_assignment.manual] == ["relu_answer"]


def _grade_test(source):
    test = hidden.Test(id="test_x", points=1, manual=False, source=source)
    test.hidden = hidden.split_hidden(source)[1] or ""
    hidden.parse_hidden(test)
    return test


@pytest.mark.parametrize(("hidden_code", "problem"), [
    ('cnnkit.grading.capture("test_x", a=a)\nassert a == 1', None),
    ("assert a == 1", "does not start with"),
    ('cnnkit.grading.capture("test_y", a=a)\nassert a == 1', 'capture("test_x"'),
    ('cnnkit.grading.capture("test_x", a=a)\nassert a == b', "does not capture: b"),
    ('cnnkit.grading.capture("test_x", a=a)\nfor i in range(3):\n    assert a[i] > np.e', None),
])
def test_contract_problems_are_found(hidden_code, problem):
    test = _grade_test(f"check()\n{hidden.BEGIN}\n{hidden_code}\n{hidden.END}")
    if problem is None:
        assert test.problem is None
    else:
        assert problem in test.problem


# --- submissions --------------------------------------------------------------------------


def _student_copy(assignment, tmp_path, edit=None, name="s.ipynb"):
    notebook = nbformat.read(assignment.notebook, as_version=4)
    if edit:
        edit(notebook)
    path = tmp_path / name
    nbformat.write(notebook, path)
    return path


def test_invalid_json_is_rejected(fixture_assignment, tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [')
    with pytest.raises(Rejected, match="invalid JSON"):
        prepare(path, fixture_assignment, [fixture_assignment])


def test_other_assignment_is_rejected(fixture_assignment):
    other = hidden.load_assignment(REPO / "source", "01_simple_cnn")
    with pytest.raises(Rejected, match="not a notebook of assignment 00_fixture"):
        prepare(other.notebook, fixture_assignment, [fixture_assignment])
    with pytest.raises(Rejected, match="this is a notebook of assignment 01_simple_cnn"):
        prepare(other.notebook, fixture_assignment, [fixture_assignment, other])


def test_deleted_and_unmarked_test_cells_are_missing(fixture_assignment, tmp_path):
    def edit(notebook):
        ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells]
        del notebook.cells[ids.index("test_model")]
        ids.remove("test_model")
        del notebook.cells[ids.index("test_trained")].metadata["nbgrader"]

    path = _student_copy(fixture_assignment, tmp_path, edit)
    _, missing = prepare(path, fixture_assignment, [fixture_assignment])
    assert missing == ["test_model", "test_trained"]


def test_unknown_and_duplicate_ids_are_dropped_and_metadata_reset(fixture_assignment, tmp_path):
    def edit(notebook):
        bonus = new_code_cell("pass", metadata={"nbgrader": {
            "grade": True, "grade_id": "bonus", "points": 100, "locked": True,
            "solution": False, "schema_version": 3}})
        copy = nbformat.from_dict(notebook.cells[4])  # the test_squares cell again
        copy["id"] = "copied-test-cell"
        notebook.cells[4].metadata["nbgrader"]["points"] = 50
        notebook.cells += [bonus, copy]

    path = _student_copy(fixture_assignment, tmp_path, edit)
    notebook, missing = prepare(path, fixture_assignment, [fixture_assignment])
    graded = [c.metadata["nbgrader"] for c in notebook.cells if "nbgrader" in c.metadata]
    assert [m["grade_id"] for m in graded].count("test_squares") == 1
    assert "bonus" not in [m["grade_id"] for m in graded]
    assert next(m for m in graded if m["grade_id"] == "test_squares")["points"] == 1
    assert missing == []


def test_a_bogus_kernelspec_is_replaced(fixture_assignment, tmp_path):
    def edit(notebook):
        notebook.metadata["kernelspec"] = {"name": "evil", "display_name": "x", "language": "sh"}

    notebook, _ = prepare(_student_copy(fixture_assignment, tmp_path, edit),
                          fixture_assignment, [fixture_assignment])
    assert notebook.metadata["kernelspec"]["name"] == "python3"


def test_not_a_notebook_is_rejected(fixture_assignment, tmp_path):
    weird = json.dumps({"nbformat": 4, "cells": [{"cell_type": "weird"}]})
    for content, reason in [("[1, 2]", "no list of cells"), (weird, "cell_type"),
                            ("\udcff", "not UTF-8")]:
        path = tmp_path / "x.ipynb"
        path.write_bytes(content.encode("utf-8", "surrogateescape"))
        with pytest.raises(Rejected, match=reason):
            prepare(path, fixture_assignment, [fixture_assignment])
    with pytest.raises(Rejected, match="is not a file"):
        prepare(tmp_path / "nothing.ipynb", fixture_assignment, [fixture_assignment])


# --- reports --------------------------------------------------------------------------------

RESULT = {
    "assignment": "00_fixture", "student": "ann", "notebook": "ann.ipynb", "status": "graded",
    "message": "", "score": 3.0, "max_score": 5.0, "seconds": 12.3,
    "tests": [{"id": "test_squares", "points": 1.0, "max_points": 1.0, "status": "passed",
               "message": ""},
              {"id": "test_model", "points": 0.0, "max_points": 2.0, "status": "tampered",
               "message": "passed in your kernel but failed the clean-room check"},
              {"id": "test_trained", "points": 2.0, "max_points": 2.0, "status": "passed",
               "message": ""}],
    "manual": [{"id": "relu_answer", "max_points": 1.0, "status": "pending"}],
    "isolation": {"sandbox": "bubblewrap", "network": False, "memory_limit_gib": 6,
                  "memory_limit_by": "cgroup v1", "process_limit": 512, "user": "uid 61000"},
}


def test_table_lists_every_test():
    text = report.table(RESULT)
    assert "3 / 5 points" in text and "tampered" in text and "relu_answer" in text
    assert "bubblewrap, network off" in text


def test_gradescope_results_hide_tests_until_published():
    results = report.gradescope(RESULT)
    assert results["score"] == 3.0
    assert {t["visibility"] for t in results["tests"]} == {"after_published"}
    assert [t["status"] for t in results["tests"]] == ["passed", "failed", "passed"]
    assert "relu_answer" in results["output"]


def test_grades_csv_has_a_row_per_student():
    other = {**RESULT, "student": "bob", "status": "rejected", "score": 0.0, "tests": []}
    rows = report.grades_csv([RESULT, other], ["test_squares", "test_model", "test_trained"])
    lines = rows.strip().splitlines()
    assert lines[0].startswith("student,status,score,max_score,test_squares")
    assert lines[1].startswith("ann,graded,3,5,1,0,2") and lines[2].startswith("bob,rejected,0")


def test_scrub_removes_hidden_code_from_outputs():
    leaks = hidden.hidden_lines(hidden.load_assignment(FIXTURE_SOURCE, "00_fixture"))
    text = "x\nrng = np.random.default_rng(12345)\ny"
    assert scrub(text, leaks) == f"x\n{REDACTED}\ny"


def test_write_atomic_replaces_whole_files(tmp_path):
    path = tmp_path / "a" / "r.json"
    files.write_json(path, {"a": 1})
    files.write_json(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2}
    assert [p.name for p in path.parent.iterdir()] == ["r.json"]


# --- the sandbox ------------------------------------------------------------------------------

needs_bwrap = pytest.mark.skipif(sandbox.bwrap_problem() is not None,
                                 reason=f"no bubblewrap: {sandbox.bwrap_problem()}")


def _run(box, code, timeout=60):
    argv = [sys.executable, "-I", "-c", code]
    return subprocess.run(box.command("replay", argv, box.environment()), capture_output=True,
                          text=True, timeout=timeout)


def _log(box):
    return (box.work / "replay.log").read_text()


@pytest.fixture
def box():
    sandboxed = sandbox.Sandbox(sandbox.Limits(memory_gib=0.5, processes=64, file_size_mib=8),
                                hide=[REPO])
    yield sandboxed
    sandboxed.close()


SNOOP = r"""
import json, os, socket
seen = [p for p in %r if os.path.exists(p)]
try:
    socket.create_connection(("1.1.1.1", 53), timeout=3)
    net = True
except OSError:
    net = False
wrote = []
for folder in ["/usr", "/opt/cnnkit-data", %r, "/capture", "/"]:
    try:
        open(os.path.join(folder, "x"), "w").write("x")
        wrote.append(folder)
    except OSError:
        pass
print(json.dumps({"uid": os.getuid(), "seen": seen, "net": net, "wrote": wrote,
                  "root": sorted(os.listdir("/")), "pids": sorted(os.listdir("/proc"))}))
"""


@needs_bwrap
def test_sandbox_shows_nothing_of_the_course(box):
    secrets = [str(REPO / "source"), str(REPO / "autograder"), str(REPO / "gradebook.db"),
               str(REPO / "nbgrader_config.py"), str(REPO / "README.md"), str(FILES),
               str(Path.home() / ".ssh"), str(Path.home() / ".bash_history")]
    cnnkit_dir = str(sandbox.package_dir("cnnkit"))
    process = _run(box, SNOOP % (secrets, cnnkit_dir))
    assert process.returncode == 0, _log(box)
    seen = json.loads(_log(box).strip().splitlines()[-1])
    assert seen["seen"] == []
    assert seen["net"] is False
    assert seen["wrote"] == []
    bound = {Path(p).resolve().parts[1] for p in (sys.base_prefix, sys.prefix, cnnkit_dir)}
    allowed = {"bin", "capture", "dev", "etc", "home", "lib", "lib64", "opt", "proc", "result",
               "sbin", "sys", "tmp", "usr"} | bound
    assert set(seen["root"]) <= allowed
    if os.geteuid() == 0:
        assert seen["uid"] >= 61000
    assert box.isolation()["sandbox"] == "bubblewrap"


@needs_bwrap
@pytest.mark.skipif(os.geteuid() != 0, reason="cgroups need root")
def test_memory_limit_kills_and_is_reported(box):
    process = _run(box, "x = bytearray(1024**3)\nx[::4096] = b'x' * len(x[::4096])")
    assert process.returncode != 0
    assert box.replay_cgroups.out_of_memory()


@needs_bwrap
def test_process_and_file_size_limits(box):
    code = (
        "import subprocess\nprocs = []\n"
        "try:\n    for _ in range(500):\n"
        "        procs.append(subprocess.Popen(['sleep', '4242']))\n"
        "except OSError:\n    pass\n"
        "print('spawned', len(procs))\n"
        "try:\n    open('/tmp/big', 'wb').write(b'x' * (20 * 1024**2))\n    print('big ok')\n"
        "except OSError as e:\n    print('big failed', e.errno)\n"
    )
    assert _run(box, code).returncode == 0, _log(box)
    log = _log(box)
    spawned = int(log.split("spawned ")[1].split()[0])
    assert spawned <= 64
    assert "big failed 27" in log  # EFBIG


@needs_bwrap
def test_no_process_survives_the_sandbox(box):
    code = ("import os, time\n"
            "if os.fork() == 0:\n    os.setsid()\n"
            "    if os.fork() == 0:\n        os.execvp('sleep', ['sleep', '4343'])\n"
            "    os._exit(0)\n"
            "time.sleep(0.5)\n")
    assert _run(box, code).returncode == 0
    box.close()
    time.sleep(0.5)
    survivors = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if b"4343" in open(f"/proc/{pid}/cmdline", "rb").read():
                survivors.append(pid)
        except OSError:
            pass
    assert survivors == []


def test_fallback_is_reported_as_weaker(monkeypatch):
    monkeypatch.setenv("CNNKIT_SANDBOX", "rlimits")
    sandbox.bwrap_problem.cache_clear()
    try:
        weak = sandbox.Sandbox(sandbox.Limits(memory_gib=1))
        try:
            info = weak.isolation()
            assert info["sandbox"] == "rlimits" and info["network"] is True
            assert "CNNKIT_SANDBOX" in info["weaker_because"]
        finally:
            weak.close()
    finally:
        monkeypatch.delenv("CNNKIT_SANDBOX")
        sandbox.bwrap_problem.cache_clear()


def test_check_command_accepts_the_kit():
    process = subprocess.run([sys.executable, "-m", "autograder", "check"], cwd=REPO,
                             capture_output=True, text=True, timeout=120)
    assert process.returncode == 0, process.stdout + process.stderr


def test_a_notebook_like_object_is_written_cleanly(fixture_assignment, tmp_path):
    notebook = new_notebook(cells=[new_code_cell("x = 1")])
    path = tmp_path / "n.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(Rejected, match="too few of its cells"):
        prepare(path, fixture_assignment, [fixture_assignment])


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


def test_kill_users_ends_the_processes_of_the_sandbox_users(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root can run processes as other users")
    box = sandbox.Sandbox(sandbox.Limits())
    if not box.owner:
        box.close()
        pytest.skip("this machine's sandbox runs as the grader's user")
    sleeper = subprocess.Popen(["sleep", "60"], user=box.owner[0], group=box.owner[1])
    box.close()
    assert sleeper.wait(timeout=10) == -9
