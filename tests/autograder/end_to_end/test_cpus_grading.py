"""`grade --cpus 1` end to end: the fixture's reference is graded as without the limit, and
the result says what bounded its CPU (thread counts, its own CPU, the cgroup quota)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from autograder import sandbox
from autograder.sandbox.cgroups import ROOT
from tests.conftest import FILES, REPO

SOURCE = FILES / "fixture_course" / "source"


@pytest.mark.slow
@pytest.mark.skipif(sandbox.bwrap_problem() is not None,
                    reason=f"no bubblewrap: {sandbox.bwrap_problem()}")
def test_grade_with_one_cpu(tmp_path):
    out = tmp_path / "result.json"
    env = {**os.environ, "CNNKIT_CPU_CLAIMS": str(tmp_path / "claims")}
    command = [sys.executable, "-m", "autograder", "grade", "00_fixture",
               str(SOURCE / "00_fixture" / "fixture.ipynb"), "--source", str(SOURCE),
               "--json", str(out), "--cpus", "1", "--timeout", "120", "--memory", "2"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300,
                          env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(out.read_text())
    assert result["score"] == result["max_score"] == 5
    isolation = result["isolation"]
    assert isolation["cpus"] == 1
    assert isolation["cpu_limit_by"].startswith("thread counts, CPUs ")
    if os.geteuid() == 0 and (ROOT / "cpu").is_dir():
        assert "cgroup v1 cpu quota, cpuset" in isolation["cpu_limit_by"]
    assert "1 CPUs (thread counts" in done.stdout
