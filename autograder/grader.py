"""Grade one submission: nbgrader's autograde in a sandbox, then the clean-room replay.

    course = Course(root, source_dir, "01_simple_cnn")   # a scratch nbgrader course
    course.setup()
    result = grade(course, "alice", Path("alice.ipynb"), Options())

The result is a plain dict (the JSON of `python -m autograder grade`, see
`autograder.report`). Student input never makes this raise: a bad notebook is
`rejected`, a hung one `timeout`, a dead kernel `crashed`. `GraderError` means the
grader itself failed (nbgrader or the sandbox), never the student.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from autograder import feedback
from autograder.hidden import Assignment, assignments, hidden_lines, load_assignment
from autograder.replay import GraderError, Replay
from autograder.sandbox import KERNEL_NAME, Limits, Sandbox, data_dir, missing_datasets
from autograder.submission import Rejected, prepare
from cnnkit.paths import CAPTURE_ENV

REPO = Path(__file__).resolve().parent.parent
COURSE_ID = "cnnkit"
AUTOGRADE_STEPS = [
    "autograder.execute.GuardedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]


@dataclass
class Options:
    """How to grade: time, memory and output limits."""

    timeout: int = 3600  # seconds for the whole notebook
    cell_timeout: int = 900
    memory_gib: float = 6.0
    processes: int = 512
    file_size_mib: int = 2048
    output_limit: int = 200_000  # characters per cell
    replay_timeout: int = 600

    def limits(self) -> Limits:
        return Limits(memory_gib=self.memory_gib, processes=self.processes,
                      file_size_mib=self.file_size_mib)


def tool_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for nbgrader subprocesses: the venv's bin on PATH (nbgrader runs alembic)."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "TF_CPP_MIN_LOG_LEVEL": "3",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO),
                                                       os.environ.get("PYTHONPATH")]))}
    env.update(extra or {})
    return env


def cache_dir() -> Path:
    """Where generated assignments are cached ($CNNKIT_AUTOGRADER_CACHE or ~/.cache)."""
    configured = os.environ.get("CNNKIT_AUTOGRADER_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cnnkit-autograder"


def nbgrader_version() -> str:
    import nbgrader

    return nbgrader.__version__


class Course:
    """An nbgrader course directory holding one assignment, made from a `source/` folder."""

    def __init__(self, root: Path, source_dir: Path, assignment: str):
        self.root = Path(root).resolve()
        self.source_dir = Path(source_dir).resolve()
        names = assignments(self.source_dir)
        if assignment not in names:
            raise ValueError(f"unknown assignment {assignment!r}; choose one of {names}")
        self.assignment = load_assignment(self.source_dir, assignment)
        self.others = [load_assignment(self.source_dir, n) for n in names if n != assignment]
        self.db_url = f"sqlite:///{self.root / 'gradebook.db'}"

    @property
    def notebook_name(self) -> str:
        return self.assignment.notebook.name

    def nbgrader(self, *args: str, env=None, timeout=None, log: Path | None = None):
        command = [sys.executable, "-m", "nbgrader", *args,
                   f"--CourseDirectory.root={self.root}",
                   f"--CourseDirectory.db_url={self.db_url}"]
        output = open(log, "w") if log else subprocess.PIPE
        try:
            process = subprocess.Popen(command, cwd=self.root, env=env or tool_env(),
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


# --- one submission ---------------------------------------------------------------------


def _base_result(course: Course, student: str, notebook: Path) -> dict:
    return {
        "assignment": course.assignment.name,
        "student": student,
        "notebook": str(notebook),
        "status": "graded",
        "message": "",
        "score": 0.0,
        "max_score": sum(t.points for t in course.assignment.autograded),
        "seconds": 0.0,
        "tests": [],
        "manual": [],
        "isolation": {},
    }


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def rejected(course: Course, student: str, notebook: Path, reason: str) -> dict:
    """The result of a submission that cannot be graded as this assignment."""
    result = _base_result(course, student, notebook)
    result.update(status="rejected", message=reason, sha256=_sha256(notebook))
    result["tests"] = [
        {"id": t.id, "points": 0.0, "max_points": t.points, "status": "missing",
         "message": "not graded: the submission was rejected"}
        for t in course.assignment.autograded
    ]
    result["manual"] = [{"id": t.id, "max_points": t.points, "status": "missing"}
                        for t in course.assignment.manual]
    return result


def grade(course: Course, student: str, notebook: Path, options: Options,
          hide: list[Path] = ()) -> dict:
    """Grade `notebook` as `student`'s submission; the result dict (see module docstring)."""
    started = time.monotonic()
    notebook = Path(notebook)
    try:
        clean, missing = prepare(notebook, course.assignment, [course.assignment, *course.others])
    except Rejected as reason:
        result = rejected(course, student, notebook, str(reason))
        result["seconds"] = round(time.monotonic() - started, 2)
        return result
    missing_data = missing_datasets(course.assignment.notebook.read_text())
    if missing_data:
        raise GraderError(f"the dataset cache {data_dir()} lacks {', '.join(missing_data)} "
                          "(the sandbox cannot download): run `make data`")
    hide = [course.root, course.source_dir, REPO / "source", notebook.parent, *hide]
    sandbox = Sandbox(options.limits(), hide=hide)
    try:
        result = _grade_in(course, student, notebook, clean, missing, options, sandbox)
    finally:
        sandbox.close()
    result["sha256"] = _sha256(notebook)
    result["seconds"] = round(time.monotonic() - started, 2)
    return result


