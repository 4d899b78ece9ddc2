"""The autograder against honest and adversarial submissions of the fixture assignment.

All submissions are graded in one `python -m autograder batch` run (two workers), so the
batch itself is tested too: every student gets a result and nobody's grade is affected
by anybody else's. Each case asserts the exact score, status and per-test statuses.
The fixture assignment (tests/files/fixture_course) has three autograded tests,
test_squares (1 point), test_model (2) and test_trained (2), and one written answer.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from autograder import sandbox
from autograder.hidden import BEGIN, END, split_hidden
from tests.conftest import FILES, REPO

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sandbox.bwrap_problem() is not None or os.geteuid() != 0,
                       reason="the adversarial cases expect the full isolation: root and "
                              f"bubblewrap ({sandbox.bwrap_problem() or 'not root'})"),
]

SOURCE = FILES / "fixture_course" / "source"
FIXTURE = SOURCE / "00_fixture" / "fixture.ipynb"
STUB = ('# YOUR CODE HERE\n'
        'raise NotImplementedError("replace this line with your answer, then run this cell")')
WRONG_MODEL = ("model = keras.Sequential([keras.Input(shape=(4,)), "
               "layers.Dense(5, activation='relu'), layers.Dense(2, activation='softmax')])")
COMPILE_ONLY = ("model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', "
                "metrics=['accuracy'])")
LIMITS = ["--cell-timeout", "30", "--timeout", "75", "--memory", "2"]
MARKER = "7431"  # in the command line of processes a submission leaves behind


def student_notebook(answers=None, before=(), after=(), edit=None):
    """The fixture as a student would submit it: hidden tests gone, `answers` in place.

    `answers` maps solution cell ids to code (default: the reference solution);
    `before` are cells inserted right after the setup cell, `after` cells appended.
    """
    notebook = nbformat.read(FIXTURE, as_version=4)
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            cell.source = split_hidden(cell.source)[0]
        elif meta.get("solution") and (answers or {}).get(meta["grade_id"]) is not None:
            cell.source = answers[meta["grade_id"]]
        assert BEGIN not in cell.source and END not in cell.source
    notebook.cells[2:2] = [new_code_cell(code) for code in before]
    notebook.cells += [new_code_cell(code) for code in after]
    if edit:
        edit(notebook)
    return notebook


def _cell(notebook, grade_id):
    return next(i for i, c in enumerate(notebook.cells)
                if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _replace_test(notebook):
    notebook.cells[_cell(notebook, "test_model")].source = '"""Always fine."""\npass'


def _delete_test(notebook):
    del notebook.cells[_cell(notebook, "test_model")]


def _unmark_test(notebook):
    cell = notebook.cells[_cell(notebook, "test_trained")]
    del cell.metadata["nbgrader"]
    cell.source = "pass"


def _bogus_kernelspec(notebook):
    notebook.metadata["kernelspec"] = {"name": "evil", "display_name": "evil", "language": "sh"}


def _extra_grade_cell(notebook):
    notebook.cells.append(new_code_cell("pass", metadata={"nbgrader": {
        "grade": True, "grade_id": "bonus", "points": 100, "locked": True, "solution": False,
        "schema_version": 3}}))


FAKE_PREDICT = '''
def fake_predict(self, x, *args, **kwargs):
    x = np.asarray(x)
    p = (x[:, 0] + x[:, 1] > 0).astype("float32")
    return np.stack([1 - p, p], axis=1)
keras.Model.predict = fake_predict
keras.Model.evaluate = lambda self, *args, **kwargs: [0.0, 1.0]
'''
NO_ASSERTS = '''
import ast
class NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(NoAsserts())
'''
SNOOP = '''
import json, os
secrets = json.loads({secrets!r})
seen = [p for p in secrets["read"] if os.path.exists(p)]
wrote = []
for folder in secrets["write"]:
    try:
        with open(os.path.join(folder, "snooped-{marker}.txt"), "w") as handle:
            handle.write("x")
        wrote.append(folder)
    except OSError:
        pass
import sys, cnnkit
skip = ("/proc", "/sys", "/dev", "/usr", "/root", "/work", sys.prefix, sys.base_prefix,
        os.path.dirname(cnnkit.__file__))
notebooks = []
for d, dirs, files in os.walk("/"):
    dirs[:] = [x for x in dirs if not os.path.join(d, x).startswith(skip)]
    notebooks += [os.path.join(d, f) for f in files if f.endswith((".ipynb", ".db"))]
print("seen", seen, "wrote", wrote, "found", notebooks)
clean = not seen and not wrote and notebooks == ["/home/student/fixture.ipynb"]
'''
PROCESSES = f'''
import os, subprocess
procs = []
try:
    for _ in range(2000):
        procs.append(subprocess.Popen(["sleep", "{MARKER}"]))
except OSError:
    pass
spawned = len(procs)
for p in procs[20:]:
    p.kill()
    p.wait()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "{MARKER}"])
    os._exit(0)
print("spawned", spawned)
'''
SUBSTITUTE = '''
real_capture = cnnkit.grading.capture
def substitute(name, **objects):
    if name == "test_model":
        objects["model"] = keras.Sequential([keras.Input(shape=(4,)),
            layers.Dense(3, activation="relu"), layers.Dense(2, activation="softmax")])
    real_capture(name, **objects)
cnnkit.grading.capture = substitute
keras.Model.count_params = lambda self: 23
'''
PRESEED = '''
import os
folder = os.path.join(os.environ["CNNKIT_CAPTURE_DIR"], "test_squares")
os.makedirs(folder, exist_ok=True)
np.save(os.path.join(folder, "squares.npy"), np.arange(10) ** 2)
real_capture = cnnkit.grading.capture
cnnkit.grading.capture = lambda name, **objects: (
    None if name == "test_squares" else real_capture(name, **objects))
np.array_equal = lambda *args, **kwargs: True
'''

P, F, E, T, M, X = "passed", "failed", "error", "timeout", "missing", "tampered"

# case: (notebook or callable(paths) -> notebook or bytes, score, status, test statuses)
CASES = {
    "honest": (student_notebook(), 5, "graded", [P, P, P]),
    "untouched": (student_notebook({"squares_answer": STUB, "build_model": STUB,
                                    "train": STUB}), 0, "graded", [E, E, E]),
    "wrong_model": (student_notebook({"build_model": WRONG_MODEL}), 3, "graded", [P, F, P]),
    "patch_count_params": (student_notebook(
        {"build_model": WRONG_MODEL + "\nkeras.Model.count_params = lambda self: 23"}),
        3, "graded", [P, X, P]),
    "fake_predict": (student_notebook({"train": COMPILE_ONLY + "\n" + FAKE_PREDICT}),
                     3, "graded", [P, P, X]),
    "patch_numpy": (student_notebook(
        {"squares_answer": "squares = list(range(10))\n"
                           "np.array_equal = lambda *args, **kwargs: True"}),
        4, "graded", [X, P, P]),
    "ast_transformer": (student_notebook(
        {"squares_answer": "squares = list(range(10))", "build_model": WRONG_MODEL,
         "train": COMPILE_ONLY}, before=[NO_ASSERTS]), 0, "graded", [X, X, X]),
    "patched_showtraceback": (student_notebook(
        {"squares_answer": "squares = list(range(10))"},
        before=["get_ipython().showtraceback = lambda *args, **kwargs: None"]),
        4, "graded", [F, P, P]),
    "edited_test_cell": (student_notebook({"build_model": WRONG_MODEL}, edit=_replace_test),
                         3, "graded", [P, F, P]),
    "deleted_test_cell": (student_notebook({"build_model": WRONG_MODEL}, edit=_delete_test),
                          3, "graded", [P, M, P]),
    "unmarked_test_cell": (student_notebook({"train": COMPILE_ONLY}, edit=_unmark_test),
                           3, "graded", [P, P, M]),
    "bogus_kernelspec": (student_notebook(edit=_bogus_kernelspec), 5, "graded", [P, P, P]),
    "extra_grade_cell": (student_notebook(edit=_extra_grade_cell), 5, "graded", [P, P, P]),
    "invalid_json": (b'{"cells": [', 0, "rejected", [M, M, M]),
    "other_assignment": ((REPO / "release" / "01_simple_cnn" / "simple_cnn.ipynb").read_bytes(),
                         0, "rejected", [M, M, M]),
    "snooping": (None, 5, "graded", [P, P, P]),  # made by `_snooping` (needs the paths)
    "processes": (student_notebook(
        {"squares_answer": PROCESSES + "squares = np.arange(10) ** 2 if spawned < 600 else 0"}),
        5, "graded", [P, P, P]),
    "memory_bomb": (student_notebook(
        {"build_model": "hog = [np.ones(10**8) for _ in range(40)]"}),
        1, "crashed", [P, E, E]),
    "output_flood": (student_notebook(
        {"squares_answer": "for i in range(200_000):\n    print(i)\n"
                           "print('\\n'.join(map(str, range(3_000_000))))\n"
                           "squares = np.arange(10) ** 2"}), 5, "graded", [P, P, P]),
    "infinite_loop": (student_notebook({"build_model": "while True:\n    pass"}),
                      1, "timeout", [P, T, T]),
    "sigint_ignored": (student_notebook(
        {"build_model": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                        "while True:\n    pass"}), 1, "timeout", [P, T, T]),
    "notebook_deadline": (student_notebook(before=["import time\ntime.sleep(25)"] * 4),
                          0, "timeout", [T, T, T]),
    "os_exit": (student_notebook({"build_model": "import os\nos._exit(1)"}),
                1, "crashed", [P, E, E]),
    "capture_disabled": (student_notebook(
        before=["cnnkit.grading.capture = lambda *args, **kwargs: None"]),
        0, "graded", [M, M, M]),
    "capture_preseeded": (student_notebook(
        {"squares_answer": "squares = list(range(10))"}, before=[PRESEED]),
        4, "graded", [M, P, P]),
    # Residual risk, documented: a patched capture may save another object the student
    # made (here a correct, untrained model in place of their wrong one). The replay
    # credits it, because that object passes; the student still had to build it.
    "capture_substituted": (student_notebook({"build_model": WRONG_MODEL}, before=[SUBSTITUTE]),
                            5, "graded", [P, P, P]),
}


def _snooping(paths: dict) -> nbformat.NotebookNode:
    code = SNOOP.format(secrets=json.dumps(paths), marker=MARKER)
    return student_notebook({"squares_answer": code + "\nsquares = np.arange(10) ** 2 if clean "
                                                      "else [0] * 10"})


def _survivors() -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if command[:2] == [b"sleep", MARKER.encode()]:
            found.append(pid)
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Grade every case in one batch; returns (out folder, submissions folder, process)."""
    root = tmp_path_factory.mktemp("batch")
    submissions, out = root / "submissions", root / "out"
    submissions.mkdir()
    secrets = {
        "read": [str(REPO / "source"), str(REPO / "gradebook.db"), str(out / "course"),
                 str(out / "course" / "gradebook.db"), str(submissions / "honest.ipynb"),
                 str(SOURCE), "/root/.keras", "../../../gradebook.db"],
        "write": [str(REPO), str(REPO / "cnnkit"), str(out), "/usr/local", "/opt/cnnkit-data",
                  str(root)],
    }
    for name, (content, *_) in CASES.items():
        content = _snooping(secrets) if name == "snooping" else content
        path = submissions / f"{name}.ipynb"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            nbformat.write(content, path)
    command = [sys.executable, "-m", "autograder", "batch", "00_fixture", str(submissions),
               "--out", str(out), "--workers", "2", "--source", str(SOURCE), *LIMITS]
    process = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=3600)
    print(process.stdout, process.stderr)
    return out, submissions, process, secrets


