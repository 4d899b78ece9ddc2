"""`python -m autograder regrade ASSIGNMENT DIR --out OUTDIR [--dry-run]`: the stale results
of a batch's OUTDIR, listed (`--dry-run`, nothing changes) or regraded (`autograder.regrade`).

Exit status: 0, 1 on bad input, 2 when the grader failed for a submission (its old result
is kept).
"""

from __future__ import annotations

import sys
from pathlib import Path

from autograder.options import Options
from autograder.regrade import describe, find_stale, regrade


def main(assignment: str, submissions: Path, out: Path, source: Path, options: Options,
         dry_run: bool = False, workers: int = 1) -> int:
    """List or regrade the stale results of `out`."""
    try:
        stale = find_stale(source, assignment, submissions, out)
    except (ValueError, OSError) as error:
        print(f"cannot regrade: {error}", file=sys.stderr)
        return 1
    print(f"{len(stale)} stale result(s) of {assignment} in {out}")
    if stale:
        print(describe(stale))
    if dry_run or not stale:
        if dry_run:
            print("dry run: nothing was graded or changed")
        return 0
    changes = regrade(stale, source, assignment, submissions, out, options, workers=workers)
    failed = []
    for student, (old, new) in sorted(changes.items()):
        before = f"{old['score']:g}" if old else "-"
        kept = new["status"] == "error"
        failed += [student] if kept else []
        print(f"{student:<20} {before} -> {new['score']:g}/{new['max_score']:g} {new['status']}"
              + ("  (the grader failed: the old result is kept)" if kept else ""))
    print(f"replaced {len(changes) - len(failed)} result(s); old ones in {out / 'previous'}")
    return 2 if failed else 0
