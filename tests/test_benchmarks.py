"""The benchmark tools, and the time budgets of the reference notebooks."""

from __future__ import annotations

import json

import keras
import nbformat
import pytest

from autograder import course
from benchmarks import bench, budgets, notebooks, report
from benchmarks.breakdown import breakdown
from benchmarks.reference import REFERENCES, forward_flops, mlp, training_flops
from cnnkit.cpu import cpu_description, cpu_kind
from tests.conftest import notebook_of, reference_and_untouched

ASSIGNMENTS = course.assignments()


def test_flop_counts_of_the_simple_cnn():
    simple = next(r for r in REFERENCES if r.name == "simple CNN").build()
    # conv: 26*26 positions x 3*3*1*32 weights; dense: 5408 x 10; 2 FLOPs per multiply-add
    assert [flops for _, flops in forward_flops(simple)] == [2 * 26 * 26 * 288, 2 * 54080]
    assert training_flops(simple) == 3 * (389_376 + 108_160) - 389_376  # about 1.1 MFLOP


def test_breakdown_times_every_piece_of_the_simple_cnn_step():
    result = breakdown(("float32",), steps=3)
    pieces = result["policies"]["float32"]
    assert result["steps"] == 3 and set(pieces) == {
        "forward", "conv forward", "conv forward + weight gradients",
        "max pooling forward + gradient", "train step", "train step, in-graph loop"}
    assert all(seconds > 0 for seconds in pieces.values())
    assert keras.mixed_precision.dtype_policy().name == "float32"  # left as it was


def test_the_mlps_are_those_of_03():
    from cnnkit.architecture import layer_table
    from cnnkit.checks import kernel_l2_factor
    from cnnkit.grading import MLP_64_64, MLP_500_300

    assert layer_table(mlp()) == MLP_64_64
    wide = mlp((500, 300), l2=1e-4)
    assert layer_table(wide) == MLP_500_300
    assert [kernel_l2_factor(layer) for layer in wide.layers] == [None, 1e-4, 1e-4, None]


def test_every_reference_model_builds_and_has_a_flop_count():
    for reference in REFERENCES:
        model = reference.compiled()
        assert training_flops(model) > 0, reference.name


