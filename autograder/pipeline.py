"""Grade one submission: prepare -> autograde -> outcomes -> replay -> merge -> record.

    course = Course(root, source_dir, "01_simple_cnn")   # a scratch nbgrader course
    course.setup()
    result = grade(course, "alice", Path("alice.ipynb"), Options())

1. prepare: rebuild the notebook from the instructor's cells (`submission.prepare`), or
   reject it; place it where nbgrader and the sandboxed kernel expect it.
2. autograde: nbgrader's autograde, with the student's kernel in a `Sandbox`; the
   clean-room `Replay` starts meanwhile, so its imports overlap the notebook's run.
3. outcomes: each test's status in the student's kernel (nbgrader's score and errors).
4. replay: the hidden tests that passed there run again in the clean room.
5. merge: a test earns its points only when both agree.
6. record: nbgrader's gradebook and autograded notebook are made to agree with the result.

The result is a `Result`'s JSON, a plain dict (`autograder.result`). Student input
never makes this raise: a bad notebook is `rejected`, a hung one `timeout`, a dead
kernel `crashed`.
`GraderError` means the grader itself failed (nbgrader or the sandbox), never the student.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import nbformat

from autograder import REPO, provenance
from autograder.course import Course, tool_env
from autograder.errors import GraderError
from autograder.hidden import hidden_lines
from autograder.options import Options
from autograder.outcomes import kernel_outcomes, merge
from autograder.replay import Replay
from autograder.result import ManualResult, Result, TestResult, new_result, rejected, sha256
from autograder.sandbox import KERNEL_NAME, Sandbox, missing_datasets
from autograder.scrub import scrub, scrub_notebook
from autograder.submission import Rejected, prepare
from cnnkit.paths import CAPTURE_ENV, data_dir

AUTOGRADE_STEPS = [
    "autograder.execute.GuardedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]


def grade(course: Course, student: str, notebook: Path, options: Options,
          hide: list[Path] = ()) -> dict:
    """Grade `notebook` as `student`'s submission; the result dict (see module docstring)."""
    started = time.monotonic()
    notebook = Path(notebook)
    made_from = provenance.current(course.source_dir, course.assignment.name)
    try:
        clean, missing = prepare(notebook, course.assignment, [course.assignment, *course.others])
    except Rejected as reason:
        result = rejected(course.assignment, student, notebook, str(reason))
        result.seconds, result.provenance = round(time.monotonic() - started, 2), made_from
        return result.to_json()
    missing_data = missing_datasets(course.assignment.notebook.read_text())
    if missing_data:
        raise GraderError(f"the dataset cache {data_dir()} lacks {', '.join(missing_data)} "
                          "(the sandbox cannot download): run `make data`")
    hide = [course.root, course.source_dir, REPO / "source", notebook.parent, *hide]
    sandbox = Sandbox(options.limits(), hide=hide)
    exposed = sandbox.exposure_problem()
    if exposed:
        sandbox.close()
        raise GraderError(f"refusing to grade: {exposed}")
    try:
        result = _grade_in(course, student, notebook, clean, missing, options, sandbox)
    finally:
        sandbox.close()
    result.sha256, result.provenance = sha256(notebook), made_from
    result.seconds = round(time.monotonic() - started, 2)
    return result.to_json()


def _grade_in(course, student, notebook, clean, missing, options, sandbox) -> Result:
    assignment = course.assignment
    result = new_result(assignment, student, notebook)
    result.isolation = sandbox.isolation()
    _place(course, student, clean, sandbox)
    mark = time.monotonic()
    clean_room = Replay(sandbox, options.replay_timeout)
    try:
        run = _autograde(course, student, options, sandbox)
    except BaseException:
        clean_room.stop()
        raise
    result.timings = {"notebook": run.get("seconds"),
                      "autograde": round(time.monotonic() - mark, 2)}
    if run.get("status") in ("timeout", "crashed"):
        result.status, result.message = run["status"], run.get("message", "")
    if run.get("cell") is None and run.get("status") == "timeout":
        # nbgrader itself never finished: nothing it wrote can be trusted.
        clean_room.stop()
        result.tests = [TestResult(t.id, 0.0, t.points, "timeout", run["message"])
                        for t in assignment.autograded]
        return result
    graded = nbformat.read(course.autograded(student), as_version=4)
    scores = course.auto_scores(student)
    outcomes = kernel_outcomes(assignment, graded, scores, missing, result.status)
    mark = time.monotonic()
    to_replay = [t for t in assignment.autograded
                 if outcomes[t.id] is None and t.problem is None]
    replayed = clean_room.run(to_replay)
    result.timings["replay"] = round(time.monotonic() - mark, 2)
    leaks = hidden_lines(assignment)
    for test in assignment.autograded:
        room = replayed.get(test.id)
        if outcomes[test.id] is None and room and room.get("leaderboard"):
            result.leaderboard.extend(room["leaderboard"])
        status, message = outcomes[test.id] or merge(test, room)
        points = float(scores.get(test.id) or 0.0) if status == "passed" else 0.0
        if status != "missing":  # missing_message names variables only, never hidden code
            message = scrub(message, leaks)
        result.tests.append(TestResult(test.id, points, test.points, status, message))
    result.score = sum(t.points for t in result.tests)
    present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in graded.cells}
    result.manual = [ManualResult(t.id, t.points, "pending" if t.id in present else "missing")
                     for t in assignment.manual]
    _record(course, student, graded, result, leaks)
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


def _record(course, student, graded, result, leaks) -> None:
    """Make nbgrader's gradebook and autograded notebook agree with the final result."""
    by_id = {t.id: t for t in result.tests}
    course.record_scores(student, {i: t.points for i, t in by_id.items()})
    scrub_notebook(graded, leaks)
    for cell in graded.cells:  # messages in the result are scrubbed already
        test = by_id.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
        if test and test.status in ("tampered", "missing", "error") and not any(
                o.get("output_type") == "error" for o in cell.get("outputs", [])):
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename="CleanRoomCheck", evalue=test.message,
                traceback=[f"CleanRoomCheck: {test.message}"]))
    nbformat.write(graded, course.autograded(student))
