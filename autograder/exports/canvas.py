"""Grades in Canvas's gradebook import format.

Canvas imports a CSV shaped like its own gradebook export: the identity columns
`Student`, `ID`, `SIS User ID`, `SIS Login ID`, `Section`, then one column per assignment
headed `Assignment name (canvas assignment id)` (a header without an id makes Canvas
create a new assignment), and optionally a first row `Points Possible`. The roster is
that export, downloaded by the instructor from the course's Grades page (any CSV with
the five identity columns works); one of its columns (default `SIS Login ID`) holds our
student ids, the names `batch` gives submissions.

    warnings = write_canvas_csv(results, Path("roster.csv"), Path("canvas.csv"),
                                "Lab 1: Simple CNN (48213)")

`results` are result dicts (`autograder.result`); the points are those of record
(`autograder.manual.points_of_record`: autograded plus written answers graded so far).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from autograder.files import write_atomic
from autograder.manual import points_of_record

IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_ROW = "Points Possible"


class CanvasExportError(ValueError):
    """The grades cannot be exported without losing or misplacing one; says every reason."""


def read_roster(roster: Path, match_column: str) -> list[dict[str, str]]:
    """The student rows of a Canvas roster CSV (its `Points Possible` and other rows
    without a Canvas `ID` are not students)."""
    text = Path(roster).read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    missing = [c for c in dict.fromkeys([*IDENTITY, match_column]) if c not in columns]
    if missing:
        raise CanvasExportError(
            f"{roster}: no column {', '.join(repr(c) for c in missing)}; export the roster "
            "from Canvas (Grades > Export) or give a CSV with the columns "
            f"{', '.join(IDENTITY)}")
    return [row for row in reader if (row.get("ID") or "").strip()]


def canvas_csv(results: list[dict], roster: list[dict[str, str]], assignment_column: str,
               match_column: str = "SIS Login ID") -> tuple[str, list[str]]:
    """(CSV text, warnings): one row per roster student, in the roster's order.

    Raises `CanvasExportError` when a result's student is not in the roster (its grade
    would be lost), a student has two results or two roster rows, a result is of a
    grader failure, or results disagree on the points possible.
    """
    problems, warnings = [], []
    by_student: dict[str, dict] = {}
    for result in results:
        student = result["student"]
        if student in by_student:
            problems.append(f"{student}: two results")
        by_student[student] = result
        if result["status"] == "error":
            problems.append(f"{student}: the grader failed ({result.get('message', '')}); "
                            "regrade before exporting")
    keys = [row[match_column].strip() for row in roster]
    problems += [f"{key!r} is in {match_column!r} of two roster rows"
                 for key in sorted({k for k in keys if k and keys.count(k) > 1})]
    problems += [f"{student}: has a result but no roster row with {match_column} = "
                 f"{student!r}; add the student to the roster or rename the submission"
                 for student in sorted(set(by_student) - set(keys))]
    possible = {points_of_record(r)[1] for r in results}
    if len(possible) > 1:
        problems.append(f"results of different assignments or versions: points possible "
                        f"{sorted(possible)}")
    if problems:
        raise CanvasExportError("cannot export to Canvas:\n  " + "\n  ".join(problems))
    if not re.search(r"\(\d+\)\s*$", assignment_column):
        warnings.append(f"{assignment_column!r} has no Canvas assignment id, e.g. "
                        "'Lab 1 (48213)': Canvas will create a new assignment")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*IDENTITY, assignment_column])
    writer.writerow([f"    {POINTS_ROW}", "", "", "", "",
                     f"{possible.pop():.2f}" if possible else ""])
    for row, key in zip(roster, keys):
        result = by_student.get(key)
        if result is None:
            score = ""
            warnings.append(f"{row['Student']} ({match_column} {key!r}): no result; the "
                            "cell is left empty, so Canvas keeps the grade it has")
        else:
            points, _, pending = points_of_record(result)
            score = f"{points:.2f}"
            if pending:
                warnings.append(f"{key}: written answers not graded yet ({', '.join(pending)})"
                                "; exported without them")
        writer.writerow([row[c] for c in IDENTITY] + [score])
    return out.getvalue(), warnings


def write_canvas_csv(results: list[dict], roster: Path, out: Path, assignment_column: str,
                     match_column: str = "SIS Login ID") -> list[str]:
    """Write Canvas's import CSV for `results` to `out`; return the warnings.

    `roster` is the instructor's Canvas gradebook export; `match_column` the roster
    column holding our student ids. Nothing is written when `CanvasExportError` is raised.
    """
    text, warnings = canvas_csv(results, read_roster(roster, match_column), assignment_column,
                                match_column)
    write_atomic(Path(out), text, mode=0o600)
    return warnings
