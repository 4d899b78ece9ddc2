"""Regrades keyed on provenance: which results of a batch are stale, and regrading them
without losing anything.

    stale = find_stale(source_dir, "01_simple_cnn", submissions_dir, out)  # {student: ...}
    print(describe(stale))                               # the dry run: whose and why
    regrade(stale, source_dir, "01_simple_cnn", submissions_dir, out, Options())

What "would change" can honestly mean without grading: a result is stale when its notebook,
the assignment's source, the grader or the key packages differ from now
(`autograder.provenance`); for a source change the dry run names the grade cells whose code
changed and the points the student has on them now. Whether the score changes is known only
by grading: `regrade` grades every stale submission into a staging folder first, prints
old -> new per student, and only then replaces each result (the old one kept in
`OUT/previous/<student>.json`); a submission the grader fails on keeps its old result.
Grades given by hand in the batch's course (formgrader) are kept unless the notebook
itself changed.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder import provenance, results_folder
from autograder.course import Course
from autograder.files import write_json
from autograder.hidden import load_assignment
from autograder.options import Options
from autograder.outputs import write_outputs
from autograder.result import sha256
from autograder.runner import grade_many
from autograder.submission_folder import discover


@dataclass
class Stale:
    """A submission whose result no longer stands: the old result (or None) and why."""

    notebook: Path
    old: dict | None
    reasons: dict[str, str]


def find_stale(source_dir: Path, assignment: str, submissions: Path,
               out: Path) -> dict[str, Stale]:
    """{student: Stale} of every submission whose result in `out` is missing or stale."""
    notebook_name = load_assignment(Path(source_dir), assignment).notebook.name
    now = provenance.current(source_dir, assignment)
    stale = {}
    for student, notebook in discover(Path(submissions), assignment, notebook_name).items():
        old = results_folder.load_result(out, student)
        reasons = provenance.stale_reasons(old, sha256(notebook), now)
        if reasons:
            stale[student] = Stale(notebook, old, reasons)
    return stale


def _points_on_changed(item: Stale) -> str:
    text = item.reasons.get("source", "")
    if "tests changed: " not in text or item.old is None:
        return ""
    changed = text.split("tests changed: ", 1)[1].split(", ")
    points = {t["id"]: t for t in item.old["tests"]}
    held = [f"{i} {points[i]['points']:g}/{points[i]['max_points']:g}"
            for i in changed if i in points]
    return f" [now: {', '.join(held)}]" if held else ""


def describe(stale: dict[str, Stale]) -> str:
    """The dry run's report: one line per stale result, what changed and the score now."""
    lines = []
    for student, item in sorted(stale.items()):
        now = (f"{item.old['score']:g}/{item.old['max_score']:g} {item.old['status']}"
               if item.old else "no result")
        why = "; ".join(f"{part}: {text}" for part, text in item.reasons.items())
        lines.append(f"{student:<20} {now:<16} score may change: {why}"
                     f"{_points_on_changed(item)}")
    return "\n".join(lines)


def regrade(stale: dict[str, Stale], source_dir: Path, assignment: str, submissions: Path,
            out: Path, options: Options,
            workers: int = 1) -> dict[str, tuple[dict | None, dict]]:
    """Grade `stale` into a staging folder, then replace their results in `out`.

    Returns {student: (old result or None, new result)}. Results of a grader failure are
    not put in place (the old result stays).
    """
    out = Path(out).resolve()
    staging = Path(tempfile.mkdtemp(prefix=".regrade-", dir=out))
    try:
        stage = Course(staging / "course", source_dir, assignment)
        stage.setup()
        new: dict[str, dict] = {}

        def record(student: str, result: dict) -> None:
            results_folder.save(staging, student, result, stage)
            new[student] = result

        notebooks = {s: item.notebook for s, item in stale.items()}
        grade_many(stage, notebooks, options, [Path(submissions).resolve(), out], workers,
                   record)
        course = Course(out / "course", source_dir, assignment)
        course.setup()
        for student in sorted(new):
            if new[student]["status"] == "error":
                continue
            if stale[student].old is not None:
                write_json(out / "previous" / f"{student}.json", stale[student].old)
            results_folder.place(course, student, results_folder.load_part(staging, student),
                                 keep_manual="notebook" not in stale[student].reasons)
            write_json(out / f"{student}.json", new[student])
        results = {s: r for s in sorted(results_folder.students(out))
                   if (r := results_folder.load_result(out, s)) is not None}
        write_outputs(course, out, results)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {s: (stale[s].old, r) for s, r in new.items()}
