"""Written answers graded by hand in nbgrader's formgrader, read back into results.

An instructor grades the `manual` cells of a batch's nbgrader course (`OUTDIR/course`)
with formgrader, which stores `Grade.manual_score` in the course's gradebook.
`collect(course_root, assignment)` reads those scores; `apply(result, scores)` writes
them into a result's `manual` entries (`status: graded`, `points`); `points_of_record`
is the total an LMS receives: the autograded score plus the manual points given so far.
"""

from __future__ import annotations

from pathlib import Path


def collect(course_root: Path, assignment: str) -> dict[str, dict[str, float | None]]:
    """{student: {grade id: manual score or None}} from the course's gradebook.

    A manual score is what formgrader stored for a cell (None: not graded by hand).
    """
    from nbgrader.api import Gradebook

    from autograder.course import COURSE_ID

    database = Path(course_root) / "gradebook.db"
    if not database.exists():
        raise ValueError(f"no nbgrader gradebook at {database}: pass the batch's course "
                         "folder (OUTDIR/course, or the --course given to batch)")
    with Gradebook(f"sqlite:///{database}", course_id=COURSE_ID) as gradebook:
        return {submission.student_id: {grade.name: grade.manual_score
                                        for notebook in submission.notebooks
                                        for grade in notebook.grades}
                for submission in gradebook.assignment_submissions(assignment)}


def apply(result: dict, scores: dict[str, float | None]) -> list[str]:
    """Put the hand-given scores `scores` {grade id: score} into `result` (in place).

    Written answers with a score become `graded` with `points`; answers not graded yet
    stay `pending`. Returns notes on what the result does not take over: hand-given
    scores of autograded tests (the autograder's points stay the grade of record).
    """
    for entry in result.get("manual", []):
        score = scores.get(entry["id"])
        if score is not None and entry["status"] != "missing":
            entry["status"], entry["points"] = "graded", float(score)
    notes = []
    for test in result["tests"]:
        score = scores.get(test["id"])
        if score is not None and score != test["points"]:
            notes.append(f"{result['student']}: formgrader gives {test['id']} {score:g} points, "
                         f"the autograder {test['points']:g}; the result keeps the "
                         "autograder's (regrade to change it)")
    return notes


def points_of_record(result: dict) -> tuple[float, float, list[str]]:
    """(points, possible points, ids of answers not graded yet) of one result.

    Points are the autograded score plus the written answers graded so far; possible
    points include every written answer.
    """
    manual = result.get("manual", [])
    points = result["score"] + sum(m.get("points", 0.0) for m in manual
                                   if m["status"] == "graded")
    possible = result["max_score"] + sum(m["max_points"] for m in manual)
    pending = [m["id"] for m in manual if m["status"] == "pending"]
    return points, possible, pending
