"""Grading many submissions on this machine: a thread pool, progress lines, one callback.

    grade_many(course, {"alice": Path(...)}, options, hide=[...], workers=2,
               record=lambda student, result: ...)

Each submission is graded by `pipeline.grade`; a grader failure becomes a result of
status `error` (one bad submission never stops a batch). `record` is called once per
submission, one call at a time, as soon as that submission is done.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from autograder.course import Course
from autograder.options import Options
from autograder.pipeline import grade
from autograder.result import grader_failed


def _eta(started: float, finished: int, remaining: int) -> str:
    if not finished:
        return "ETA unknown"
    seconds = (time.monotonic() - started) / finished * remaining
    return f"ETA {seconds / 60:.1f} min" if seconds >= 90 else f"ETA {seconds:.0f} s"


def grade_one(course: Course, student: str, notebook: Path, options: Options,
              hide: list[Path]) -> dict:
    """`pipeline.grade`, with a grader failure turned into a result of status `error`."""
    try:
        return grade(course, student, notebook, options, hide=hide)
    except Exception as error:  # one bad submission never stops a batch
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        print(f"grader failure for {student}: {detail}", file=sys.stderr, flush=True)
        return grader_failed(course.assignment, student, notebook, detail[-500:]).to_json()


def grade_many(course: Course, todo: dict[str, Path], options: Options, hide: list[Path],
               workers: int, record: Callable[[str, dict], None]) -> None:
    """Grade every notebook of `todo` {student: notebook}, calling `record` for each result."""
    lock, started, finished = threading.Lock(), time.monotonic(), 0

    def done(student: str, result: dict) -> None:
        nonlocal finished
        with lock:
            record(student, result)
            finished += 1
            eta = _eta(started, finished, len(todo) - finished)
            print(f"[{finished:>3}/{len(todo)}] {student:<20} {result['status']:<9} "
                  f"{result['score']:g}/{result['max_score']:g}  {result['seconds']:.0f} s  "
                  f"{eta}", flush=True)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(grade_one, course, s, p, options, hide): s
                   for s, p in todo.items()}
        try:
            for future in as_completed(futures):
                done(futures[future], future.result())
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            print("interrupted: the running submissions finish, the rest are left for a rerun",
                  file=sys.stderr, flush=True)
            raise
