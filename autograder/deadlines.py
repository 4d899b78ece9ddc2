"""Deadlines: when a submission was made, when it was due, and nbgrader's late penalty.

A submission's time comes from, in this order: a time given by the caller (`grade
--submitted-at`, e.g. a CI commit's time; Gradescope's `created_at`), else nbgrader's
`timestamp.txt` beside the submitted notebook (what `nbgrader collect` leaves). Its due
date comes from a date given by the caller (`grade --due`; Gradescope's due date, which
includes the student's extension), else nbgrader's own `duedate` of the assignment in
the course's gradebook (`nbgrader db assignment add NAME --duedate=...`).

`apply` puts both where nbgrader's autograde reads them (the submission's `timestamp.txt`,
the assignment's `duedate`, a per-student extension), so nbgrader's `AssignLatePenalties`
and its `LateSubmissionPlugin` (configured in nbgrader_config.py) assign the penalty;
`late` reads it back once the final scores are recorded. All times are UTC, naive, as
nbgrader stores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from autograder.course import COURSE_ID

TIMESTAMP = "timestamp.txt"  # nbgrader's file beside a submitted notebook


@dataclass
class Deadline:
    """When a submission was made and when it was due (None: not known)."""

    submitted_at: datetime | None = None
    due: datetime | None = None


def parse_time(value: str | datetime | None) -> datetime | None:
    """A time as nbgrader stores it (naive UTC), from ISO 8601 or nbgrader's own format.

    Raises ValueError with what was wrong.
    """
    if value is None or value == "":
        return None
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(value)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"not a date and time: {value!r} ({error}); write it as ISO 8601, "
                         "e.g. 2026-03-01T23:59:00+01:00") from None


def read_timestamp(folder: Path) -> datetime | None:
    """nbgrader's `timestamp.txt` in `folder`, or None when there is none, it is empty or it
    holds no time (nbgrader's own `submit` writes it on the student's side)."""
    path = Path(folder) / TIMESTAMP
    try:
        return parse_time(path.read_text(errors="replace").strip()[:100])
    except (OSError, ValueError):
        return None


def from_gradescope(metadata: dict) -> Deadline:
    """The deadline in Gradescope's `submission_metadata.json`.

    `created_at` is the submission time; the due date is the submitter's own
    (`users[].assignment.due_date`, which carries an extension) when there is one, else the
    assignment's (`assignment.due_date`). For a group, the latest of the members' dates.
    """
    dues = [user.get("assignment", {}).get("due_date") for user in metadata.get("users") or []
            if isinstance(user, dict) and isinstance(user.get("assignment"), dict)]
    dues = [parse_time(d) for d in dues if d]
    due = max(dues) if dues else parse_time((metadata.get("assignment") or {}).get("due_date"))
    return Deadline(submitted_at=parse_time(metadata.get("created_at")), due=due)


def find(notebook: Path, given: Deadline | None = None) -> Deadline:
    """`given`, with the submission time from `timestamp.txt` beside `notebook` if not given."""
    given = given or Deadline()
    submitted = given.submitted_at or read_timestamp(Path(notebook).parent)
    return Deadline(submitted_at=submitted, due=given.due)


def apply(course, student: str, deadline: Deadline) -> None:
    """Write the deadline where nbgrader's autograde reads it, for `student` in `course`.

    The submission's `timestamp.txt` goes beside the placed notebook; a given due date
    becomes the assignment's `duedate` when it has none, else the student's extension
    (the difference), so other students of a shared course keep theirs.
    """
    from nbgrader.api import Gradebook

    folder = course.submitted(student).parent
    stamp = folder / TIMESTAMP
    if deadline.submitted_at:
        stamp.write_text(deadline.submitted_at.isoformat() + "+00:00")
    else:
        stamp.unlink(missing_ok=True)
    with Gradebook(course.db_url, course_id=COURSE_ID) as gradebook:
        assignment = gradebook.find_assignment(course.assignment.name)
        extension = None
        if deadline.due and assignment.duedate is None:
            assignment.duedate = deadline.due
            gradebook.db.commit()
        elif deadline.due:
            extension = deadline.due - assignment.duedate
        gradebook.update_or_create_student(student)
        gradebook.update_or_create_submission(course.assignment.name, student,
                                              timestamp=deadline.submitted_at,
                                              extension=extension)


def late(course, student: str, score: float) -> tuple[dict | None, float]:
    """({submitted_at, due, seconds_late, penalty}, penalty) of `student`'s submission.

    nbgrader assigned the penalty on its own score; the final `score` (after the clean-room
    check) may be lower, so the penalty is capped at it, as nbgrader caps it, and written
    back to the gradebook. (None, 0) when the submission time is not known.
    """
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, course_id=COURSE_ID) as gradebook:
        submission = gradebook.find_submission(course.assignment.name, student)
        if submission.timestamp is None:
            return None, 0.0
        seconds = float(submission.total_seconds_late)
        penalty = 0.0
        for notebook in submission.notebooks:
            if notebook.late_submission_penalty is not None:
                capped = min(float(notebook.late_submission_penalty), score - penalty)
                notebook.late_submission_penalty = max(0.0, capped)
                penalty += notebook.late_submission_penalty
        gradebook.db.commit()
        due = submission.duedate
        info = {"submitted_at": _iso(submission.timestamp), "due": _iso(due) if due else None,
                "seconds_late": round(seconds, 3), "penalty": penalty}
    return info, penalty


def _iso(moment: datetime) -> str:
    return moment.isoformat() + "Z"
