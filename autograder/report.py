"""Results rendered: a terminal table, Markdown, Gradescope's results.json, a grades CSV.

A result is defined in `autograder.result`.
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
    lines.append(f"  {'test':<26}{'points':>9}  {'status':<9} message")
    for test in result["tests"]:
        points = f"{test['points']:g} / {test['max_points']:g}"
        message = test["message"].replace("\n", " ")
        message = message if len(message) <= 90 else message[:87] + "..."
        lines.append(f"  {test['id']:<26}{points:>9}  {test['status']:<9} {message}".rstrip())
    for manual in result.get("manual", []):
        note = "graded by hand" if manual["status"] == "pending" else "answer cell missing"
        points = "- / " + format(manual["max_points"], "g")
        lines.append(f"  {manual['id']:<26}{points:>9}  manual    {note}")
    isolation = result.get("isolation") or {}
    if isolation:
        lines.append("  isolation: " + describe_isolation(isolation))
    return "\n".join(lines)


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
    lines += ["| test | points | status | message |", "| --- | ---: | --- | --- |"]
    for test in result["tests"]:
        message = test["message"].replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {test['id']} | {test['points']:g} / {test['max_points']:g} | "
                     f"{test['status']} | {message} |")
    for manual in result.get("manual", []):
        lines.append(f"| {manual['id']} | – / {manual['max_points']:g} | manual | "
                     "graded by hand later |")
    if result.get("isolation"):
        lines += ["", f"Isolation: {describe_isolation(result['isolation'])}"]
    return "\n".join(lines) + "\n"


def gradescope(result: dict) -> dict:
    """Gradescope's results.json: hidden tests are shown only after grades are published."""
    tests = [{
        "name": test["id"],
        "score": test["points"],
        "max_score": test["max_points"],
        "status": "passed" if test["status"] == "passed" else "failed",
        "output": f"{test['status']}: {test['message']}" if test["message"] else test["status"],
        "visibility": "after_published",
    } for test in result["tests"]]
    pending = ", ".join(f"{m['id']} ({m['max_points']:g})" for m in result.get("manual", []))
    output = f"Status: {result['status']}."
    if result.get("message"):
        output += f" {result['message']}"
    if pending:
        output += f" Graded by hand later: {pending}."
    results = {"score": result["score"], "execution_time": result["seconds"],
               "output": output, "visibility": "after_published",
               "stdout_visibility": "hidden", "tests": tests}
    if result.get("leaderboard"):
        results["leaderboard"] = result["leaderboard"]
    return results


def grades_csv(results: list[dict], test_ids: list[str]) -> str:
    """One row per student: status, score and the points of every autograded test."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student", "status", "score", "max_score", *test_ids, "message"])
    for result in sorted(results, key=lambda r: r["student"]):
        points = {t["id"]: t["points"] for t in result["tests"]}
        writer.writerow([result["student"], result["status"], f"{result['score']:g}",
                         f"{result['max_score']:g}",
                         *[f"{points.get(i, 0):g}" for i in test_ids], result.get("message", "")])
    return out.getvalue()