def _autograde(course: Course, student: str, options: Options, sandbox: Sandbox) -> dict:
    """Run nbgrader autograde for `student` with the student's kernel in `sandbox`."""
    jupyter_path = sandbox.kernelspec()
    config_dir = sandbox.work / "config"
    config_dir.mkdir()
    (config_dir / "nbgrader_config.json").write_text(json.dumps({
        "Autograde": {"autograde_preprocessors": AUTOGRADE_STEPS},
        "GuardedExecute": {
            "kernel_name": KERNEL_NAME, "timeout": options.cell_timeout,
            "notebook_timeout": options.timeout, "output_limit": options.output_limit,
            "sandbox_work": str(sandbox.work), "startup_timeout": 120,
            "shutdown_kernel": "immediate",
            "iopub_timeout": 15, "raise_on_iopub_timeout": False,
        },
        "KernelManager": {"transport": "ipc",
                          "connection_file": str(sandbox.runtime / "kernel.json")},
    }))
    env = tool_env({"JUPYTER_PATH": str(jupyter_path), "JUPYTER_CONFIG_DIR": str(config_dir),
                    "JUPYTER_RUNTIME_DIR": str(sandbox.runtime)})
    env.pop(CAPTURE_ENV, None)
    log = sandbox.work / "nbgrader.log"
    outer = options.timeout + options.cell_timeout + 300
    try:
        code, text = course.nbgrader("autograde", course.assignment.name, "--force",
                                     f"--student={student}", env=env, timeout=outer, log=log)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "message": f"grading did not finish in {outer} s",
                "cell": None}
    finally:
        if sandbox.cgroups:
            sandbox.cgroups.kill()
    try:
        run = json.loads((sandbox.work / "run.json").read_text())
    except (OSError, ValueError):
        run = None
    if code != 0 or run is None or not course.autograded(student).exists():
        raise GraderError(f"nbgrader autograde failed for {student}:\n{text[-4000:]}")
    return run


def _place(course: Course, student: str, clean, sandbox: Sandbox) -> None:
    """Put the rebuilt notebook where nbgrader expects it, and a copy in the sandbox home."""
    submitted = course.submitted(student)
    shutil.rmtree(submitted.parent, ignore_errors=True)
    submitted.parent.mkdir(parents=True)
    nbformat.write(clean, submitted)
    home_copy = sandbox.home / course.notebook_name
    nbformat.write(clean, home_copy)
    extras = [p for p in course.release_dir().iterdir() if p.suffix != ".ipynb"] \
        if course.release_dir().is_dir() else []
    for path in extras:
        (shutil.copytree if path.is_dir() else shutil.copy)(path, sandbox.home / path.name)
    if sandbox.owner:
        for path in [home_copy, *sandbox.home.rglob("*")]:
            os.chown(path, *sandbox.owner, follow_symlinks=False)


def _grades(course: Course, student: str) -> dict[str, float | None]:
    with Gradebook(course.db_url, course_id=COURSE_ID) as gradebook:
        submission = gradebook.find_submission(course.assignment.name, student)
        return {g.name: g.auto_score for nb in submission.notebooks for g in nb.grades}


