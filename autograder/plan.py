"""A grading plan: the fixed, sorted list of submissions that index processes share.

    plan = make_plan(source_dir, "01_simple_cnn", submissions_dir)   # a dict, JSON as is
    mine = select(plan, index=3, of=8)        # the entries index 3 of 8 grades
    problems = plan_problems(plan, source_dir, submissions_dir, mine)  # [] when it still holds

A plan's JSON:

    {"format": 1, "assignment": "01_simple_cnn",
     "provenance": {source, tests, grader, packages}   (autograder.provenance.current)
     "submissions": [{"student", "path" (relative to SUBMISSIONS, POSIX), "sha256"}, ...]}

Submissions are sorted by student id, so every process that reads the plan numbers them
the same way: without `of`, index K grades submission K alone; with `of` N, it grades every
submission i with i % N == K.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from autograder import provenance
from autograder.result import sha256
from autograder.submission_folder import discover

FORMAT = 1
INDEX_VARIABLES = ("JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID")


class PlanError(ValueError):
    """The plan cannot be used as it is; the message says what to do."""


def make_plan(source_dir: Path, assignment: str, submissions: Path) -> dict:
    """The plan of grading every submission of `submissions` as `assignment`."""
    from autograder.hidden import load_assignment

    notebook_name = load_assignment(Path(source_dir), assignment).notebook.name
    found = discover(Path(submissions), assignment, notebook_name)
    entries = [{"student": student, "path": path.relative_to(submissions).as_posix(),
                "sha256": sha256(path)} for student, path in sorted(found.items())]
    return {"format": FORMAT, "assignment": assignment,
            "provenance": provenance.current(source_dir, assignment), "submissions": entries}


def load_plan(path: Path) -> dict:
    """A plan read from `path`; `PlanError` when it is not one."""
    try:
        plan = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise PlanError(f"cannot read the plan {path}: {error}; make one with "
                        "`python -m autograder plan ASSIGNMENT SUBMISSIONS --out plan.json`"
                        ) from None
    if not isinstance(plan, dict) or plan.get("format") != FORMAT or not isinstance(
            plan.get("submissions"), list):
        raise PlanError(f"{path} is not a plan of format {FORMAT}: make it again with "
                        "`python -m autograder plan`")
    return plan


def index_from_environment(environ=os.environ) -> int:
    """K from $JOB_COMPLETION_INDEX (Kubernetes Indexed Job), then $SLURM_ARRAY_TASK_ID."""
    for name in INDEX_VARIABLES:
        value = environ.get(name)
        if value not in (None, ""):
            try:
                return int(value)
            except ValueError:
                raise PlanError(f"${name} is {value!r}, not a whole number") from None
    raise PlanError("no index: pass --index K, or run as a Kubernetes Indexed Job "
                    "($JOB_COMPLETION_INDEX) or a Slurm array job ($SLURM_ARRAY_TASK_ID)")


def count(plan: dict, of: int | None = None) -> int:
    """How many indexes the plan has: one per submission, or `of` shards."""
    return of if of is not None else len(plan["submissions"])


def select(plan: dict, index: int, of: int | None = None) -> list[dict]:
    """The plan's entries that index `index` grades (one, or shard `index` of `of`)."""
    entries = plan["submissions"]
    if of is not None and of < 1:
        raise PlanError(f"--of must be at least 1, not {of}")
    total = count(plan, of)
    if not 0 <= index < total:
        raise PlanError(f"index {index} is outside 0..{total - 1} "
                        + (f"(--of {of})" if of is not None else
                           f"(one index per submission; the plan has {len(entries)})"))
    if of is None:
        return [entries[index]]
    return [entry for i, entry in enumerate(entries) if i % of == index]


def plan_problems(plan: dict, source_dir: Path, submissions: Path,
                  entries: list[dict]) -> list[str]:
    """Why the plan no longer describes what would be graded now ([] when it does).

    Checks the plan's provenance against the current source, grader and packages, and the
    notebooks of `entries` against their planned hashes.
    """
    problems = []
    changed = provenance.differences(plan.get("provenance"), provenance.current(
        source_dir, plan["assignment"]))
    problems += [f"the plan is stale: {part} changed ({why})" for part, why in changed.items()]
    for entry in entries:
        now = sha256(Path(submissions) / entry["path"])
        if now != entry["sha256"]:
            problems.append(f"the notebook of {entry['student']} ({entry['path']}) "
                            + ("is missing" if now is None else "changed since the plan"))
    return problems
