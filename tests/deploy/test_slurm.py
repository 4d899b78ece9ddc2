"""deploy/slurm on a real single-node Slurm cluster: the array job grades the fixture
submissions one index per task (`--cpus` from `--cpus-per-task`), the dependent merge job
merges them, and the outcome equals one `batch` of the same submissions.

Needs root and Debian's slurm-wlm and munge (`sudo make system`); skipped otherwise, saying
which. The daemons run from a temporary folder and are stopped even when the test fails.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import nbformat
import pytest

from autograder import sandbox
from tests.autograder.end_to_end.test_fixture_batch import CASES, LIMITS, SOURCE
from tests.autograder.end_to_end.test_plan_merge import same_outputs
from tests.conftest import REPO
from tests.deploy.slurm_cluster import SlurmCluster, why_not

STUDENTS = ("honest", "untouched", "wrong_model", "fake_predict")
VOLATILE = ("seconds", "timings", "isolation")  # wall-clock times; which CPUs it ran on

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(why_not() is not None, reason=f"no Slurm here: {why_not()}"),
    pytest.mark.skipif(sandbox.bwrap_problem() is not None,
                       reason=f"the fixture cases expect bubblewrap: {sandbox.bwrap_problem()}"),
]


@pytest.fixture
def cluster(tmp_path):
    slurm = SlurmCluster(tmp_path / "slurm")
    try:
        slurm.start()
        yield slurm
    finally:
        slurm.stop()


def _results(folder):
    found = {}
    for student in STUDENTS:
        result = json.loads((folder / f"{student}.json").read_text())
        found[student] = {k: v for k, v in result.items() if k not in VOLATILE}
    return found


def test_array_job_then_merge_equals_one_batch(cluster, tmp_path):
    submissions, work, single = tmp_path / "submissions", tmp_path / "work", tmp_path / "single"
    submissions.mkdir()
    for student in STUDENTS:
        nbformat.write(CASES[student][0], submissions / f"{student}.ipynb")
    env = {**cluster.env, "SOURCE": str(SOURCE), "GRADE_OPTIONS": " ".join(LIMITS)}
    submitted = subprocess.run(
        ["bash", str(REPO / "deploy" / "slurm" / "submit.sh"), "00_fixture", str(submissions),
         str(work), "--cpus-per-task=1", "--mem=3G", "--time=10"],
        env=env, capture_output=True, text=True, timeout=120)
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    grade_job, merge_job = re.search(r"grading: job (\d+) .*; merge: job (\d+)",
                                     submitted.stdout).groups()
    merged = cluster.wait(merge_job, timeout=600)
    logs = "\n".join(p.read_text() for p in sorted((work / "logs").glob("*.out")))
    assert "JobState=COMPLETED" in merged, merged + logs
    grades = cluster.run("scontrol", "show", "job", grade_job, check=False)
    assert grades.count("JobState=COMPLETED") == len(STUDENTS), grades
    assert len(json.loads((work / "plan.json").read_text())["submissions"]) == len(STUDENTS)
    assert all(json.loads((work / "results" / f"{s}.json").read_text())["isolation"]["cpus"]
               == 1 for s in STUDENTS)

    batch = subprocess.run(
        [sys.executable, "-m", "autograder", "batch", "00_fixture", str(submissions),
         "--out", str(single), "--source", str(SOURCE), "--workers", "2", *LIMITS],
        cwd=REPO, capture_output=True, text=True, timeout=900, env=os.environ)
    assert batch.returncode == 0, batch.stdout + batch.stderr
    final = work / "final"
    same_outputs(single, final, STUDENTS, VOLATILE)
    assert {s: r["score"] for s, r in _results(final).items()} == {
        s: CASES[s][1] for s in STUDENTS}