def _cell(start: str, end: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("pass")
    cell.metadata["execution"] = {"iopub.execute_input": start, "shell.execute_reply": end}
    return cell


def test_execution_seconds_reads_nbclient_timing():
    notebook = nbformat.v4.new_notebook(cells=[
        _cell("2025-01-01T10:00:00.000Z", "2025-01-01T10:00:02.500Z"),
        nbformat.v4.new_markdown_cell("text"),
        _cell("2025-01-01T10:00:03.000Z", "2025-01-01T10:01:03.000Z"),
    ])
    assert budgets.cell_seconds(notebook.cells[0]) == 2.5
    assert budgets.execution_seconds(notebook) == 63.0
    assert budgets.execution_seconds(nbformat.v4.new_notebook()) is None


def test_budgets_follow_the_curriculum():
    slow = {"01_simple_cnn": 60, "02_variants": 240, "03_mlp_vs_cnn": 240,
            "04_learning_curves": 240, "05_compact_cnn": 240}
    for kind, factor in (("avx2", 1), ("other", 1), ("avx512", 0.5), ("avx512-bf16", 0.5)):
        assert {a: budgets.budget(a, kind) for a in slow} == {
            a: s * factor for a, s in slow.items()}, kind
    assert budgets.budget("01_simple_cnn") == budgets.budget("01_simple_cnn", cpu_kind())
    with pytest.raises(ValueError, match="no time budget for '99_unknown'"):
        budgets.budget("99_unknown")
    with pytest.raises(ValueError, match="no time budgets for CPU kind 'sse'"):
        budgets.budget("01_simple_cnn", "sse")


def _machine(kind: str, flags: list[str]) -> dict:
    return {"model": "AMD EPYC", "flags": flags, "kind": kind, "cpus": 2, "onednn": True}


def test_report_renders_one_section_per_cpu_kind_and_keeps_notes():
    part = {"when": "2025-01-01 10:00", "load_start": 1.0, "load_end": 1.5, "quick": True}
    fast = {
        "ceiling": {**part, "result": {"size": 64, "repeats": 1, "gflops": 100.0,
                                       "best_gflops": 110.0}},
        "notebooks": {**part, "result": {
            "01_simple_cnn": {
                "seconds": 60.0, "graded": 70.0, "score": 8.0, "max_score": 10.0,
                "budget": 90, "status": "ok",
                "runs": [{"cpu": 100.0, "slowest_cells": [[16, 40.0, "model.compile("]],
                          "error": None}]},
            "02_variants": {  # the grader wrote no result
                "seconds": 60.0, "graded": 3.0, "score": None, "max_score": None,
                "budget": 120, "status": "NOT GRADED (exit 2)",
                "runs": [{"cpu": 90.0, "slowest_cells": [], "error": None}]}}},
    }
    stats = {"epoch": 2.0, "best_epoch": 1.8, "first_epoch": 3.0, "cpu_per_epoch": 3.0,
             "val_accuracy": 0.8}
    fast["epochs"] = {**part, "result": {"epochs_per_run": 3, "repeats": 1, "models": {
        "simple CNN": {"notebook": "01", "flops_per_example": 1.1e6, "flops_per_epoch": 6e10,
                       "same_loss": True, "load": 1.0, "fit": stats,
                       "train": {**stats, "epoch": 1.5, "ratio": 0.75, "best_ratio": 0.8,
                                 "cpu_ratio": 0.9},
                       "bf16": {**stats, "epoch": 1.0, "ratio": 0.5, "best_ratio": 0.45,
                                "cpu_ratio": 0.6, "val_accuracy": 0.801}}}}}
    fast["breakdown"] = {**part, "result": {"batch_size": 128, "steps": 430,
        "policies": {"float32": {"train step": 1.3}, "mixed_bfloat16": {"train step": 0.8}}}}
    slow = {"ceiling": {**part, "result": {"size": 64, "repeats": 1, "gflops": 40.0,
                                           "best_gflops": 45.0}}}
    results = {"cpus": {
        "avx512-bf16": {"machine": _machine("avx512-bf16", ["avx2", "avx512f", "avx512_bf16"]),
                        "parts": fast},
        "avx2": {"machine": _machine("avx2", ["avx2"]), "parts": slow},
    }}
    text = report.render(results, bench.PARTS, "my notes\n")
    fast_cpu = "### avx512-bf16: AMD EPYC, flags avx2, avx512f, avx512_bf16"
    slow_cpu = "### avx2: AMD EPYC, flags avx2"
    assert "- avx2: AMD EPYC, flags avx2; cpus 2, onednn True" in text
    ceiling = text.split("## Compute ceiling")[1].split("\n## ")[0]
    assert ceiling.index(fast_cpu) < ceiling.index("**100 GFLOP/s**") < ceiling.index(slow_cpu)
    assert ceiling.index(slow_cpu) < ceiling.index("**40 GFLOP/s**")
    assert ("| simple CNN | 01 | 1.10 | 2.00, 1.80 | 1.50, 1.80 | 0.75, **0.80**, 0.90 | yes | "
            "1.00, 1.80 | 0.50, **0.45**, 0.60 | 0.800 / 0.801 | 3.0 / 3.0 / 3.0 |") in text
    assert "| train step | 1.30 | 0.80 |" in text
    assert "| 01_simple_cnn | 60 | 70 | 8 of 10 | 100 | 90 | 78% | ok | 40 |" in text
    assert "| 02_variants | 60 | 3 | - | 90 | 120 | 2% | NOT GRADED (exit 2) | - |" in text
    epochs = text.split("## Training epochs")[1].split("\n## ")[0]
    assert fast_cpu in epochs and slow_cpu + "\n\n_Not measured on this kind of CPU._" in epochs
    assert "## Data loading" not in text  # measured on no CPU
    assert text.endswith(report.NOTES_MARKER + "\nmy notes\n")


def test_report_renders_the_throughput_table():
    row = {"workers": 2, "cpus": 1, "per_hour": 100.0, "seconds": [70.0, 72.0],
           "slowest_vs_alone": 1.06, "efficiency": 0.94, "all_graded": True, "scores": [9],
           "cpu_limit_by": "thread counts, CPUs 0"}
    part = {"when": "2025-01-01 10:00", "load_start": 0.1, "load_end": 1.9, "quick": False,
            "result": {"assignment": "01_simple_cnn", "cores": 2, "alone_1cpu": 68.0,
                       "fair": True, "rows": {"2x1": row}, "runs": {}}}
    results = {"cpus": {"avx2": {"machine": _machine("avx2", ["avx2"]),
                                 "parts": {"throughput": part}}}}
    text = report.render(results, bench.PARTS)
    assert "## Throughput: workers x CPUs per grading (`--cpus`)" in text
    assert "takes at most 15% longer than one alone: **yes**" in text
    assert "| 2x1 | 100 | 0.94 | 70.0, 72.0 | 1.06 | yes | thread counts, CPUs 0 |" in text


def test_bench_writes_parts_under_this_cpu_kind_and_keeps_other_kinds(tmp_path):
    out, readme = tmp_path / "results.json", tmp_path / "README.md"
    kind = cpu_kind()
    other = "avx2" if kind != "avx2" else "avx512-bf16"
    kept = {"machine": _machine(other, [other]), "parts": {"ceiling": {
        "when": "2025-01-01 10:00", "cpu_kind": other, "load_start": 1.0, "load_end": 1.0,
        "result": {"size": 64, "repeats": 1, "gflops": 1.0, "best_gflops": 1.0}}}}
    out.write_text(json.dumps({"cpus": {other: kept}}))
    readme.write_text(f"old\n{report.NOTES_MARKER}\nkept\n")
    assert bench.main(["--only", "ceiling", "--quick", "--repeats", "1",
                       "--out", str(out), "--readme", str(readme)]) == 0
    results = json.loads(out.read_text())
    assert results["cpus"][other] == kept
    measured = results["cpus"][kind]
    assert measured["machine"]["kind"] == kind and "onednn" in measured["machine"]
    assert measured["parts"]["ceiling"]["cpu_kind"] == kind
    assert measured["parts"]["ceiling"]["result"]["gflops"] > 0
    text = readme.read_text()
    assert f"### {kind}: " in text and f"### {other}: AMD EPYC, flags {other}" in text
    assert text.endswith("\nkept\n")


def test_bench_render_measures_nothing(tmp_path):
    out, readme = tmp_path / "results.json", tmp_path / "README.md"
    out.write_text(json.dumps({"cpus": {}}))
    assert bench.main(["--render", "--out", str(out), "--readme", str(readme)]) == 0
    assert json.loads(out.read_text()) == {"cpus": {}}
    assert readme.read_text().startswith("# Benchmarks")


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_notebook_within_its_time_budget(assignment, autograded):
    """The reference runs within 1.5x its budget on this CPU's kind: reuses the autograde of
    test_assignments."""
    autograded(assignment, reference_and_untouched(assignment))
    run = autograded.runs[assignment]
    graded = notebook_of(run["root"] / "autograded" / "reference" / assignment)
    seconds = budgets.execution_seconds(graded) or run["seconds"]
    cpu = cpu_description()
    budget = budgets.budget(assignment, cpu["kind"])
    assert seconds <= budgets.TOLERANCE * budget, (
        f"{assignment}: the reference notebook ran {seconds:.0f} s, more than "
        f"{budgets.TOLERANCE}x its budget of {budget} s on this CPU ({cpu['model']}, kind "
        f"{cpu['kind']}, flags {', '.join(cpu['flags']) or '-'}); "
        "profile it with `make bench ARGS='--only notebooks'`"
    )


def test_grading_report_shows_the_ratio_and_where_the_seconds_went():
    timings = {"notebook": 14.0, "autograde": 16.0, "replay": 0.5,
               "phases": {"prepare": 0.3, "nbgrader start": 1.1, "replay": 0.5}}
    part = {"result": {
        "assignment": "01_simple_cnn", "generate_once": 0.0,
        "summary": {"bare": 15.0, "autograder": 18.0, "autograder_ratio": 1.2},
        "autograder": [{"outside": 0.6, "summary": {"score": 8.0, "timings": timings}}]}}
    lines = report.grading(part)
    assert "| `python -m autograder grade` (score 8.0; notebook 14 s, autograde 16 s, replay " \
           "0 s) | 18 | 1.20 |" in lines
    table = lines[lines.index("| phase | s |") + 2:]
    assert table[:4] == ["| command start, course set-up, output | 0.60 |",
                         "| prepare | 0.30 |", "| nbgrader start | 1.10 |", "| replay | 0.50 |"]


@pytest.mark.slow
@pytest.mark.concurrent
def test_bench_notebooks_executes_and_grades_a_reference(tmp_path):
    out, readme = tmp_path / "results.json", tmp_path / "README.md"
    assert bench.main(["--only", "notebooks", "--assignments", "01_simple_cnn",
                       "--out", str(out), "--readme", str(readme)]) == 0
    row = json.loads(out.read_text())["cpus"][cpu_kind()]["parts"]["notebooks"]["result"][
        "01_simple_cnn"]
    assert row["runs"][0]["error"] is None and row["graded_runs"][0]["returncode"] == 0
    assert row["score"] == row["max_score"] > 0, "the reference earns every autograded point"
    assert 0 < row["runs"][0]["execution"] < row["seconds"] and row["graded"] > 0
    assert row["budget"] == budgets.budget("01_simple_cnn")
    assert row["status"] == notebooks.status(row["graded"], row["budget"])
    assert f"| 01_simple_cnn | {row['seconds']:.0f} | {row['graded']:.0f} | " in readme.read_text()


def test_a_reference_the_grader_fails_is_not_judged_on_time(monkeypatch):
    bare = {"seconds": 10.0, "load": 0.0}
    failed = {"seconds": 2.0, "returncode": 2, "summary": {}}
    monkeypatch.setattr(notebooks, "_generated_once", lambda assignment: 0.0)
    monkeypatch.setattr(notebooks, "run_assignment", lambda assignment: bare)
    monkeypatch.setattr(notebooks, "_autograder_cli", lambda assignment: failed)
    row = notebooks.notebooks(["01_simple_cnn"])["01_simple_cnn"]
    assert row["status"] == "NOT GRADED (exit 2)" and row["max_score"] is None


def test_curve_calibration_measures_the_largest_drop_and_the_threshold():
    from benchmarks.calibrate_04 import largest_drop, suggested_threshold

    assert largest_drop([0.80, 0.90, 0.85, 0.95, 0.94]) == pytest.approx(0.05)
    assert largest_drop([0.80, 0.90, 0.95]) == 0.0
    assert suggested_threshold([0.9605, 0.98]) == 0.945
