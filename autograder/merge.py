"""Merging the results folders of a plan's indexes into the outputs of one batch.

    found = collect(plan, [Path("results-0"), Path("results-1")])   # or MergeError
    write_final(plan, found, source_dir, Path("final"))

`collect` accepts the folders only when every planned submission has exactly one result,
made from the planned notebook with the plan's provenance, whose nbgrader part is
complete and from the same run. `write_final` then writes, serially, everything `batch`
writes (`autograder.outputs`) and one nbgrader course holding every student.
"""

from __future__ import annotations

from pathlib import Path

from autograder import provenance, results_folder
from autograder.course import Course
from autograder.outputs import write_outputs


class MergeError(ValueError):
    """The results cannot be merged; the message names each problem and what to do."""


def collect(plan: dict, folders: list[Path]) -> dict[str, tuple[dict, dict]]:
    """{student: (result, nbgrader part)} of every planned submission, in plan order."""
    where: dict[str, list[Path]] = {}
    for folder in folders:
        if not Path(folder).is_dir():
            raise MergeError(f"{folder} is not a folder of results")
        for student in results_folder.students(folder):
            where.setdefault(student, []).append(Path(folder))
    planned = {e["student"]: (i, e) for i, e in enumerate(plan["submissions"])}
    problems = [f"{s}: a result in {', '.join(map(str, where[s]))} that the plan does not "
                "list (from another plan? move it out of the results folder)"
                for s in sorted(set(where) - set(planned))]
    found = {}
    for student, (i, entry) in planned.items():
        folders_of = where.get(student, [])
        rerun = f"rerun plan entry {i} (--index {i}, or --index {i} % N with --of N)"
        if not folders_of:
            problems.append(f"{student}: no result; {rerun}")
            continue
        if len(folders_of) > 1:
            problems.append(f"{student}: a result in each of {', '.join(map(str, folders_of))}; "
                            "keep the one you want, remove the others")
            continue
        result = results_folder.load_result(folders_of[0], student)
        stale = provenance.stale_reasons(result, entry["sha256"], plan["provenance"],
                                         retry_errors=False)
        if stale:
            why = "; ".join(f"{part}: {text}" for part, text in stale.items())
            problems.append(f"{student}: the result in {folders_of[0]} does not match the "
                            f"plan ({why}); {rerun} with this plan")
            continue
        try:
            found[student] = (result, results_folder.load_part(folders_of[0], student))
        except results_folder.ResultsError as error:
            problems.append(f"{student}: {error}")
    if problems:
        raise MergeError(f"cannot merge {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return found


def write_final(plan: dict, found: dict[str, tuple[dict, dict]], source_dir: Path,
                out: Path) -> Course:
    """Write every output of a batch of `plan` into `out` from `found` (see `collect`)."""
    out = Path(out).resolve()
    if (out / "course").exists():
        raise MergeError(f"{out / 'course'} exists already (manual grades there would be "
                         "lost): merge into a new folder")
    course = Course(out / "course", source_dir, plan["assignment"])
    course.setup()
    for student, (_, part) in found.items():
        results_folder.place(course, student, part)
    write_outputs(course, out, {s: result for s, (result, _) in sorted(found.items())})
    return course
