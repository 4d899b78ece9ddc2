"""`python -m autograder collect-manual ASSIGNMENT OUTDIR`: take in the grades given by hand.

After an instructor has graded the written answers with nbgrader's formgrader in the
batch's course (`OUTDIR/course`, or `--course`), this reads the scores from its gradebook
into every `OUTDIR/<student>.json` (`manual` entries become `graded` with `points`),
rewrites `OUTDIR/grades.csv` (written answers and the total of record) and regenerates
`OUTDIR/feedback/<student>.html` with nbgrader's generate_feedback. Exit status 1 when a
gradebook submission has no result in OUTDIR or a result has no gradebook submission.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder import manual


def register(commands) -> None:
    """Add this command's parser to the subparsers `commands` of `python -m autograder`."""
    parser = commands.add_parser("collect-manual", help="read the grades given by hand in "
                                 "formgrader into a batch's results")
    parser.add_argument("assignment")
    parser.add_argument("out", type=Path, help="the batch's output folder")
    parser.add_argument("--course", type=Path,
                        help="the batch's nbgrader course (default OUT/course)")
    parser.add_argument("--source", type=Path, help="the course's source/ folder "
                        "(default: the repository's); only for the feedback")


def main(assignment: str, out: Path, course: Path | None = None,
         source: Path | None = None) -> int:
    """Apply the gradebook's manual scores to the results in `out`; see the module docstring."""
    from autograder import REPO
    from autograder.course import Course
    from autograder.outputs import write_outputs

    course_root = Path(course or Path(out) / "course")
    try:
        scores = manual.collect(course_root, assignment)
    except ValueError as error:
        print(f"error: {error}")
        return 2
    results, problems = {}, []
    for path in sorted(Path(out).glob("*.json")):
        result = json.loads(path.read_text())
        if result.get("assignment") != assignment:
            continue
        student = result["student"]
        results[student] = result
        if student not in scores:
            if result["status"] not in ("rejected", "error"):
                problems.append(f"{student}: graded in {out} but not in the gradebook "
                                f"{course_root / 'gradebook.db'}")
            continue
        for note in manual.apply(result, scores[student]):
            print(f"note: {note}")
    problems += [f"{student}: in the gradebook but no {student}.json in {out}"
                 for student in sorted(set(scores) - set(results))]
    write_outputs(Course(course_root, source or REPO / "source", assignment), Path(out), results)
    pending = sorted(s for s, r in results.items() if manual.points_of_record(r)[2])
    print(f"{len(results)} results of {assignment} updated from {course_root / 'gradebook.db'}"
          + (f"; written answers still to grade: {', '.join(pending)}" if pending else ""))
    for problem in problems:
        print(f"error: {problem}")
    return 1 if problems else 0
