"""Each test's status: first in the student's kernel, then with the clean room's verdict.

A test passes only when it passed in the student's kernel (nbgrader's score, no error,
nothing on stderr) and its hidden region passed again in the clean room on the same
captured objects. Statuses: passed, partial, failed, error, timeout, missing, tampered.

Partial credit: a hidden test whose last statement is an expression with a number (e.g.
`cnnkit.grading.compact_accuracy_points(...)`) scores that many points, in nbgrader's
kernel and again in the clean room; the test earns the lower of the two (`partial`
when that is above 0 and below its points).
"""

from __future__ import annotations

from autograder.hidden import Assignment, Test


def kernel_outcome(cell) -> tuple[str, str] | None:
    """(status, message) of a grade cell that did not pass in the student's kernel."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
            if ename == "NotRun":
                return "not run", evalue
            if ename in ("Timeout", "KernelDied"):
                return ("timeout" if ename == "Timeout" else "error"), evalue
            failed = ename in ("AssertionError", "CheckFailed")  # CheckFailed: cnnkit.checks
            return ("failed" if failed else "error"), f"{ename}: {evalue}"
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            first = output.get("text", "").strip().splitlines()[:1]
            return "failed", "the test wrote to stderr (nbgrader scores that 0): " + "".join(
                first)[:300]
    return None


def kernel_outcomes(assignment: Assignment, graded, scores: dict, missing: list[str],
                    status: str) -> dict[str, tuple[str, str] | None]:
    """{test id: (status, message) if it did not pass in the student's kernel, else None}."""
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in graded.cells
             if c.metadata.get("nbgrader", {}).get("grade")}
    outcomes = {}
    for test in assignment.autograded:
        if test.id in missing or test.id not in cells:
            outcomes[test.id] = ("missing", "this test cell is not in the notebook (deleted, or "
                                 "its nbgrader metadata removed): it cannot be graded")
            continue
        outcome = kernel_outcome(cells[test.id])
        if outcome and outcome[0] == "not run":
            outcome = ("timeout" if status == "timeout" else "error", outcome[1])
        if outcome is None and not (scores.get(test.id) or 0) > 0:
            outcome = ("failed", f"nbgrader gave 0 of {test.points:g}")
        outcomes[test.id] = outcome
    return outcomes


def merge(test: Test, room: dict | None, kernel_points: float) -> tuple[str, str, float]:
    """The final (status, message, points) of a test that scored `kernel_points` (> 0) in
    the student's kernel without an error."""
    if room is None:  # a test the contract does not let us replay
        return _scored(test, kernel_points, f"not verified in a clean kernel: {test.problem}")
    if room["status"] == "passed":
        points = min(kernel_points, room.get("points", test.points))
        message = ""
        if points < kernel_points:
            message = (f"{kernel_points:g} points in your kernel, {points:g} in the clean-room "
                       "check on the same objects")
        return _scored(test, points, message)
    if room["status"] == "missing":
        return "missing", missing_message(room.get("missing") or []), 0.0
    if room["status"] == "failed":
        return "tampered", ("passed in your kernel but failed the clean-room check "
                            f"on the same objects: {room['message']}"), 0.0
    return "error", f"the clean-room check could not run: {room['message']}", 0.0


def _scored(test: Test, points: float, message: str) -> tuple[str, str, float]:
    """(passed | partial | failed, message, points) of a test that ran without an error."""
    points = max(0.0, min(float(points), test.points))
    if points >= test.points:
        return "passed", message, points
    note = f"{points:g} of {test.points:g} points (partial credit)"
    return ("partial" if points > 0 else "failed"), "; ".join(filter(None, [note, message])), \
        points


def missing_message(names: list[str]) -> str:
    """What a student reads when a test passed in their kernel but its objects were not saved.

    It names the variables (never hidden code), says why a copy goes missing and what to do.
    """
    quoted = [f"`{name}`" for name in names] or ["the objects it checks"]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return (f"passed in your kernel, but the grader found no saved copy of {listed} from when "
            "this test ran, so it could not check them again in a clean kernel. The test saves "
            "them itself with cnnkit.grading.capture; the copy goes missing when the notebook "
            "replaces or changes cnnkit's functions, or deletes files while it runs. Run the "
            "notebook from the top (Kernel > Restart & Run All) without redefining anything "
            "of cnnkit, with these variables defined before this test cell.")
