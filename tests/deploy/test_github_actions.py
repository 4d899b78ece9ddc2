"""deploy/github/grade-classroom.yml: its jobs pass the plan, the matrix index and the results
along (tests/autograder/test_workflows.py runs actionlint on it)."""

from __future__ import annotations

import yaml

from tests.conftest import REPO

WORKFLOW = REPO / "deploy" / "github" / "grade-classroom.yml"
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
