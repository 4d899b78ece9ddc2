"""deploy/github/grade-classroom.yml: actionlint finds nothing (shellcheck included where
installed), and its jobs pass the plan, the matrix index and the results along."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

WORKFLOW = REPO / "deploy" / "github" / "grade-classroom.yml"
ACTIONLINT = shutil.which("actionlint") or shutil.which("actionlint",
                                                        path=str(Path(sys.executable).parent))


@pytest.mark.skipif(ACTIONLINT is None, reason="actionlint is missing: `make venv` installs it")
def test_actionlint_accepts_the_workflow():
    done = subprocess.run([ACTIONLINT, "-no-color", str(WORKFLOW)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_would_catch_a_broken_workflow(tmp_path):
    if ACTIONLINT is None:
        pytest.skip("actionlint is missing: `make venv` installs it")
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("needs.collect.outputs.indexes",
                                                   "needs.collect.outputs.indexs", 1))
    done = subprocess.run([ACTIONLINT, "-no-color", str(broken)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1 and "indexs" in done.stdout


def test_jobs_collect_then_grade_a_matrix_then_merge():
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    assert list(jobs) == ["collect", "grade", "merge"]
    collect = "\n".join(s.get("run", "") for s in jobs["collect"]["steps"])
    assert "gh api --paginate" in collect and "python -m autograder plan" in collect
    assert "secrets.CLASSROOM_TOKEN" not in yaml.safe_dump(jobs["grade"])  # student code runs
    grade = jobs["grade"]
    assert grade["strategy"]["matrix"]["index"] == "${{ fromJSON(needs.collect.outputs.indexes) }}"
    assert grade["strategy"]["fail-fast"] is False
    run = next(s["run"] for s in grade["steps"] if "autograder batch" in s.get("run", ""))
    assert '--index "$INDEX"' in run and '--plan plan.json' in run and "--cpus" in run
    upload = next(s for s in grade["steps"] if s.get("uses", "").startswith(
        "actions/upload-artifact"))
    assert upload["with"]["include-hidden-files"] is True  # results/.nbgrader
    merge = jobs["merge"]
    assert merge["needs"] == ["collect", "grade"] and merge["if"].startswith("always()")
    assert any("autograder merge plan.json results/results-*" in s.get("run", "")
               for s in merge["steps"])
