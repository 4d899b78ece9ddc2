"""`python -m autograder gradescope ASSIGNMENT --out autograder.zip`: Gradescope's package.

Exit status 0 when the zip was written, 2 when the assignment or the limits are wrong.
"""

from __future__ import annotations

import sys
from pathlib import Path

from autograder.gradescope.package import build, limits


def main(assignment: str, out: Path, source: Path, minutes: int, memory_mb: int,
         visibility: str) -> int:
    """Build the package of `assignment` into `out` and say what it holds."""
    try:
        build(assignment, out, source, minutes=minutes, memory_mb=memory_mb,
              visibility=visibility)
        grading = limits(minutes, memory_mb)
    except (ValueError, OSError) as error:
        print(f"cannot build the package: {error}", file=sys.stderr)
        return 2
    print(f"{out}: {assignment} for Gradescope ({minutes} min, {memory_mb} MB; notebook "
          f"{grading['timeout']} s, clean room {grading['replay_timeout']} s; total shown "
          f"{visibility}). Upload it under Configure Autograder and set the same timeout and "
          "memory there.")
    return 0