@pytest.mark.parametrize("case", sorted(CASES))
def test_case_gets_exactly_its_points(case, batch):
    out, *_ = batch
    _, score, status, statuses = CASES[case]
    result = json.loads((out / f"{case}.json").read_text())
    summary = [(t["id"], t["status"], t["message"]) for t in result["tests"]]
    assert (result["status"], result["score"], [t["status"] for t in result["tests"]]) == (
        status, score, statuses), summary
    assert result["max_score"] == 5
    assert all(t["message"] for t in result["tests"] if t["status"] != "passed"), summary
    assert result["manual"] == [{"id": "relu_answer", "max_points": 1.0,
                                 "status": "pending" if status != "rejected" else "missing"}]


def test_batch_finishes_with_a_result_for_everyone(batch):
    out, _, process, _ = batch
    assert process.returncode == 0, process.stderr[-3000:]
    assert f"[{len(CASES):>3}/{len(CASES)}]" in process.stdout and "ETA" in process.stdout
    with open(out / "grades.csv") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(CASES)
    for case, (_, score, status, _) in CASES.items():
        assert (rows[case]["status"], float(rows[case]["score"])) == (status, score)
    assert rows["honest"]["test_model"] == "2" and rows["wrong_model"]["test_model"] == "0"


def test_feedback_hides_hidden_tests(batch):
    out, *_ = batch
    hidden_code = ["default_rng(12345)", "count_params() == 23", "np.arange(10) ** 2), "]
    for case in CASES:
        text = (out / "feedback" / f"{case}.html").read_text()
        assert not [h for h in hidden_code if h in text], case
    assert "output truncated" in (out / "feedback" / "output_flood.html").read_text()
    tampered = (out / "feedback" / "patch_count_params.html").read_text()
    assert "CleanRoomCheck" in tampered and "the model has 37 parameters" in tampered


