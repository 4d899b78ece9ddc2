"""`python -m autograder gradescope ASSIGNMENT --out autograder.zip`: Gradescope's package.

Exit status 0 when the zip was written, 2 when the assignment or the limits are wrong.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder import REPO
from autograder.gradescope import MAX_MINUTES, MEMORY_MB


def register(commands) -> None:
    """Add this command's parser to the subparsers `commands` of `python -m autograder`."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "gradescope", help="build Gradescope's autograder.zip")
    parser.add_argument("assignment")
    parser.add_argument("--out", type=Path, required=True, help="the zip to write")
    parser.add_argument("--minutes", type=int, default=MAX_MINUTES,
                        help=f"the assignment's timeout set on Gradescope (default {MAX_MINUTES})")
    parser.add_argument("--memory-mb", type=int, default=MEMORY_MB,
                        help=f"the container's memory on Gradescope (default {MEMORY_MB})")
    parser.add_argument("--visibility", default="after_published",
                        choices=["hidden", "after_due_date", "after_published", "visible"],
                        help="when students see the total (default after_published)")
    parser.add_argument("--source", type=Path, default=REPO / "source")


def main(assignment: str, out: Path, source: Path, minutes: int, memory_mb: int,
         visibility: str) -> int:
    """Build the package of `assignment` into `out` and say what it holds."""
    from autograder.gradescope.package import build, limits

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
    if memory_mb <= MEMORY_MB:
        print(f"warning: {memory_mb} MB is too little for a TensorFlow kernel (01's reference "
              "died in Gradescope's default 768 MB; the kit's tests grade it in 4096 MB): "
              "choose a larger container on Gradescope and rebuild with --memory-mb",
              file=sys.stderr)
    return 0
