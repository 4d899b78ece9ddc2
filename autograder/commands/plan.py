"""`python -m autograder plan ASSIGNMENT DIR --out plan.json`: the plan index processes share.

See `autograder.plan` for its contents and `batch --plan` for its use.
"""

from __future__ import annotations

import sys
from pathlib import Path

from autograder.files import write_json
from autograder.plan import make_plan


def main(assignment: str, submissions: Path, out: Path, source: Path) -> int:
    """Write the plan of `submissions` to `out`; exit 1 on bad input."""
    try:
        plan = make_plan(source, assignment, submissions)
    except (ValueError, OSError) as error:
        print(f"cannot make a plan: {error}", file=sys.stderr)
        return 1
    write_json(out, plan)
    count = len(plan["submissions"])
    print(f"{count} submissions of {assignment} in {out}: grade them with "
          f"`python -m autograder batch {assignment} {submissions} --plan {out} --index K "
          f"--out RESULTS` for K in 0..{count - 1} (or --of N for N shards), then "
          f"`python -m autograder merge {out} RESULTS... --out FINAL`")
    return 0