def test_nothing_escaped_the_sandbox(batch):
    out, _, _, secrets = batch
    assert _survivors() == []
    for folder in secrets["write"]:
        assert not list(Path(folder).glob(f"snooped-{MARKER}.txt")), folder
    snoop = json.loads((out / "snooping.json").read_text())
    assert snoop["isolation"]["sandbox"] == "bubblewrap"


def test_nbgrader_export_and_feedback_work_on_the_batch_course(batch, tmp_path):
    out, *_ = batch
    course = out / "course"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    process = subprocess.run(
        [sys.executable, "-m", "nbgrader", "export", f"--CourseDirectory.root={course}",
         f"--to={tmp_path / 'export.csv'}"], cwd=course, capture_output=True, text=True, env=env)
    assert process.returncode == 0, process.stderr
    with open(tmp_path / "export.csv") as handle:
        scores = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(handle)}
    for case, (_, score, status, _) in CASES.items():
        if status != "rejected":
            assert scores[case] == score, case


def test_rerun_resumes_and_force_regrades(batch):
    out, submissions, _, _ = batch
    command = [sys.executable, "-m", "autograder", "batch", "00_fixture", str(submissions),
               "--out", str(out), "--source", str(SOURCE), *LIMITS]
    process = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert process.returncode == 0
    assert f"{len(CASES)} already graded, 0 to grade" in process.stdout


def test_every_result_matches_the_schema(batch):
    from autograder.result import validate

    out, *_ = batch
    results = sorted(out.glob("*.json"))
    assert results
    for path in results:
        validate(json.loads(path.read_text()))
