"""autograder.report: a result as a table, Markdown and a grades CSV."""

from __future__ import annotations

from autograder import report

RESULT = {
    "assignment": "00_fixture", "student": "ann", "notebook": "ann.ipynb", "status": "graded",
    "message": "", "score": 3.0, "max_score": 5.0, "seconds": 12.3,
    "tests": [{"id": "test_squares", "points": 1.0, "max_points": 1.0, "status": "passed",
               "message": ""},
              {"id": "test_model", "points": 0.0, "max_points": 2.0, "status": "tampered",
               "message": "passed in your kernel but failed the clean-room check"},
              {"id": "test_trained", "points": 2.0, "max_points": 2.0, "status": "passed",
               "message": ""}],
    "manual": [{"id": "relu_answer", "max_points": 1.0, "status": "pending"}],
    "isolation": {"sandbox": "bubblewrap", "network": False, "memory_limit_gib": 6,
                  "memory_limit_by": "cgroup v1", "process_limit": 512, "user": "uid 61000"},
}


def test_table_lists_every_test():
    text = report.table(RESULT)
    assert "3 / 5 points" in text and "tampered" in text and "relu_answer" in text
    assert "bubblewrap, network off" in text


def test_grades_csv_has_a_row_per_student():
    other = {**RESULT, "student": "bob", "status": "rejected", "score": 0.0, "tests": []}
    rows = report.grades_csv([RESULT, other], ["test_squares", "test_model", "test_trained"])
    lines = rows.strip().splitlines()
    assert lines[0].startswith("student,status,score,max_score,test_squares")
    assert lines[1].startswith("ann,graded,3,5,1,0,2") and lines[2].startswith("bob,rejected,0")


def test_a_late_submission_says_so_in_the_table_and_markdown():
    late = {"submitted_at": "2026-03-02T12:00:00Z", "due": "2026-03-01T12:00:00Z",
            "seconds_late": 86400.0, "penalty": 3.0}
    assert "LATE by 24.0 h, penalty 3 points" in report.table({**RESULT, "late": late})
    assert "LATE by 24.0 h" in report.markdown({**RESULT, "late": late})
    on_time = {**late, "submitted_at": "2026-03-01T09:00:00Z", "seconds_late": 0.0,
               "penalty": 0.0}
    assert ": on time" in report.table({**RESULT, "late": on_time})
