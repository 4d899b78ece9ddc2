"""Grading across processes equals one batch: plan, index processes at once, merge; an
index killed with SIGKILL and rerun; a regrade after a threshold change.

All on the fixture assignment (tests/files/fixture_course), graded for real. Results
equal means equal but for the fields that measure time and the sandbox uid a grading was
lent (`VOLATILE`), and feedback but for cell ids and object addresses; grades.csv, the
nbgrader export and the feedback must be byte-identical.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tests.autograder.end_to_end.test_fixture_batch import (
    SOURCE,
    STUB,
    WRONG_MODEL,
    student_notebook,
)
from tests.autograder.test_provenance import raised_threshold
from tests.conftest import REPO

pytestmark = pytest.mark.slow

VOLATILE = {"seconds", "timings"}  # and isolation.user: the sandbox uid a grading was lent
LIMITS = ["--cell-timeout", "120", "--timeout", "300", "--memory", "2"]  # 3 processes, 2 cores
SUBMISSIONS = {
    "honest": student_notebook(),
    "wrong_model": student_notebook({"build_model": WRONG_MODEL}),
    "no_squares": student_notebook({"squares_answer": STUB}),
    "patch_numpy": student_notebook({"squares_answer": "squares = list(range(10))\n"
                                     "np.array_equal = lambda *args, **kwargs: True"}),
    "invalid_json": b'{"cells": [',
}


def autograder(*args, env=None, timeout=900) -> subprocess.CompletedProcess:
    process = subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=REPO,
                             capture_output=True, text=True, timeout=timeout, env=env)
    print(process.stdout, process.stderr)
    return process


def index_command(plan, subs, results, k, of=None) -> list[str]:
    shard = ["--of", str(of)] if of else []
    return [sys.executable, "-m", "autograder", "batch", "00_fixture", str(subs), "--plan",
            str(plan), "--index", str(k), *shard, "--out", str(results), "--source",
            str(SOURCE), *LIMITS]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One batch and a plan graded by three index processes started at once, merged."""
    root = tmp_path_factory.mktemp("plan")
    subs = root / "subs"
    subs.mkdir()
    for name, content in SUBMISSIONS.items():
        if isinstance(content, bytes):
            (subs / f"{name}.ipynb").write_bytes(content)
        else:
            nbformat.write(content, subs / f"{name}.ipynb")
    assert autograder("plan", "00_fixture", subs, "--out", root / "plan.json",
                      "--source", SOURCE).returncode == 0
    assert autograder("batch", "00_fixture", subs, "--out", root / "single", "--source", SOURCE,
                      "--workers", "2", *LIMITS).returncode == 0
    processes = [subprocess.Popen(index_command(root / "plan.json", subs, root / "results", k,
                                                of=3), cwd=REPO) for k in range(3)]
    assert [p.wait(timeout=900) for p in processes] == [0, 0, 0]
    merged = autograder("merge", root / "plan.json", root / "results", "--out", root / "final",
                        "--source", SOURCE)
    assert merged.returncode == 0
    return root


def same_outputs(one: Path, other: Path, students=SUBMISSIONS, volatile=VOLATILE) -> None:
    """`other` holds the same grades.csv, results, feedback and nbgrader export as `one`."""
    assert (other / "grades.csv").read_bytes() == (one / "grades.csv").read_bytes()
    for name in students:
        a, b = (json.loads((d / f"{name}.json").read_text()) for d in (one, other))
        for result in (a, b):
            result.get("isolation", {}).pop("user", None)
        assert {k: v for k, v in a.items() if k not in volatile} == \
               {k: v for k, v in b.items() if k not in volatile}, name
        assert feedback(one, name) == feedback(other, name), name
    # nbgrader orders the export by student name only (ours have none): compare the rows
    assert sorted(export(one / "course").splitlines()) == \
        sorted(export(other / "course").splitlines())


def feedback(out: Path, student: str) -> str:
    """The feedback page but for what differs between any two gradings: the random ids
    `submission.prepare` gives rebuilt cells, and object addresses in outputs (`<History at
    0x7f...>`)."""
    text = re.sub(r"cell-id=[0-9a-f-]+", "cell-id=X",
                  (out / "feedback" / f"{student}.html").read_text())
    return re.sub(r" at 0x[0-9a-f]+", " at 0xX", text)


