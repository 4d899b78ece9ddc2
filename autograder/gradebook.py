"""One submission's rows of an nbgrader gradebook, carried from one course to another.

An index process grades in a course of its own; `merge` (and `regrade`) rebuild the one
course of the whole batch from what it exported:

    rows = export_submission(db_url, "01_simple_cnn", "alice")   # plain JSON-able dict
    import_submission(other_db_url, "01_simple_cnn", rows)        # replaces alice's there

The rows are what nbgrader's autograde stored and what formgrader and `nbgrader export`
read: the student, the submission's timestamp and extension, and per notebook its flag,
late penalty, and every grade (auto/manual score, extra credit, needs_manual_grade) and
comment, keyed by cell name. The assignment itself must exist in the target course
(`Course.setup` generates it).
"""

from __future__ import annotations

from datetime import timedelta

from autograder.course import COURSE_ID

STUDENT_FIELDS = ("first_name", "last_name", "email", "lms_user_id")
GRADE_FIELDS = ("auto_score", "manual_score", "extra_credit", "needs_manual_grade")
COMMENT_FIELDS = ("auto_comment", "manual_comment")


def export_submission(db_url: str, assignment: str, student: str) -> dict:
    """`student`'s submission of `assignment` in the gradebook at `db_url`, as a dict."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id=COURSE_ID) as gradebook:
        submission = gradebook.find_submission(assignment, student)
        person = gradebook.find_student(student)
        return {
            "student": {"id": student, **{f: getattr(person, f) for f in STUDENT_FIELDS}},
            "timestamp": submission.timestamp.isoformat() if submission.timestamp else None,
            "extension": (submission.extension.total_seconds()
                          if submission.extension else None),
            "notebooks": {nb.name: {
                "flagged": nb.flagged,
                "late_submission_penalty": nb.late_submission_penalty,
                "grades": {g.name: {f: getattr(g, f) for f in GRADE_FIELDS} for g in nb.grades},
                "comments": {c.name: {f: getattr(c, f) for f in COMMENT_FIELDS}
                             for c in nb.comments},
            } for nb in submission.notebooks},
        }


def import_submission(db_url: str, assignment: str, rows: dict,
                      keep_manual: bool = False) -> None:
    """Put the exported `rows` into the gradebook at `db_url`, replacing any submission there.

    With `keep_manual`, grades and comments given by hand to the replaced submission
    (formgrader's manual score, extra credit, comment) are kept where `rows` have none.
    """
    from nbgrader.api import Gradebook, MissingEntry

    student = rows["student"]["id"]
    with Gradebook(db_url, course_id=COURSE_ID) as gradebook:
        gradebook.update_or_create_student(
            student, **{f: rows["student"].get(f) for f in STUDENT_FIELDS})
        try:
            manual = _manual(gradebook.find_submission(assignment, student)) if keep_manual \
                else {}
            gradebook.remove_submission(assignment, student)
        except MissingEntry:
            manual = {}
        extra = {}
        if rows.get("timestamp"):
            extra["timestamp"] = rows["timestamp"]
        if rows.get("extension") is not None:
            extra["extension"] = timedelta(seconds=rows["extension"])
        submission = gradebook.add_submission(assignment, student, **extra)
        for notebook in submission.notebooks:
            saved = rows["notebooks"].get(notebook.name)
            if saved is None:
                raise ValueError(f"the exported rows of {student} lack notebook {notebook.name}")
            notebook.flagged = saved["flagged"]
            notebook.late_submission_penalty = saved["late_submission_penalty"]
            for kind, items in (("grades", notebook.grades), ("comments", notebook.comments)):
                for item in items:
                    values = dict(saved[kind].get(item.name, {}))
                    for field, value in manual.get((notebook.name, kind, item.name), {}).items():
                        if values.get(field) is None or field == "needs_manual_grade":
                            values[field] = value
                    for field, value in values.items():
                        setattr(item, field, value)
        gradebook.db.commit()


def _manual(submission) -> dict[tuple[str, str, str], dict]:
    """{(notebook, "grades"|"comments", cell): fields} given by hand in `submission`."""
    kept = {}
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            if grade.manual_score is not None or grade.extra_credit is not None:
                kept[(notebook.name, "grades", grade.name)] = {
                    "manual_score": grade.manual_score, "extra_credit": grade.extra_credit,
                    "needs_manual_grade": grade.needs_manual_grade}
        for comment in notebook.comments:
            if comment.manual_comment:
                kept[(notebook.name, "comments", comment.name)] = {
                    "manual_comment": comment.manual_comment}
    return kept
