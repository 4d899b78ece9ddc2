"""The files a batch (or a merge) leaves for the instructor, written by one function.

    OUT/<student>.json          every student's result
    OUT/grades.csv              one row per student (`report.grades_csv`)
    OUT/feedback/<student>.html nbgrader's feedback (no hidden tests, no tracebacks), or a
                                short page for a rejected submission or a grader failure
    OUT/course/                 the nbgrader course that recorded the grades (written before)

Exports to other platforms belong in `write_outputs`, after grades.csv.
"""

from __future__ import annotations

import html
from pathlib import Path

from autograder.course import Course
from autograder.files import write_atomic, write_json
from autograder.report import grades_csv


def minimal_feedback(result: dict) -> str:
    """A feedback page made from the result alone (no notebook to show)."""
    rows = "".join(f"<tr><td>{html.escape(t['id'])}</td><td>{t['points']:g} / "
                   f"{t['max_points']:g}</td><td>{html.escape(t['status'])}</td></tr>"
                   for t in result["tests"])
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{result['assignment']}"
            f"</title></head><body><h1>{html.escape(result['assignment'])}: "
            f"{html.escape(result['status'])}</h1><p>{html.escape(result.get('message', ''))}</p>"
            f"<table>{rows}</table></body></html>\n")


def write_feedback(course: Course, out: Path, results: dict[str, dict],
                   student: str | None = None) -> None:
    """OUT/feedback/<student>.html for every student of `results` (or only `student`)."""
    only = [f"--student={student}"] if student else []
    course.nbgrader("generate_feedback", course.assignment.name, "--force", *only, timeout=3600)
    html_name = Path(course.notebook_name).with_suffix(".html").name
    for name, result in results.items():
        if student and name != student:
            continue
        made = course.root / "feedback" / name / course.assignment.name / html_name
        target = Path(out) / "feedback" / f"{name}.html"
        if made.exists() and result["status"] not in ("rejected", "error"):
            write_atomic(target, made.read_text(errors="replace"))
        else:
            write_atomic(target, minimal_feedback(result))


def write_outputs(course: Course, out: Path, results: dict[str, dict]) -> None:
    """Write every student's JSON, grades.csv and feedback for `results` {student: result}."""
    out = Path(out)
    for student, result in results.items():
        write_json(out / f"{student}.json", result)
    test_ids = [t.id for t in course.assignment.autograded]
    write_atomic(out / "grades.csv", grades_csv(list(results.values()), test_ids))
    write_feedback(course, out, results)
