"""A scratch nbgrader course directory: release, submit, autograde; per-test scores.

nbgrader does the work; this module only lays out the folders it expects, and turns
an autograder result into per-test scores.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COURSE_ID = "cnnkit"


@dataclass
class TestScore:
    """One autograded test cell of one submission."""

    id: str
    points: float
    max_points: float
    needs_manual_grade: bool
    manual: bool


def nbgrader(course: Path, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run `nbgrader ARGS` with `course` as the course directory; raise with its log on failure."""
    command = [
        sys.executable, "-m", "nbgrader", *args,
        f"--CourseDirectory.root={course}",
        f"--CourseDirectory.db_url=sqlite:///{course / 'gradebook.db'}",
    ]
    result = subprocess.run(
        command, cwd=course, capture_output=True, text=True, timeout=timeout,
        env={
            **os.environ,
            "PYTHONWARNINGS": "ignore",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            # nbgrader runs the `alembic` command when it creates a gradebook.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        },
    )
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def assignments() -> list[str]:
    """The assignments of the kit: the folders of `source/`."""
    return sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir())


def make_course(course: Path, assignment: str) -> Path:
    """Create a scratch course at `course` with `assignment` released into its gradebook."""
    if assignment not in assignments():
        raise ValueError(f"unknown assignment {assignment!r}; choose one of {assignments()}")
    course.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    target = course / "source" / assignment
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(REPO / "source" / assignment, target)
    nbgrader(course, "generate_assignment", assignment, "--force")
    return course


def submit(course: Path, assignment: str, student: str, notebook: Path) -> Path:
    """Place `notebook` as `student`'s submission, named like the assignment's notebook."""
    names = sorted(p.name for p in (course / "source" / assignment).glob("*.ipynb"))
    folder = course / "submitted" / student / assignment
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    destination = folder / names[0]
    shutil.copy(notebook, destination)
    return destination


def autograde(course: Path, assignment: str, student: str | None = None) -> None:
    """Run `nbgrader autograde` for one student, or for all when `student` is None."""
    extra = [f"--student={student}"] if student else []
    nbgrader(course, "autograde", assignment, "--force", *extra)


def scores_of(result: dict) -> list[TestScore]:
    """Per-test scores of an autograder result (`autograder.grader.grade`), tests then answers."""
    autograded = [TestScore(id=t["id"], points=float(t["points"]),
                            max_points=float(t["max_points"]), needs_manual_grade=False,
                            manual=False) for t in result["tests"]]
    manual = [TestScore(id=m["id"], points=0.0, max_points=float(m["max_points"]),
                        needs_manual_grade=True, manual=True) for m in result["manual"]]
    return autograded + manual
