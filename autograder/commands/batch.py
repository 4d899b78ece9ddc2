"""Grade a folder of submissions: `python -m autograder batch ASSIGNMENT DIR --out OUTDIR`.

DIR holds nbgrader's layout or a flat folder of notebooks (`autograder.submission_folder`).
For each student the batch writes, as soon as that submission is done and atomically:
`OUTDIR/<student>.json` (the same JSON as `grade`) and `OUTDIR/grades.csv` (one row per
student). At the end it writes `OUTDIR/feedback/<student>.html` with nbgrader's
generate_feedback (no hidden tests, no tracebacks). A rerun grades only what is stale
(`autograder.provenance`: the notebook, the assignment's source, the grader or the key
packages changed, or the grader failed) and keeps a replaced result in
`OUTDIR/previous/<student>.json`; `--force` regrades everyone. Grades are also recorded in
an nbgrader course directory (`OUTDIR/course` unless `--course`), so `nbgrader export` and
`nbgrader generate_feedback` work there as usual.

With `--plan plan.json --index K [--of N]` (see `autograder.plan`) it grades only index K's
submissions, in an nbgrader course private to the process, and writes only their files into
OUTDIR (`autograder.results_folder`); `python -m autograder merge` then makes the outputs
above from all indexes. K comes from --index, else $JOB_COMPLETION_INDEX, else
$SLURM_ARRAY_TASK_ID. It refuses (exit 1) when the plan is stale or a notebook changed.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from autograder import provenance, results_folder
from autograder.course import Course
from autograder.files import write_atomic, write_json
from autograder.options import Options
from autograder.outputs import write_feedback, write_outputs
from autograder.plan import PlanError, index_from_environment, load_plan, plan_problems, select
from autograder.report import grades_csv
from autograder.result import sha256
from autograder.runner import grade_many
from autograder.submission_folder import discover, student_id

__all__ = ["discover", "main", "run_batch", "run_index", "student_id"]


def main(assignment: str, submissions: Path, out: Path, source: Path, options: Options,
         workers: int = 1, force: bool = False, course: Path | None = None,
         plan: Path | None = None, index: int | None = None, of: int | None = None) -> int:
    """Grade every submission (or index K's of a plan); exit 2 if the grader failed for any."""
    if plan is None:
        if index is not None or of is not None:
            print("--index and --of need --plan (make one with `python -m autograder plan`)",
                  file=sys.stderr)
            return 1
        return run_batch(assignment, submissions, out, source, options, workers=workers,
                         force=force, course_dir=course)
    try:
        return run_index(assignment, submissions, out, source, options, plan, index, of,
                         workers=workers, force=force)
    except PlanError as error:
        print(f"refusing to grade: {error}", file=sys.stderr)
        return 1


def _summary(reasons: dict[str, dict[str, str]]) -> str:
    parts = Counter(part for why in reasons.values() for part in why)
    return ", ".join(f"{n} {part}" for part, n in sorted(parts.items())) or "none"


def run_batch(assignment: str, folder: Path, out: Path, source: Path, options: Options,
              workers: int = 1, force: bool = False, course_dir: Path | None = None) -> int:
    """Grade every submission in `folder` into `out` (see the module docstring)."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    course = Course(course_dir or out / "course", source, assignment)
    course.setup()
    submissions = discover(folder, course.assignment.name, course.notebook_name)
    now = provenance.current(source, course.assignment.name)
    previous = {s: results_folder.load_result(out, s) for s in submissions}
    stale = {s: provenance.stale_reasons(previous[s], sha256(p), now)
             for s, p in submissions.items()}
    todo = {s: p for s, p in submissions.items() if force or stale[s]}
    print(f"{len(submissions)} submissions of {course.assignment.name}; "
          f"{len(submissions) - len(todo)} already graded, {len(todo)} to grade "
          f"with {workers} worker(s) (what changed: {_summary(stale)})", flush=True)
    results = {s: r for s, r in previous.items() if r is not None and s not in todo}
    test_ids = [t.id for t in course.assignment.autograded]

    def record(student: str, result: dict) -> None:
        if previous[student] is not None:
            write_json(out / "previous" / f"{student}.json", previous[student])
        write_json(out / f"{student}.json", result)
        results[student] = result
        write_atomic(out / "grades.csv", grades_csv(list(results.values()), test_ids))

    grade_many(course, todo, options, [Path(folder).resolve(), out], workers, record)
    write_outputs(course, out, {s: results[s] for s in sorted(results)})
    print(f"done: {len(results)} results in {out} (grades.csv, feedback/); "
          f"nbgrader course: {course.root}", flush=True)
    return _exit_status(results)


def _exit_status(results: dict[str, dict]) -> int:
    failed = [s for s, r in results.items() if r["status"] == "error"]
    if failed:
        print(f"the grader failed for: {', '.join(failed)}", file=sys.stderr)
        return 2
    return 0


def run_index(assignment: str, folder: Path, out: Path, source: Path, options: Options,
              plan_path: Path, index: int | None, of: int | None, workers: int = 1,
              force: bool = False) -> int:
    """Grade the submissions of one index of a plan into `out` (see the module docstring)."""
    plan = load_plan(plan_path)
    if plan["assignment"] != assignment:
        raise PlanError(f"the plan {plan_path} is for {plan['assignment']}, not {assignment}")
    index = index_from_environment() if index is None else index
    entries = select(plan, index, of)
    problems = plan_problems(plan, source, folder, entries)
    if problems:
        raise PlanError("; ".join(problems) + ". Make a new plan with `python -m autograder "
                        "plan` (and grade every index of it), or restore what changed")
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    notebooks = {e["student"]: Path(folder) / e["path"] for e in entries}
    results = {e["student"]: results_folder.load_result(out, e["student"]) for e in entries}
    todo = {e["student"]: notebooks[e["student"]] for e in entries
            if force or _needs_grading(out, e, results[e["student"]], plan["provenance"])}
    label = f"index {index}" + (f" of {of}" if of is not None else "")
    print(f"{label}: {len(entries)} submissions of {assignment}; {len(entries) - len(todo)} "
          f"already graded, {len(todo)} to grade", flush=True)
    unfed = [s for s in notebooks if s not in todo and not (out / "feedback" / f"{s}.html")
             .exists()]  # graded by a run killed before it wrote their feedback
    if todo or unfed:
        private = Path(tempfile.mkdtemp(prefix=f"cnnkit-index-{index}-"))
        try:
            course = Course(private / "course", source, assignment)
            course.setup()

            def record(student: str, result: dict) -> None:
                results_folder.save(out, student, result, course)
                results[student] = result

            grade_many(course, todo, options, [Path(folder).resolve(), out], workers, record)
            for student in unfed:
                results_folder.place(course, student, results_folder.load_part(out, student))
            write_feedback(course, out, {s: results[s] for s in [*todo, *unfed]})
        finally:
            shutil.rmtree(private, ignore_errors=True)
    print(f"done: {label}, {len(results)} results in {out}", flush=True)
    return _exit_status(results)


def _needs_grading(out: Path, entry: dict, result: dict | None, planned: dict) -> bool:
    if provenance.stale_reasons(result, entry["sha256"], planned):
        return True
    try:
        results_folder.load_part(out, entry["student"])
    except results_folder.ResultsError:
        return True
    return False
