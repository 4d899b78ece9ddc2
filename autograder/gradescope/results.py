"""A result (`autograder.result`) as Gradescope's results.json (`results.schema.json`).

What a student sees at once: one visible check, "Submission", that says whether the
notebook was graded and if not why (rejected, timed out, crashed, the grader failed),
whether it was late, and which answers are graded by hand; and every test whose whole
code is in the student's notebook (no hidden region). Tests with hidden parts are shown
`after_published`; the total's visibility is the package's choice (`visibility`), and
Gradescope hides the total anyway while any test is hidden. Every text is rendered as
plain text (`"text"`): messages can carry text from the student's file.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.report import describe_late

SCHEMA = Path(__file__).resolve().parent / "results.schema.json"
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
STATUS_TEXT = {
    "graded": "Your notebook was graded.",
    "timeout": "Your notebook did not finish in the time allowed; the tests it reached count.",
    "crashed": "Your notebook's kernel died (often: out of memory); the tests it reached count.",
    "rejected": "Your submission was not graded.",
    "error": "The autograder itself failed on your submission. This is not your fault: "
             "tell the course staff.",
}


def submission_check(result: dict) -> dict:
    """The visible check that says what happened to the submission as a whole."""
    lines = [STATUS_TEXT.get(result["status"], result["status"])]
    if result.get("message"):
        lines.append(result["message"])
    if result.get("late"):
        text = describe_late(result["late"])
        lines.append(text[0].upper() + text[1:] + ".")
    pending = [f"{m['id']} ({m['max_points']:g} points)" for m in result.get("manual", [])
               if m["status"] == "pending"]
    if pending:
        lines.append("Graded by hand later: " + ", ".join(pending) + ".")
    return {"name": "Submission", "status": "passed" if result["status"] == "graded"
            else "failed", "output": "\n".join(lines), "output_format": "text",
            "visibility": "visible"}


def test_entry(test: dict, visible: bool) -> dict:
    """One autograded test as a Gradescope test case."""
    output = f"{test['status']}: {test['message']}" if test["message"] else test["status"]
    return {"name": test["id"], "score": test["points"], "max_score": test["max_points"],
            "status": "passed" if test["status"] == "passed" else "failed",
            "output": output, "output_format": "text",
            "visibility": "visible" if visible else "after_published"}


def results_json(result: dict, visible_tests=(), visibility: str = "after_published") -> dict:
    """Gradescope's results.json for `result`.

    `visible_tests` are the ids of tests that have no hidden part (shown at once);
    `visibility` is the total's (and the default of every entry without its own).
    """
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}, "
                         f"not {visibility!r}")
    tests = [submission_check(result)]
    tests += [test_entry(t, t["id"] in set(visible_tests)) for t in result["tests"]]
    output = (f"{result['assignment']}: {result['status']}, {result['score']:g} of "
              f"{result['max_score']:g} autograded points.")
    results = {
        "score": result["score"], "execution_time": result["seconds"], "output": output,
        "output_format": "text", "test_output_format": "text", "test_name_format": "text",
        "visibility": visibility, "stdout_visibility": "hidden", "tests": tests,
        "extra_data": {"status": result["status"], "late": result.get("late"),
                       "isolation": result.get("isolation", {})},
    }
    if result.get("leaderboard"):
        results["leaderboard"] = result["leaderboard"]
    return results


def validate(results: dict) -> None:
    """Raise `jsonschema.ValidationError` unless `results` follows Gradescope's specification."""
    import jsonschema

    jsonschema.validate(results, json.loads(SCHEMA.read_text()))
