"""What `run_autograder` runs: grade /autograder/submission, write results/results.json.

    python -m autograder.gradescope.run [--root /autograder]

The root is `--root`, else `$CNNKIT_GRADESCOPE_ROOT`, else /autograder (Gradescope's):
ROOT/source holds the unpacked package (`autograder.gradescope.package`), ROOT/submission
the student's files, ROOT/submission_metadata.json the submission time and due dates.
The submission is the one notebook in ROOT/submission (the one named like the
assignment's notebook when there are several). A missing or wrong notebook is a visible
failed check; when the grader itself fails, results.json still says so. Exit status 0
whenever results.json was written.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

from autograder.gradescope import ROOT_ENV

STUDENT = "student"


def find_notebook(folder: Path, name: str) -> tuple[Path, str | None]:
    """(the submitted notebook, None), or (a path that is not there, why) when there is no
    single notebook to grade."""
    found = [p for p in sorted(Path(folder).rglob("*.ipynb"))
             if not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    named = [p for p in found if p.name == name]
    if len(named) == 1 or len(found) == 1:
        return (named or found)[0], None
    if not found:
        return Path(folder) / name, f"no notebook (.ipynb) in the submission: upload {name}"
    listed = ", ".join(str(p.relative_to(folder)) for p in found[:5])
    return Path(folder) / name, (f"{len(found)} notebooks in the submission ({listed}): "
                                 f"upload only {name}")


def grade_submission(root: Path, config: dict) -> tuple[dict, list[str]]:
    """(the result of ROOT/submission, ids of the tests without hidden parts)."""
    from autograder.course import Course
    from autograder.deadlines import from_gradescope
    from autograder.errors import GraderError
    from autograder.hidden import load_assignment
    from autograder.options import Options
    from autograder.pipeline import grade
    from autograder.result import grader_failed, rejected

    source = root / "source" / "kit" / "source"
    assignment = load_assignment(source, config["assignment"])
    visible = [t.id for t in assignment.autograded if not t.hidden.strip()]
    if os.geteuid() == 0:  # without bubblewrap, permissions hide the submission folder
        subprocess.run(["chmod", "-R", "o-rwx", str(root / "submission")], check=False)
    notebook, problem = find_notebook(root / "submission", assignment.notebook.name)
    if problem:
        return rejected(assignment, STUDENT, notebook, problem).to_json(), visible
    metadata_path = root / "submission_metadata.json"
    deadline = None
    if metadata_path.exists():
        deadline = from_gradescope(json.loads(metadata_path.read_text()))
    options = Options(timeout=config["timeout"], cell_timeout=config["cell_timeout"],
                      replay_timeout=config["replay_timeout"], memory_gib=config["memory_gib"])
    with tempfile.TemporaryDirectory(prefix="cnnkit-gradescope-") as scratch:
        try:
            course = Course(Path(scratch) / "course", source, assignment.name)
            course.setup()
            result = grade(course, STUDENT, notebook, options, deadline=deadline)
        except (GraderError, OSError) as error:
            traceback.print_exc()
            result = grader_failed(assignment, STUDENT, notebook, str(error)[-500:]).to_json()
    result["notebook"] = notebook.name
    return result, visible


def failure(error: str) -> dict:
    """results.json when not even the assignment could be read: one visible failed check."""
    from autograder.gradescope.results import STATUS_TEXT

    return {"score": 0, "output": "The autograder failed.", "output_format": "text",
            "visibility": "visible", "stdout_visibility": "hidden",
            "tests": [{"name": "Submission", "status": "failed", "output_format": "text",
                       "visibility": "visible",
                       "output": f"{STATUS_TEXT['error']}\n{error}"}]}


def run(root: Path) -> dict:
    """Grade ROOT/submission and write ROOT/results/results.json; returns what it wrote."""
    from autograder.files import write_json
    from autograder.gradescope.results import results_json

    try:
        config = json.loads((root / "source" / "gradescope.json").read_text())
        result, visible = grade_submission(root, config)
        results = results_json(result, visible, config["visibility"])
    except Exception as error:  # results.json is written whatever happened
        traceback.print_exc()
        results = failure(f"{type(error).__name__}: {error}"[-1000:])
    write_json(root / "results" / "results.json", results)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path,
                        default=Path(os.environ.get(ROOT_ENV, "/autograder")))
    args = parser.parse_args(argv)
    results = run(args.root.resolve())
    print(json.dumps({k: results.get(k) for k in ("score", "output")}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
