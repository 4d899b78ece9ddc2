"""Grade the notebook in a checked-out student repository with the full grader (instructor side).

    python -m autograder.ci --assignment 01_simple_cnn --submission ../submission \
        --out ../results [--min-score 6] [--source DIR] [grade options...]

Finds the submitted notebook in the submission folder (the one named like the
assignment's notebook; the shallowest if there are several), grades it as
`python -m autograder grade` does (in this process), leaves `result.json` and
Gradescope's `results.json` in OUT, prints the per-test table and appends it as Markdown to
`$GITHUB_STEP_SUMMARY` when that is set.

Exit status: 0 when the submission got a result (whatever the score, and also when it
was rejected or missing), 1 when `--min-score` is given and the score is below it, 2 when
the grader failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from autograder import REPO
from autograder.__main__ import main as autograder
from autograder.files import write_json
from autograder.hidden import load_assignment
from autograder.report import markdown


def find_notebook(folder: Path, name: str) -> Path | None:
    """The submitted notebook called `name` under `folder` (shallowest first), or None."""
    found = [p for p in Path(folder).rglob(name)
             if not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    return min(found, key=lambda p: (len(p.parts), str(p))) if found else None


def summarize(text: str) -> None:
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a") as handle:
            handle.write(text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--submission", type=Path, default=Path("."))
    parser.add_argument("--out", type=Path, default=Path("autograder-results"))
    parser.add_argument("--min-score", type=float, default=None)
    parser.add_argument("--source", type=Path, default=REPO / "source")
    args, grade_options = parser.parse_known_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    result_path = args.out / "result.json"
    try:
        assignment = load_assignment(args.source, args.assignment)
    except (OSError, ValueError) as error:
        print(f"grader failure: {error}", file=sys.stderr)
        summarize(f"### Autograder failure\n\n{error}\n")
        return 2
    notebook = find_notebook(args.submission, assignment.notebook.name)
    if notebook is None:
        notebook = args.submission / assignment.notebook.name  # graded as rejected: missing
    command = ["grade", args.assignment, str(notebook), "--json", str(result_path),
               "--gradescope", str(args.out / "results.json"), "--source", str(args.source),
               *grade_options]
    try:
        code = autograder(command)
    except SystemExit as refused:  # argparse refused the grade options
        code = refused.code
    sys.stdout.flush()
    if code == 2 or not result_path.exists():
        summarize("### Autograder failure\n\nThe grader itself failed; see the job log.\n")
        return 2
    result = json.loads(result_path.read_text())
    summarize(markdown(result))
    if args.min_score is not None and result["score"] < args.min_score:
        print(f"score {result['score']:g} is below the minimum {args.min_score:g}")
        return 1
    write_json(result_path, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
