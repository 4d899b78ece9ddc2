"""The one nbgrader wrapper: an nbgrader course directory, and nbgrader run inside it.

    course = Course(root, source_dir, "01_simple_cnn")   # a scratch course of one assignment
    course.setup()                                        # generate it (or reuse the cache)
    course.nbgrader("autograde", "01_simple_cnn", "--student=alice")

nbgrader does the work; this module lays out the folders it expects, runs it as a
subprocess (so that its imports stay out of the grader's process), caches generated
assignments, and reads per-test scores from its gradebook. The module-level helpers
(`nbgrader`, `make_course`, `submit`, `autograde`) serve tests and benchmarks that
drive nbgrader directly.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from autograder import REPO
from autograder.errors import GraderError
from autograder.hidden import assignments as assignments_in
from autograder.hidden import load_assignment

COURSE_ID = "cnnkit"


def tool_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for nbgrader subprocesses: the venv's bin on PATH (nbgrader runs alembic)."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "TF_CPP_MIN_LOG_LEVEL": "3",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO),
                                                       os.environ.get("PYTHONPATH")]))}
    env.update(extra or {})
    return env


def run_nbgrader(root: Path, *args: str, env=None, timeout=None,
                 log: Path | None = None) -> tuple[int, str]:
    """`nbgrader ARGS` with `root` as course directory: (exit status, its output).

    The output goes to `log` when given. On a timeout the whole process group is killed
    and `subprocess.TimeoutExpired` raised.
    """
    command = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={root}",
               f"--CourseDirectory.db_url=sqlite:///{Path(root) / 'gradebook.db'}"]
    output = open(log, "w") if log else subprocess.PIPE
    try:
        process = subprocess.Popen(command, cwd=root, env=env or tool_env(),
                                   stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True, text=True)
        try:
            out, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
    finally:
        if log:
            output.close()
    return process.returncode, out or (log.read_text(errors="replace") if log else "")


def preload_gradebook() -> None:
    """Import nbgrader's gradebook API in a background thread (about a second of imports),
    so that reading the scores after `nbgrader autograde` does not wait for it."""
    threading.Thread(target=importlib.import_module, args=("nbgrader.api",),
                     daemon=True).start()


def cache_dir() -> Path:
    """Where generated assignments are cached ($CNNKIT_AUTOGRADER_CACHE or ~/.cache)."""
    configured = os.environ.get("CNNKIT_AUTOGRADER_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cnnkit-autograder"


def nbgrader_version() -> str:
    """nbgrader's version, read from its metadata (importing nbgrader takes a second)."""
    from importlib.metadata import version

    return version("nbgrader")


class Course:
    """An nbgrader course directory holding one assignment, made from a `source/` folder."""

    def __init__(self, root: Path, source_dir: Path, assignment: str):
        self.root = Path(root).resolve()
        self.source_dir = Path(source_dir).resolve()
        names = assignments_in(self.source_dir)
        if assignment not in names:
            raise ValueError(f"unknown assignment {assignment!r}; choose one of {names}")
        self.assignment = load_assignment(self.source_dir, assignment)
        self.others = [load_assignment(self.source_dir, n) for n in names if n != assignment]
        self.db_url = f"sqlite:///{self.root / 'gradebook.db'}"

    @property
    def notebook_name(self) -> str:
        return self.assignment.notebook.name

    def nbgrader(self, *args: str, env=None, timeout=None, log: Path | None = None):
        return run_nbgrader(self.root, *args, env=env, timeout=timeout, log=log)

    def setup(self) -> None:
        """Copy the assignment in and generate it, unless the course already has this version.

        A new course reuses a cached generation (gradebook and release) of the same
        assignment, nbgrader configuration and nbgrader version when there is one.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(self.assignment.notebook.read_bytes()
                                + (REPO / "nbgrader_config.py").read_bytes()
                                + nbgrader_version().encode()).hexdigest()
        stamp = self.root / f".{self.assignment.name}.sha256"
        gradebook = self.root / "gradebook.db"
        if stamp.exists() and stamp.read_text() == digest and gradebook.exists():
            return
        config = self.root / "nbgrader_config.py"
        if not (config.exists() and config.samefile(REPO / "nbgrader_config.py")):
            shutil.copy(REPO / "nbgrader_config.py", config)
        target = self.root / "source" / self.assignment.name
        if target.resolve() != self.assignment.folder.resolve():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(self.assignment.folder, target)
        cache = cache_dir() / f"{self.assignment.name}-{digest[:16]}"
        if not gradebook.exists() and (cache / "gradebook.db").exists():
            try:
                shutil.rmtree(self.release_dir(), ignore_errors=True)
                shutil.copytree(cache / "release", self.release_dir())
                shutil.copy(cache / "gradebook.db", gradebook)
                stamp.write_text(digest)
                return
            except OSError:
                gradebook.unlink(missing_ok=True)  # a cache being replaced: generate instead
        fresh = not gradebook.exists()
        code, log = self.nbgrader("generate_assignment", self.assignment.name, "--force",
                                  "--CourseDirectory.release_directory=.release", timeout=600)
        if code != 0:
            raise GraderError(f"nbgrader generate_assignment failed:\n{log[-3000:]}")
        stamp.write_text(digest)
        if fresh and not cache.exists():
            partial = cache.with_name(cache.name + f".{os.getpid()}")
            try:
                partial.mkdir(parents=True)
                shutil.copy(gradebook, partial / "gradebook.db")
                shutil.copytree(self.release_dir(), partial / "release")
                os.rename(partial, cache)
            except OSError:
                pass  # the cache only saves time (another grader may have just made it)
            finally:
                shutil.rmtree(partial, ignore_errors=True)

    def release_dir(self) -> Path:
        return self.root / ".release" / self.assignment.name

    def submitted(self, student: str) -> Path:
        return self.root / "submitted" / student / self.assignment.name / self.notebook_name

    def autograded(self, student: str) -> Path:
        return self.root / "autograded" / student / self.assignment.name / self.notebook_name

    def auto_scores(self, student: str) -> dict[str, float | None]:
        """{grade id: nbgrader's auto score} of `student`'s submission, from the gradebook."""
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url, course_id=COURSE_ID) as gradebook:
            submission = gradebook.find_submission(self.assignment.name, student)
            return {g.name: g.auto_score for nb in submission.notebooks for g in nb.grades}

    def record_scores(self, student: str, points: dict[str, float]) -> None:
        """Set the gradebook's auto scores of `student` to `points` {grade id: points}."""
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url, course_id=COURSE_ID) as gradebook:
            submission = gradebook.find_submission(self.assignment.name, student)
            for nb in submission.notebooks:
                for grade in nb.grades:
                    score = points.get(grade.name)
                    if score is not None and grade.auto_score is not None \
                            and grade.auto_score != score:
                        grade.auto_score = score
            gradebook.db.commit()


# --- nbgrader driven directly (tests and benchmarks) --------------------------------------


def nbgrader(course: Path, *args: str, timeout: float | None = None) -> tuple[int, str]:
    """Run `nbgrader ARGS` with `course` as the course directory; raise with its log on failure."""
    code, log = run_nbgrader(Path(course), *args, timeout=timeout)
    if code != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{log}")
    return code, log


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