def _kernel_outcome(cell) -> tuple[str, str] | None:
    """(status, message) of a grade cell that did not pass in the student's kernel."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
            if ename == "NotRun":
                return "not run", evalue
            if ename in ("Timeout", "KernelDied"):
                return ("timeout" if ename == "Timeout" else "error"), evalue
            return ("failed" if ename == "AssertionError" else "error"), f"{ename}: {evalue}"
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            first = output.get("text", "").strip().splitlines()[:1]
            return "failed", "the test wrote to stderr (nbgrader scores that 0): " + "".join(
                first)[:300]
    return None


def _grade_in(course, student, notebook, clean, missing, options, sandbox) -> dict:
    assignment: Assignment = course.assignment
    result = _base_result(course, student, notebook)
    result["isolation"] = sandbox.isolation()
    _place(course, student, clean, sandbox)
    mark = time.monotonic()
    clean_room = Replay(sandbox, options.replay_timeout)
    try:
        run = _autograde(course, student, options, sandbox)
    except BaseException:
        clean_room.stop()
        raise
    result["timings"] = {"notebook": run.get("seconds"),
                         "autograde": round(time.monotonic() - mark, 2)}
    if run.get("status") in ("timeout", "crashed"):
        result.update(status=run["status"], message=run.get("message", ""))
    if run.get("cell") is None and run.get("status") == "timeout":
        # nbgrader itself never finished: nothing it wrote can be trusted.
        clean_room.stop()
        result["tests"] = [{"id": t.id, "points": 0.0, "max_points": t.points,
                            "status": "timeout", "message": run["message"]}
                           for t in assignment.autograded]
        return result
    graded = nbformat.read(course.autograded(student), as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in graded.cells
             if c.metadata.get("nbgrader", {}).get("grade")}
    scores = _grades(course, student)
    outcomes, to_replay = {}, []
    for test in assignment.autograded:
        if test.id in missing or test.id not in cells:
            outcomes[test.id] = ("missing", "this test cell is not in the notebook (deleted, or "
                                 "its nbgrader metadata removed): it cannot be graded")
            continue
        outcome = _kernel_outcome(cells[test.id])
        if outcome and outcome[0] == "not run":
            status = "timeout" if result["status"] == "timeout" else "error"
            outcome = (status, outcome[1])
        if outcome is None and (scores.get(test.id) or 0) < test.points:
            outcome = ("failed", f"nbgrader gave {scores.get(test.id) or 0:g} of {test.points:g}")
        if outcome is None and test.problem is None:
            to_replay.append(test)
        outcomes[test.id] = outcome
    mark = time.monotonic()
    clean_room = clean_room.run(to_replay)
    result["timings"]["replay"] = round(time.monotonic() - mark, 2)
    leaks = hidden_lines(assignment)
    for test in assignment.autograded:
        outcome, points = outcomes[test.id], 0.0
        if outcome is None:
            room = clean_room.get(test.id)
            if room is None:  # a test the contract does not let us replay
                outcome = ("passed", f"not verified in a clean kernel: {test.problem}")
            elif room["status"] == "passed":
                outcome = ("passed", "")
            elif room["status"] == "missing":
                outcome = ("missing", "passed in your kernel, but the clean-room check found "
                           f"{room['message']} (was cnnkit.grading.capture changed or bypassed?)")
            elif room["status"] == "failed":
                outcome = ("tampered", "passed in your kernel but failed the clean-room check "
                           f"on the same objects: {room['message']}")
            else:
                outcome = ("error", f"the clean-room check could not run: {room['message']}")
            if outcome[0] == "passed":
                points = float(scores.get(test.id) or 0.0)
        result["tests"].append({
            "id": test.id, "points": points, "max_points": test.points, "status": outcome[0],
            "message": feedback.scrub(outcome[1], leaks)})
    result["score"] = sum(t["points"] for t in result["tests"])
    present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in graded.cells}
    result["manual"] = [{"id": t.id, "max_points": t.points,
                         "status": "pending" if t.id in present else "missing"}
                        for t in assignment.manual]
    _record(course, student, graded, result, scores, leaks)
    return result


def _record(course, student, graded, result, scores, leaks) -> None:
    """Make nbgrader's gradebook and autograded notebook agree with the final result."""
    by_id = {t["id"]: t for t in result["tests"]}
    with Gradebook(course.db_url, course_id=COURSE_ID) as gradebook:
        submission = gradebook.find_submission(course.assignment.name, student)
        for nb in submission.notebooks:
            for grade in nb.grades:
                test = by_id.get(grade.name)
                if test is not None and grade.auto_score is not None \
                        and grade.auto_score != test["points"]:
                    grade.auto_score = test["points"]
        gradebook.db.commit()
    for cell in graded.cells:
        test = by_id.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
        if test and test["status"] in ("tampered", "missing", "error") and not any(
                o.get("output_type") == "error" for o in cell.get("outputs", [])):
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename="CleanRoomCheck", evalue=test["message"],
                traceback=[f"CleanRoomCheck: {test['message']}"]))
    feedback.scrub_notebook(graded, leaks)
    nbformat.write(graded, course.autograded(student))
