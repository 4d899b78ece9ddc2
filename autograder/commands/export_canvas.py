"""`python -m autograder export-canvas RESULTS --roster R --assignment-column C --out F`.

Writes the results in RESULTS (a batch's `<student>.json`) as a CSV for Canvas's
gradebook import (`autograder.exports.canvas`). Exit status 1, and nothing written,
when a grade would be lost or misplaced (each reason printed); warnings (students of
the roster without a result, answers still to grade by hand) are printed too.
"""

from __future__ import annotations

import json
from pathlib import Path


def register(commands) -> None:
    """Add this command's parser to the subparsers `commands` of `python -m autograder`."""
    parser = commands.add_parser("export-canvas", help="write a batch's grades for Canvas's "
                                 "gradebook import")
    parser.add_argument("results", type=Path, help="folder of result JSON files (a batch's OUT)")
    parser.add_argument("--roster", type=Path, required=True,
                        help="the course's Canvas gradebook export (Grades > Export)")
    parser.add_argument("--assignment-column", required=True,
                        help="the Canvas column, 'Assignment name (canvas id)'")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--match-column", default="SIS Login ID",
                        help="the roster column holding our student ids (default: "
                             "SIS Login ID)")


def main(results: Path, roster: Path, assignment_column: str, out: Path,
         match_column: str) -> int:
    """Export; see the module docstring."""
    from autograder.exports.canvas import CanvasExportError, write_canvas_csv

    loaded = []
    for path in sorted(Path(results).glob("*.json")):
        data = json.loads(path.read_text())
        if isinstance(data, dict) and {"student", "score", "status"} <= data.keys():
            loaded.append(data)
    if not loaded:
        print(f"error: no results (<student>.json) in {results}")
        return 1
    try:
        warnings = write_canvas_csv(loaded, roster, out, assignment_column, match_column)
    except (CanvasExportError, OSError) as error:
        print(f"error: {error}")
        return 1
    for warning in warnings:
        print(f"warning: {warning}")
    print(f"{len(loaded)} grades written to {out} for Canvas ({assignment_column})")
    return 0
