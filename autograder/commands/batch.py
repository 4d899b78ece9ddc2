"""Grade a folder of submissions: `python -m autograder batch ASSIGNMENT DIR --out OUTDIR`.

DIR holds either nbgrader's layout, `DIR/<student>/<assignment>/*.ipynb` (what
`nbgrader collect` makes in `submitted/`), or a flat folder of notebooks named after
students, `DIR/<student>.ipynb`. For each student the batch writes, as soon as that
submission is done and atomically: `OUTDIR/<student>.json` (the same JSON as `grade`)
and `OUTDIR/grades.csv` (one row per student). At the end it writes
`OUTDIR/feedback/<student>.html` with nbgrader's generate_feedback (no hidden tests, no
tracebacks). A rerun skips students whose JSON matches their current notebook; `--force`
regrades everyone. Grades are also recorded in an nbgrader course directory
(`OUTDIR/course` unless `--course`), so `nbgrader export` and `nbgrader generate_feedback`
work there as usual.
"""

from __future__ import annotations

import html
import json
import re
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from autograder.course import Course
from autograder.files import write_atomic, write_json
from autograder.options import Options
from autograder.pipeline import grade
from autograder.report import grades_csv
from autograder.result import grader_failed, sha256

STUDENT = re.compile(r"[^A-Za-z0-9_.@+-]")


def student_id(name: str) -> str:
    """A safe student id (file and nbgrader name) made from a folder or file name."""
    cleaned = STUDENT.sub("_", name).lstrip(".") or "student"
    return cleaned[:100]


def discover(folder: Path, assignment: str, notebook_name: str) -> dict[str, Path]:
    """{student: notebook} for both supported layouts; raises ValueError on clashes."""
    found: dict[str, Path] = {}

    def add(name: str, path: Path) -> None:
        student = student_id(name)
        if student in found:
            raise ValueError(f"two submissions for student {student!r}: {found[student]}, {path}")
        found[student] = path

    for entry in sorted(Path(folder).iterdir()):
        if entry.is_file() and entry.suffix == ".ipynb":
            add(entry.stem, entry)
        elif entry.is_dir() and not entry.name.startswith("."):
            inner = entry / assignment if (entry / assignment).is_dir() else entry
            notebooks = sorted(inner.glob("*.ipynb"))
            if not notebooks:
                continue
            named = [p for p in notebooks if p.name == notebook_name]
            add(entry.name, (named or notebooks)[0])
    return found


def _done(out: Path, student: str, notebook: Path) -> bool:
    try:
        previous = json.loads((out / f"{student}.json").read_text())
    except (OSError, ValueError):
        return False
    return previous.get("sha256") == sha256(notebook) and previous.get("status") != "error"


def _minimal_feedback(result: dict) -> str:
    rows = "".join(f"<tr><td>{html.escape(t['id'])}</td><td>{t['points']:g} / "
                   f"{t['max_points']:g}</td><td>{html.escape(t['status'])}</td></tr>"
                   for t in result["tests"])
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{result['assignment']}"
            f"</title></head><body><h1>{html.escape(result['assignment'])}: "
            f"{html.escape(result['status'])}</h1><p>{html.escape(result.get('message', ''))}</p>"
            f"<table>{rows}</table></body></html>\n")


def write_feedback(course: Course, out: Path, results: dict[str, dict]) -> None:
    """OUTDIR/feedback/<student>.html for every student, via nbgrader generate_feedback."""
    code, log = course.nbgrader("generate_feedback", course.assignment.name, "--force",
                                timeout=3600)
    html_name = Path(course.notebook_name).with_suffix(".html").name
    for student, result in results.items():
        made = course.root / "feedback" / student / course.assignment.name / html_name
        target = out / "feedback" / f"{student}.html"
        if made.exists() and result["status"] not in ("rejected", "error"):
            write_atomic(target, made.read_text(errors="replace"))
        else:
            write_atomic(target, _minimal_feedback(result))


def _eta(started: float, finished: int, remaining: int, workers: int) -> str:
    if not finished:
        return "ETA unknown"
    seconds = (time.monotonic() - started) / finished * remaining
    return f"ETA {seconds / 60:.1f} min" if seconds >= 90 else f"ETA {seconds:.0f} s"


def main(assignment: str, submissions: Path, out: Path, source: Path, options: Options,
         workers: int = 1, force: bool = False, course: Path | None = None) -> int:
    """Grade every submission in `submissions`; exit status 2 if the grader failed for any."""
    return run_batch(assignment, submissions, out, source, options, workers=workers,
                     force=force, course_dir=course)


def run_batch(assignment: str, folder: Path, out: Path, source: Path, options: Options,
              workers: int = 1, force: bool = False, course_dir: Path | None = None) -> int:
    """Grade every submission in `folder` into `out` (see the module docstring)."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    course = Course(course_dir or out / "course", source, assignment)
    course.setup()
    submissions = discover(folder, course.assignment.name, course.notebook_name)
    todo = {s: p for s, p in submissions.items() if force or not _done(out, s, p)}
    print(f"{len(submissions)} submissions of {course.assignment.name}; "
          f"{len(submissions) - len(todo)} already graded, {len(todo)} to grade "
          f"with {workers} worker(s)", flush=True)
    hide = [Path(folder).resolve(), out]
    test_ids = [t.id for t in course.assignment.autograded]
    lock, started, finished = threading.Lock(), time.monotonic(), 0

    def one(student: str, notebook: Path) -> dict:
        try:
            return grade(course, student, notebook, options, hide=hide)
        except Exception as error:  # one bad submission never stops a batch
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            print(f"grader failure for {student}: {detail}", file=sys.stderr, flush=True)
            return grader_failed(course.assignment, student, notebook,
                                 detail[-500:]).to_json()

    def results_so_far() -> dict[str, dict]:
        results = {}
        for student in submissions:
            try:
                results[student] = json.loads((out / f"{student}.json").read_text())
            except (OSError, ValueError):
                pass
        return results

    def record(student: str, result: dict) -> None:
        nonlocal finished
        with lock:
            write_json(out / f"{student}.json", result)
            write_atomic(out / "grades.csv", grades_csv(list(results_so_far().values()),
                                                        test_ids))
            finished += 1
            eta = _eta(started, finished, len(todo) - finished, workers)
            print(f"[{finished:>3}/{len(todo)}] {student:<20} {result['status']:<9} "
                  f"{result['score']:g}/{result['max_score']:g}  {result['seconds']:.0f} s  "
                  f"{eta}", flush=True)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(one, s, p): s for s, p in todo.items()}
        try:
            for future in as_completed(futures):
                record(futures[future], future.result())
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            print("interrupted: the running submissions finish, the rest are left for a rerun",
                  file=sys.stderr, flush=True)
            raise
    results = results_so_far()
    write_atomic(out / "grades.csv", grades_csv(list(results.values()), test_ids))
    write_feedback(course, out, results)
    failed = [s for s, r in results.items() if r["status"] == "error"]
    print(f"done: {len(results)} results in {out} (grades.csv, feedback/); "
          f"nbgrader course: {course.root}", flush=True)
    if failed:
        print(f"the grader failed for: {', '.join(failed)}", file=sys.stderr)
        return 2
    return 0