def export(course: Path) -> str:
    """`nbgrader export` of a course, as text."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    target = course.parent / f"export-{course.parent.name}.csv"
    subprocess.run([sys.executable, "-m", "nbgrader", "export",
                    f"--CourseDirectory.root={course}", f"--to={target}"], cwd=course,
                   check=True, capture_output=True, env=env)
    return target.read_text()


def test_index_processes_then_merge_equal_one_batch(graded):
    same_outputs(graded / "single", graded / "final")
    with open(graded / "final" / "grades.csv") as handle:
        rows = {r["student"]: (r["status"], r["score"]) for r in csv.DictReader(handle)}
    assert rows == {"honest": ("graded", "5"), "wrong_model": ("graded", "3"),
                    "no_squares": ("graded", "4"), "patch_numpy": ("graded", "4"),
                    "invalid_json": ("rejected", "0")}
    assert "honest" in export(graded / "final" / "course")


def test_merge_refuses_an_incomplete_or_repeated_set(graded, tmp_path):
    partial = tmp_path / "partial"
    shutil.copytree(graded / "results", partial)
    (partial / "honest.json").unlink()
    refused = autograder("merge", graded / "plan.json", partial, "--out", tmp_path / "f1",
                         "--source", SOURCE)
    assert refused.returncode == 1
    assert "honest: no result; rerun plan entry 0" in refused.stderr
    twice = autograder("merge", graded / "plan.json", graded / "results", graded / "results",
                       "--out", tmp_path / "f2", "--source", SOURCE)
    assert twice.returncode == 1 and "cannot merge 5 problem(s)" in twice.stderr
    assert not (tmp_path / "f1").exists() and not (tmp_path / "f2").exists()


def _kill_leftovers(marker: str) -> None:
    """SIGKILL what a killed index process left running (nbgrader runs in its own session)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(int(pid), signal.SIGKILL)
        except OSError:
            pass


def test_an_index_killed_mid_grading_and_rerun_loses_and_repeats_nothing(graded, tmp_path):
    results, private = tmp_path / "results", tmp_path / "private"
    private.mkdir()
    env = {**os.environ, "TMPDIR": str(private)}  # where the index makes its private course
    command = index_command(graded / "plan.json", graded / "subs", results, 0, of=2)
    process = subprocess.Popen(command, cwd=REPO, env=env, start_new_session=True)
    deadline = time.monotonic() + 600
    while not list(results.glob("*.json")) and time.monotonic() < deadline:
        assert process.poll() is None, "the index finished before it could be killed"
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    _kill_leftovers(str(private))
    done = sorted(p.stem for p in results.glob("*.json"))
    assert 1 <= len(done) < 3, done  # index 0 of 2 grades entries 0, 2 and 4
    rerun = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=900,
                           env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(done)} already graded, {3 - len(done)} to grade" in rerun.stdout
    other = subprocess.run(index_command(graded / "plan.json", graded / "subs", results, 1, of=2),
                           cwd=REPO, timeout=900)
    assert other.returncode == 0
    assert sorted(p.stem for p in results.glob("*.json")) == sorted(SUBMISSIONS)
    assert autograder("merge", graded / "plan.json", results, "--out", tmp_path / "final",
                      "--source", SOURCE).returncode == 0
    same_outputs(graded / "single", tmp_path / "final")


def test_a_threshold_change_is_listed_by_a_dry_run_then_regraded(graded, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded / "single", out)
    changed = raised_threshold(tmp_path, to="1.01")  # no model reaches it: test_trained fails
    before = {p.name: p.read_bytes() for p in out.glob("*.json")}
    dry = autograder("regrade", "00_fixture", graded / "subs", "--out", out, "--source", changed,
                     "--dry-run", *LIMITS)
    assert dry.returncode == 0
    assert "5 stale result(s)" in dry.stdout and "dry run: nothing was graded" in dry.stdout
    honest = next(line for line in dry.stdout.splitlines() if line.startswith("honest "))
    assert "tests changed: test_trained [now: test_trained 2/2]" in honest
    assert {p.name: p.read_bytes() for p in out.glob("*.json")} == before
    regraded = autograder("regrade", "00_fixture", graded / "subs", "--out", out,
                          "--source", changed, "--workers", "2", *LIMITS)
    assert regraded.returncode == 0
    assert "replaced 5 result(s)" in regraded.stdout
    assert "honest               5 -> 3/5 graded" in regraded.stdout
    assert "invalid_json         0 -> 0/5 rejected" in regraded.stdout
    previous = json.loads((out / "previous" / "honest.json").read_text())
    now = json.loads((out / "honest.json").read_text())
    assert previous == json.loads(before["honest.json"])
    assert now["provenance"]["source"] != previous["provenance"]["source"]
    again = autograder("batch", "00_fixture", graded / "subs", "--out", out, "--source", changed,
                       *LIMITS)
    assert "5 already graded, 0 to grade" in again.stdout
    with open(out / "grades.csv") as handle:
        rows = {r["student"]: r for r in csv.DictReader(handle)}
    assert (rows["honest"]["score"], rows["honest"]["test_trained"]) == ("3", "0")
    exported = {r["student_id"]: r for r in csv.DictReader(export(out / "course").splitlines())}
    assert float(exported["honest"]["raw_score"]) == 3
