"""The autograder's command line.

    python -m autograder grade ASSIGNMENT NOTEBOOK [--json OUT] [--gradescope OUT]
                               [--timeout S] [--cell-timeout S] [--memory GIB] [--source DIR]
    python -m autograder batch ASSIGNMENT DIR --out OUTDIR [--workers N] [--force] [--source DIR]
    python -m autograder check [ASSIGNMENT ...] [--source DIR]

`grade` exits 0 when a result was produced (any score, also for a timed-out or crashed
submission), 1 when the submission was rejected (the JSON is still written), 2 when the
grader itself failed. `batch` exits 0 when every submission has a result, 2 otherwise.
`check` verifies that hidden tests can be replayed (exit 1 if not).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from pathlib import Path

from autograder import REPO
from autograder.course import Course
from autograder.errors import GraderError
from autograder.files import write_json
from autograder.hidden import assignments, contract_problems, load_assignment
from autograder.options import Options
from autograder.pipeline import grade
from autograder.report import gradescope, table


def _options(parser: argparse.ArgumentParser) -> None:
    defaults = Options()
    parser.add_argument("--source", type=Path, default=REPO / "source",
                        help="the course's source/ folder (default: the repository's)")
    parser.add_argument("--timeout", type=int, default=defaults.timeout,
                        help=f"seconds for the whole notebook (default {defaults.timeout})")
    parser.add_argument("--cell-timeout", type=int, default=defaults.cell_timeout,
                        help=f"seconds per cell (default {defaults.cell_timeout})")
    parser.add_argument("--memory", type=float, default=defaults.memory_gib,
                        help=f"memory limit in GiB (default {defaults.memory_gib:g})")


def options_from(args) -> Options:
    return Options.from_cli(args.timeout, args.cell_timeout, args.memory)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n")[0])
    commands = main.add_subparsers(dest="command", required=True)
    one = commands.add_parser("grade", help="grade one submission and print a per-test table")
    one.add_argument("assignment")
    one.add_argument("notebook", type=Path)
    one.add_argument("--json", type=Path, help="write the result as JSON here")
    one.add_argument("--gradescope", type=Path, help="write Gradescope's results.json here")
    one.add_argument("--student", default="student", help="student id (default: student)")
    _options(one)
    many = commands.add_parser("batch", help="grade every submission in a folder")
    many.add_argument("assignment")
    many.add_argument("submissions", type=Path)
    many.add_argument("--out", type=Path, required=True)
    many.add_argument("--workers", type=int, default=1)
    many.add_argument("--force", action="store_true", help="regrade submissions already graded")
    many.add_argument("--course", type=Path,
                      help="nbgrader course directory to record grades in (default OUT/course)")
    _options(many)
    check = commands.add_parser("check", help="check that hidden tests can be replayed")
    check.add_argument("assignments", nargs="*")
    check.add_argument("--source", type=Path, default=REPO / "source")
    return main


def run_grade(args) -> int:
    with tempfile.TemporaryDirectory(prefix="cnnkit-course-") as scratch:
        try:
            course = Course(Path(scratch) / "course", args.source, args.assignment)
            course.setup()
            result = grade(course, args.student, args.notebook, options_from(args))
        except (GraderError, ValueError, OSError) as error:
            print(f"grader failure: {error}", file=sys.stderr)
            return 2
        except Exception:
            traceback.print_exc()
            print("grader failure (see the traceback above)", file=sys.stderr)
            return 2
    result["notebook"] = str(args.notebook)
    try:
        if args.json:
            write_json(args.json, result)
        if args.gradescope:
            write_json(args.gradescope, gradescope(result))
    except OSError as error:
        print(f"grader failure: cannot write the result: {error}", file=sys.stderr)
        return 2
    print(table(result))
    return 1 if result["status"] == "rejected" else 0


def run_check(args) -> int:
    names = args.assignments or assignments(args.source)
    problems = [p for name in names for p in contract_problems(load_assignment(args.source, name))]
    for problem in problems:
        print(problem)
    if not problems:
        print(f"ok: the hidden tests of {', '.join(names)} can be replayed")
    return 1 if problems else 0


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    if args.command == "grade":
        return run_grade(args)
    if args.command == "check":
        return run_check(args)
    from autograder.batch import run_batch

    return run_batch(args)


if __name__ == "__main__":
    raise SystemExit(main())
