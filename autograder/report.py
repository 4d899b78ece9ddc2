"""Results rendered: a terminal table, Markdown, a grades CSV.

A result is defined in `autograder.result`; Gradescope's results.json is made by
`autograder.gradescope.results`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path


def table(result: dict) -> str:
    """A per-test table of one result, for the terminal and CI summaries."""
    head = (f"{result['assignment']} · {Path(result['notebook']).name} · {result['status']} · "
            f"{result['score']:g} / {result['max_score']:g} points · {result['seconds']:.0f} s")
    lines = [head]
    if result.get("message"):
        lines.append(f"  {result['message']}")
    if result.get("late"):
        lines.append(f"  {describe_late(result['late'])}")
    lines.append(f"  {'test':<26}{'points':>9}  {'status':<9} message")
    for test in result["tests"]:
        points = f"{test['points']:g} / {test['max_points']:g}"
        message = test["message"].replace("\n", " ")
        message = message if len(message) <= 90 else message[:87] + "..."
        lines.append(f"  {test['id']:<26}{points:>9}  {test['status']:<9} {message}".rstrip())
    for manual in result.get("manual", []):
        note = {"pending": "graded by hand", "graded": "graded by hand"}.get(
            manual["status"], "answer cell missing")
        points = f"{_manual_points(manual)} / {manual['max_points']:g}"
        lines.append(f"  {manual['id']:<26}{points:>9}  manual    {note}")
    isolation = result.get("isolation") or {}
    if isolation:
        lines.append("  isolation: " + describe_isolation(isolation))
    return "\n".join(lines)


def describe_late(late: dict) -> str:
    """One line on the submission time, the due date and the late penalty."""
    text = f"submitted {late['submitted_at']}"
    if late.get("due"):
        text += f", due {late['due']}"
    if late["seconds_late"] > 0:
        text += (f": LATE by {late['seconds_late'] / 3600:.1f} h, penalty "
                 f"{late['penalty']:g} points")
    else:
        text += ": on time"
    return text


def describe_isolation(isolation: dict) -> str:
    parts = [isolation.get("sandbox", "?"),
             "network off" if not isolation.get("network") else "network ON",
             f"memory {isolation.get('memory_limit_gib'):g} GiB "
             f"({isolation.get('memory_limit_by')})",
             f"{isolation.get('process_limit')} processes",
             isolation.get("cpus") and
             f"{isolation['cpus']} CPUs ({isolation.get('cpu_limit_by')})",
             isolation.get("user", "")]
    text = ", ".join(p for p in parts if p)
    if isolation.get("weaker_because"):
        text += f"; WEAKER: {isolation['weaker_because']}"
    return text


def markdown(result: dict) -> str:
    """The table as GitHub-flavoured Markdown (the CI job summary)."""
    lines = [f"### {result['assignment']}: {result['score']:g} / {result['max_score']:g} points "
             f"({result['status']})", ""]
    if result.get("message"):
        lines += [result["message"], ""]
    if result.get("late"):
        lines += [describe_late(result["late"]), ""]
    lines += ["| test | points | status | message |", "| --- | ---: | --- | --- |"]
    for test in result["tests"]:
        message = test["message"].replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {test['id']} | {test['points']:g} / {test['max_points']:g} | "
                     f"{test['status']} | {message} |")
    for manual in result.get("manual", []):
        note = "graded by hand" if manual["status"] == "graded" else "graded by hand later"
        lines.append(f"| {manual['id']} | {_manual_points(manual, '–')} / "
                     f"{manual['max_points']:g} | manual | {note} |")
    if result.get("isolation"):
        lines += ["", f"Isolation: {describe_isolation(result['isolation'])}"]
    return "\n".join(lines) + "\n"


def _manual_points(manual: dict, blank: str = "-") -> str:
    return format(manual["points"], "g") if manual["status"] == "graded" else blank


def grades_csv(results: list[dict], test_ids: list[str]) -> str:
    """One row per student: status, autograded score, the points of every autograded test,
    then of every written answer (`pending` until graded by hand, `missing`) and the total
    of record (`autograder.manual.points_of_record`)."""
    from autograder.manual import points_of_record

    manual_ids = list(dict.fromkeys(m["id"] for r in results for m in r.get("manual", [])))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student", "status", "score", "max_score", *test_ids, *manual_ids,
                     "total", "total_max", "message"])
    for result in sorted(results, key=lambda r: r["student"]):
        points = {t["id"]: t["points"] for t in result["tests"]}
        manual = {m["id"]: m for m in result.get("manual", [])}
        total, possible, _ = points_of_record(result)
        writer.writerow([result["student"], result["status"], f"{result['score']:g}",
                         f"{result['max_score']:g}",
                         *[f"{points.get(i, 0):g}" for i in test_ids],
                         *[_manual_points(manual[i], manual[i]["status"]) if i in manual
                           else "missing" for i in manual_ids],
                         f"{total:g}", f"{possible:g}", result.get("message", "")])
    return out.getvalue()
