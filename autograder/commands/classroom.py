"""`python -m autograder classroom [NOTEBOOK ...]`: the visible checks, reported to Classroom.

Runs in a student's repository (`autograder/github-classroom.yml`): executes the
notebook(s) (default: every notebook under `--root` with autograded cells), prints a
per-check table, and, inside GitHub Actions, appends `<RUNNER>_RESULTS=<base64 JSON>` for
every check to `$GITHUB_ENV`, `runners=<ids>` to `$GITHUB_OUTPUT` (the inputs of
Classroom's grading reporter, see `autograder.classroom`) and a Markdown table to
`$GITHUB_STEP_SUMMARY`. Exit status 0 whenever results were written, also when checks
fail or the notebook is missing (then one `error` runner says so); the reporter fails
the job.
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path

from autograder.options import Options


def register(commands) -> None:
    """Add this command's parser to the subparsers `commands` of `python -m autograder`."""
    defaults = Options()
    parser = commands.add_parser("classroom", help="run a notebook's visible checks and "
                                 "report their points to GitHub Classroom")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="default: every notebook under --root with autograded cells")
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument("--notebook-timeout", type=int, default=defaults.timeout,
                        help=f"seconds per notebook (default {defaults.timeout})")
    parser.add_argument("--cell-seconds", type=int, default=defaults.cell_timeout,
                        help=f"seconds per cell (default {defaults.cell_timeout})")


def _append(variable: str, lines: list[str]) -> None:
    target = os.environ.get(variable)
    if target:
        with open(target, "a") as handle:
            handle.write("".join(line + "\n" for line in lines))


def check(notebooks: list[Path], root: Path, timeout: int, cell_timeout: int) -> dict[str, dict]:
    """{runner id: Classroom runner result} of the visible checks of `notebooks`."""
    from autograder import classroom

    notebooks = notebooks or classroom.find_notebooks(root)
    if not notebooks:
        return classroom.error_result("notebook", f"no notebook with autograded checks under "
                                      f"{Path(root).resolve()}: is the assignment's notebook "
                                      "committed, under its original name?")
    runners = {}
    for path in notebooks:
        try:
            notebook, seconds, note = classroom.run(path, timeout, cell_timeout)
            found = classroom.runner_results(notebook, seconds, str(path), note)
        except Exception as error:  # the student's file must not stop the report
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            found = classroom.error_result(path.stem, f"could not run {path}: {detail}")
        prefix = f"{classroom.runner_id(path.stem)}_" if len(notebooks) > 1 else ""
        runners.update({prefix + name: result for name, result in found.items()})
    return runners


def main(notebooks: list[Path], root: Path, notebook_timeout: int, cell_seconds: int) -> int:
    """Run the checks and write the reporter's inputs; see the module docstring."""
    from autograder import classroom

    runners = check(notebooks, root, notebook_timeout, cell_seconds)
    total, maximum = classroom.points(runners)
    rows = []
    for name, result in runners.items():
        test = result["tests"][0]
        message = str(test["message"]).replace("\n", " ")[:200]
        print(f"{test['status']:<6}{test['score']:>5g} / {result['max_score']:<4g} {name}  "
              f"{message}".rstrip())
        rows.append(f"| {name} | {test['score']:g} / {result['max_score']:g} | "
                    f"{test['status']} | {message.replace('|', chr(92) + '|')} |")
    print(f"Points {total:g}/{maximum:g} from the visible checks")
    _append("GITHUB_ENV", [f"{name.upper()}_RESULTS={classroom.encode(result)}"
                           for name, result in runners.items()])
    _append("GITHUB_OUTPUT", [f"runners={','.join(runners)}"])
    _append("GITHUB_STEP_SUMMARY", [
        f"### Visible checks: {total:g} / {maximum:g} points", "",
        "These checks are the ones in your notebook. Your grade also counts hidden tests "
        "and is computed by the course staff.", "",
        "| check | points | status | message |", "| --- | ---: | --- | --- |", *rows])
    return 0
