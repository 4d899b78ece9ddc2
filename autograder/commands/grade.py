"""`python -m autograder grade ASSIGNMENT NOTEBOOK`: grade one submission, print its table.

Exit status: 0 when a result was produced (any score, also for a timed-out or crashed
submission), 1 when the submission was rejected (the JSON is still written), 2 when the
grader itself failed.
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from pathlib import Path

from autograder.course import Course
from autograder.deadlines import Deadline, parse_time
from autograder.errors import GraderError
from autograder.files import write_json
from autograder.gradescope.results import results_json
from autograder.options import Options
from autograder.pipeline import grade
from autograder.report import table


def main(assignment: str, notebook: Path, source: Path, options: Options,
         student: str = "student", json_path: Path | None = None,
         gradescope_path: Path | None = None, submitted_at: str | None = None,
         due: str | None = None) -> int:
    """Grade `notebook` as `assignment` of the course `source`; write JSON where asked.

    `submitted_at` and `due` (ISO 8601) give the deadline (`autograder.deadlines`).
    """
    try:
        deadline = Deadline(parse_time(submitted_at), parse_time(due))
    except ValueError as error:
        print(f"bad date: {error}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="cnnkit-course-") as scratch:
        try:
            course = Course(Path(scratch) / "course", source, assignment)
            course.setup()
            result = grade(course, student, notebook, options, deadline=deadline)
            visible = [t.id for t in course.assignment.autograded if not t.hidden.strip()]
        except (GraderError, ValueError, OSError) as error:
            print(f"grader failure: {error}", file=sys.stderr)
            return 2
        except Exception:
            traceback.print_exc()
            print("grader failure (see the traceback above)", file=sys.stderr)
            return 2
    result["notebook"] = str(notebook)
    try:
        if json_path:
            write_json(json_path, result)
        if gradescope_path:
            write_json(gradescope_path, results_json(result, visible))
    except OSError as error:
        print(f"grader failure: cannot write the result: {error}", file=sys.stderr)
        return 2
    print(table(result))
    return 1 if result["status"] == "rejected" else 0
