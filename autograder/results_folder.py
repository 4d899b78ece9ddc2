"""What an index process leaves per student in its results folder, and reading it back.

    RESULTS/<student>.json            the result (`autograder.result`), written last
    RESULTS/.nbgrader/<student>.json  what `merge` needs to rebuild the one nbgrader course:
                                      {"result_sha256", "rows" (autograder.gradebook),
                                       "submitted", "autograded" (notebook texts)}
    RESULTS/feedback/<student>.html   the student's feedback

Each file is written atomically, the result last: a result on disk means its nbgrader
part is complete. `result_sha256` ties the two together, so that a result and an nbgrader
part written by two different runs (a retried index running twice) are caught by `merge`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from autograder.files import write_atomic

NBGRADER = ".nbgrader"


class ResultsError(ValueError):
    """A results folder is incomplete or inconsistent; the message says what to do."""


def _text(result: dict) -> str:
    return json.dumps(result, indent=2) + "\n"


def save(folder: Path, student: str, result: dict, course=None) -> None:
    """Write `student`'s result and, when `course` graded it in nbgrader, its nbgrader part."""
    from autograder.gradebook import export_submission

    text = _text(result)
    part = {"result_sha256": hashlib.sha256(text.encode()).hexdigest(), "rows": None,
            "submitted": None, "autograded": None}
    if course is not None and course.autograded(student).exists():
        from nbgrader.api import MissingEntry

        try:
            part["rows"] = export_submission(course.db_url, course.assignment.name, student)
            part["submitted"] = course.submitted(student).read_text()
            part["autograded"] = course.autograded(student).read_text()
        except (MissingEntry, OSError):  # the grader failed before nbgrader recorded it
            part.update(rows=None, submitted=None, autograded=None)
    write_atomic(Path(folder) / NBGRADER / f"{student}.json", json.dumps(part) + "\n")
    write_atomic(Path(folder) / f"{student}.json", text)


def students(folder: Path) -> list[str]:
    """The students that have a result in `folder`."""
    return sorted(p.stem for p in Path(folder).glob("*.json") if not p.name.startswith("."))


def load_result(folder: Path, student: str) -> dict | None:
    """`student`'s result in `folder`, or None when there is none (or it is unreadable)."""
    try:
        return json.loads((Path(folder) / f"{student}.json").read_text())
    except (OSError, ValueError):
        return None


def load_part(folder: Path, student: str) -> dict:
    """`student`'s nbgrader part, checked against the result beside it."""
    folder = Path(folder)
    try:
        text = (folder / f"{student}.json").read_text()
        part = json.loads((folder / NBGRADER / f"{student}.json").read_text())
    except (OSError, ValueError) as error:
        raise ResultsError(f"{folder}: the result of {student} has no readable nbgrader part "
                           f"({error}); rerun the index that grades {student}") from None
    if part.get("result_sha256") != hashlib.sha256(text.encode()).hexdigest():
        raise ResultsError(f"{folder}: the result of {student} and its nbgrader part come "
                           f"from different runs; rerun the index that grades {student}")
    return part


def place(course, student: str, part: dict, keep_manual: bool = False) -> None:
    """Put an nbgrader part into `course`: its gradebook rows and its two notebooks.

    `keep_manual` keeps the grades given by hand to a submission it replaces
    (`gradebook.import_submission`)."""
    from autograder.gradebook import import_submission

    if part.get("rows") is None:
        return
    import_submission(course.db_url, course.assignment.name, part["rows"], keep_manual)
    for path, text in ((course.submitted(student), part["submitted"]),
                       (course.autograded(student), part["autograded"])):
        write_atomic(path, text, mode=0o644)
