"""`python -m autograder merge plan.json RESULTS... --out FINAL`: one batch's outputs from
the results folders of a plan's indexes (`autograder.merge`).

Exit status: 0 when merged, 1 when refused (nothing written), 2 when merged but the
grader failed for some submission (their results say so; regrade them later).
"""

from __future__ import annotations

import sys
from pathlib import Path

from autograder.merge import MergeError, collect, write_final
from autograder.plan import PlanError, load_plan, plan_problems


def main(plan: Path, results: list[Path], out: Path, source: Path) -> int:
    """Check and merge `results` of `plan` into `out`."""
    try:
        planned = load_plan(plan)
        problems = plan_problems(planned, source, Path("."), [])
        if problems:
            raise PlanError("; ".join(problems) + ": the final course would be generated "
                            "from another version; grade a new plan")
        found = collect(planned, results)
        write_final(planned, found, source, out)
    except (PlanError, MergeError) as error:
        print(f"refusing to merge: {error}", file=sys.stderr)
        return 1
    failed = [s for s, (r, _) in found.items() if r["status"] == "error"]
    print(f"merged {len(found)} results of {planned['assignment']} into {out} "
          f"(grades.csv, feedback/, course/)", flush=True)
    if failed:
        print(f"the grader failed for: {', '.join(failed)}", file=sys.stderr)
        return 2
    return 0
