"""The autograder's command line.

    python -m autograder grade ASSIGNMENT NOTEBOOK [--json OUT] [--gradescope OUT]
                               [--timeout S] [--cell-timeout S] [--memory GIB] [--cpus C]
                               [--source DIR] [--submitted-at TIME] [--due TIME]
    python -m autograder batch ASSIGNMENT DIR --out OUTDIR [--workers N] [--force] [--cpus C]
                               [--source DIR] [--plan PLAN [--index K] [--of N]]
    python -m autograder plan ASSIGNMENT DIR --out PLAN [--source DIR]
    python -m autograder merge PLAN RESULTS... --out FINAL [--source DIR]
    python -m autograder regrade ASSIGNMENT DIR --out OUTDIR [--dry-run] [--workers N]
    python -m autograder check [ASSIGNMENT ...] [--source DIR]
    python -m autograder gradescope ASSIGNMENT --out autograder.zip [--minutes M]
                               [--memory-mb MB] [--visibility V] [--source DIR]

`grade` exits 0 when a result was produced (any score, also for a timed-out or crashed
submission), 1 when the submission was rejected (the JSON is still written), 2 when the
grader itself failed. `batch` exits 0 when every submission has a result, 2 otherwise
(1 when it refuses a stale plan). `merge` exits 1 when it refuses (a missing, duplicated
or stale result), 2 when a merged result is a grader failure. `regrade` lists or regrades
the stale results of a batch's OUTDIR.
`check` verifies that hidden tests can be replayed (exit 1 if not).

This module only parses the command line and dispatches to `autograder.commands.<verb>`,
imported only then: `--help` loads neither nbgrader nor nbformat. Commands listed in
`COMMANDS` declare their own options (`register(subparsers)`) and document themselves
in their module; at the top level they import nothing heavy.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from autograder import REPO
from autograder.options import Options

COMMANDS = ["classroom", "classroom_template", "collect_manual", "export_canvas", "gradescope"]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of CPUs >= 1, got {text!r}")
    return value


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
    parser.add_argument("--cpus", type=_positive, default=defaults.cpus,
                        help="CPUs per grading: a cgroup CPU quota, CPUs of its own where "
                             "free, and TensorFlow/OpenMP thread counts (default: all)")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n")[0])
    commands = main.add_subparsers(dest="command", required=True)
    one = commands.add_parser("grade", help="grade one submission and print a per-test table")
    one.add_argument("assignment")
    one.add_argument("notebook", type=Path)
    one.add_argument("--json", dest="json_path", type=Path, help="write the result as JSON here")
    one.add_argument("--gradescope", dest="gradescope_path", type=Path,
                     help="write Gradescope's results.json here")
    one.add_argument("--student", default="student", help="student id (default: student)")
    one.add_argument("--submitted-at", help="submission time, ISO 8601 (default: nbgrader's "
                     "timestamp.txt beside the notebook, if any)")
    one.add_argument("--due", help="due date, ISO 8601: a later submission gets nbgrader's "
                     "late penalty")
    _options(one)
    many = commands.add_parser("batch", help="grade every submission in a folder")
    many.add_argument("assignment")
    many.add_argument("submissions", type=Path)
    many.add_argument("--out", type=Path, required=True)
    many.add_argument("--workers", type=int, default=1)
    many.add_argument("--force", action="store_true", help="regrade submissions already graded")
    many.add_argument("--course", type=Path,
                      help="nbgrader course directory to record grades in (default OUT/course)")
    many.add_argument("--plan", type=Path, help="grade one index of this plan (see `plan`)")
    many.add_argument("--index", type=int, help="the index K to grade (default: "
                      "$JOB_COMPLETION_INDEX, then $SLURM_ARRAY_TASK_ID)")
    many.add_argument("--of", type=int, help="N: index K grades every submission i with "
                      "i %% N == K (default: one submission per index)")
    _options(many)
    plan = commands.add_parser("plan", help="list the submissions to grade across machines")
    plan.add_argument("assignment")
    plan.add_argument("submissions", type=Path)
    plan.add_argument("--out", type=Path, required=True, help="the plan's JSON file")
    plan.add_argument("--source", type=Path, default=REPO / "source")
    merge = commands.add_parser("merge", help="merge the results of a plan's indexes")
    merge.add_argument("plan", type=Path)
    merge.add_argument("results", type=Path, nargs="+", help="results folders of the indexes")
    merge.add_argument("--out", type=Path, required=True)
    merge.add_argument("--source", type=Path, default=REPO / "source")
    regrade = commands.add_parser("regrade", help="list or regrade a batch's stale results")
    regrade.add_argument("assignment")
    regrade.add_argument("submissions", type=Path)
    regrade.add_argument("--out", type=Path, required=True, help="the batch's OUTDIR")
    regrade.add_argument("--dry-run", action="store_true",
                         help="list whose result is stale and why; change nothing")
    regrade.add_argument("--workers", type=int, default=1)
    _options(regrade)
    check = commands.add_parser("check", help="check that hidden tests can be replayed")
    check.add_argument("assignments", nargs="*")
    check.add_argument("--source", type=Path, default=REPO / "source")
    for name in COMMANDS:  # commands that declare their own options
        importlib.import_module(f"autograder.commands.{name}").register(commands)
    return main


def main(argv=None) -> int:
    options = vars(parser().parse_args(argv))
    verb = options.pop("command")
    if "timeout" in options:
        options["options"] = Options.from_cli(options.pop("timeout"), options.pop("cell_timeout"),
                                              options.pop("memory"), options.pop("cpus"))
    command = importlib.import_module(f"autograder.commands.{verb.replace('-', '_')}")
    return command.main(**options)


if __name__ == "__main__":
    raise SystemExit(main())
