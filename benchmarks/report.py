"""Render `results.json` as the Markdown tables of `benchmarks/README.md`.

Each table has one section per kind of CPU measured (`cnnkit.cpu.cpu_kind`), one after
the other under the table's heading, so that the same measurement can be compared.
"""

from __future__ import annotations

NOTES_MARKER = "<!-- notes: text below this line is kept when the tables are rewritten -->"

HEADER = """# Benchmarks

Measured by `make bench` (`python -m benchmarks.bench`), which writes `results.json` and
the tables below. Options: `--quick` (a couple of minutes: no notebooks, fewer models and
repeats), `--repeats N`, `--render` (only rewrite this file), and `--only PART ...` to run
some parts and keep the others' last results; parts: {parts}.

Results are kept per kind of CPU (`cnnkit.cpu.cpu_kind`), as TensorFlow's speed differs
several times between them: a run replaces only the results of its own CPU's kind, and
every table below has one section per kind.

Shared machines are noisy: every time is the median of repeated runs, comparisons are
ratios measured alternately in the same run, and each part records the load average
(processes wanting a CPU; compare it with the machine's cores) while it ran. CPU seconds
suffer less from other processes than wall-clock seconds.
"""
TITLES = {
    "ceiling": "Compute ceiling",
    "epochs": "Training epochs: `cnnkit.train` against `model.fit`",
    "breakdown": "Where the simple CNN's training step goes",
    "data": "Data loading",
    "kernel": "Start-up",
    "notebooks": "Notebooks (reference solutions, end to end)",
    "grading": "Grading",
    "threads": "TensorFlow thread pools",
    "throughput": "Throughput: workers x CPUs per grading (`--cpus`)",
}
CPU_KEYS = ("model", "flags", "kind")


def _s(value, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _yes(value) -> str:
    return "-" if value is None else "yes" if value else "NO"


def _when(part: dict) -> str:
    return (f"_{part['when']}, load {part['load_start']:.1f} -> {part['load_end']:.1f}"
            f"{', quick' if part.get('quick') else ''}_")


def ceiling(part: dict) -> list[str]:
    r = part["result"]
    per_cpu = r.get("gflops_per_cpu_second")
    return [f"float32 matmul {r['size']}x{r['size']} in TensorFlow: **{r['gflops']:.0f} GFLOP/s**"
            f" (median of {r['repeats']}; best **{r['best_gflops']:.0f}**), "
            f"{_s(per_cpu, 0)} GFLOP per CPU-second. Epochs below are given as a fraction of "
            "this limit twice: by wall time against the best (meaningful at low load) and by "
            "CPU time (FLOPs per CPU-second of training against the matmul's; hardly "
            "affected by load).", ""]


def notebooks(part: dict) -> list[str]:
    lines = ["Bare: the source notebook in a fresh kernel. Graded: `python -m autograder grade` "
             "of it (sandbox, hidden tests and replay included); the budget is for this run, "
             "and \"of budget\" and the status compare it. CPU seconds and the slowest cell "
             "are the bare run's.", "",
             "| notebook | bare s | graded s | score | CPU s | budget s | of budget | status "
             "| slowest cell s |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"]
    for name, row in part["result"].items():
        run = row["runs"][-1]
        slowest = run["slowest_cells"][0][1] if run["slowest_cells"] else None
        share = f"{row['graded'] / row['budget']:.0%}" if row["budget"] else "-"
        score = (f"{row['score']:g} of {row['max_score']:g}" if row["max_score"] is not None
                 else "-")  # None: the grader wrote no result
        status = row["status"] + (f" (error: {run['error']})" if run["error"] else "")
        lines.append(f"| {name} | {row['seconds']:.0f} | {row['graded']:.0f} | {score} | "
                     f"{_s(run['cpu'], 0)} | {row['budget'] or '-'} | {share} | {status} | "
                     f"{_s(slowest, 0)} |")
    return lines + [""]


def _epoch_times(stats: dict) -> str:
    return f"{stats['epoch']:.2f}, {_s(stats.get('best_epoch'))}"


def _ratios(stats: dict) -> str:
    return (f"{stats['ratio']:.2f}, **{_s(stats.get('best_ratio'))}**, "
            f"{_s(stats.get('cpu_ratio'))}")


def epochs(part: dict, ceiling: dict) -> list[str]:
    r = part["result"]
    rows = r["models"].values()
    bf16 = any("bf16" in row for row in rows)
    lines = [f"Steady-state epochs (after the first, which also traces) with per-epoch "
             f"validation, {r['epochs_per_run']} epochs per run, {r['repeats']} alternating "
             "runs each: median and best (other processes only add time, so the best is the "
             "most robust estimate). Ratios to fit: median of paired ratios, ratio of the "
             "bests, and CPU seconds of whole runs. \"same loss\": `cnnkit.train` reached "
             "exactly `model.fit`'s final training loss from the same seed. "
             + ("bf16: `cnnkit.train` of the model built after `cnnkit.use_mixed_precision()` "
                "(bfloat16 arithmetic, float32 weights; this CPU has bfloat16 instructions); "
                "val acc: validation accuracy after the last epoch, fit / bf16. "
                if bf16 else "")
             + "FLOPs count Conv2D and Dense multiply-adds "
             "(training = 3x forward minus the first layer's input gradient) plus the "
             "validation forward passes; \"of ceiling\" is the fastest mode's best epoch "
             "against the matmul's best GFLOP/s (meaningful only at low load), and its CPU "
             "seconds against the matmul's GFLOP per CPU-second.", ""]
    header = ["model", "nb", "MFLOP/example", "fit s/epoch", "train s/epoch",
              "train/fit: median, best, CPU", "same loss"]
    if bf16:
        header += ["bf16 s/epoch", "bf16/fit: median, best, CPU", "val acc fit / bf16"]
    header += ["first epoch s", "of ceiling: wall, CPU", "load"]
    lines += ["| " + " | ".join(header) + " |",
              "| " + " | ".join("---" if h in ("model", "nb", "same loss") else "---:"
                                for h in header) + " |"]
    for name, row in r["models"].items():
        modes = [m for m in ("fit", "train", "bf16") if m in row]
        fastest = min(modes, key=lambda m: row[m].get("best_epoch", row[m]["epoch"]))
        flops = row["flops_per_epoch"] / 1e9
        share = "-"
        if ceiling.get("best_gflops"):
            best = row[fastest].get("best_epoch", row[fastest]["epoch"])
            share = f"{flops / best / ceiling['best_gflops']:.0%}"
        per_cpu = ceiling.get("gflops_per_cpu_second")
        if per_cpu:
            share += f", {flops / row[fastest]['cpu_per_epoch'] / per_cpu:.0%}"
        cells = [name, row["notebook"], f"{row['flops_per_example'] / 1e6:.2f}",
                 _epoch_times(row["fit"]), _epoch_times(row["train"]),
                 _ratios(row["train"]),
                 _yes(row.get("same_loss"))]
        if bf16:
            cells += [_epoch_times(row["bf16"]), _ratios(row["bf16"]),
                      f"{_s(row['fit'].get('val_accuracy'), 3)} / "
                      f"{_s(row['bf16'].get('val_accuracy'), 3)}"] if "bf16" in row else ["-"] * 3
        cells += [" / ".join(f"{row[m]['first_epoch']:.1f}" for m in modes), share,
                  f"{row['load']:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def breakdown(part: dict) -> list[str]:
    r = part["result"]
    policies = list(r["policies"])
    lines = [f"Seconds for {r['steps']} batches of {r['batch_size']} (one epoch of 01), "
             "each piece a compiled `tf.function` on one fixed batch, best of 3 "
             "(`benchmarks/breakdown.py`). The in-graph loop is the floor for any input "
             "pipeline or per-step overhead.", "",
             "| piece | " + " | ".join(policies) + " |",
             "| --- |" + " ---: |" * len(policies)]
    for piece in r["policies"][policies[0]]:
        lines.append(f"| {piece} | "
                     + " | ".join(f"{r['policies'][p][piece]:.2f}" for p in policies) + " |")
    return lines + [""]


def data(part: dict) -> list[str]:
    lines = ["| dataset | from raw files s | cache, first in process s | cache again s | "
             "to_model_input s | cache MB |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, row in part["result"]["datasets"].items():
        size = row["cache_bytes"] / 1e6 if row["cache_bytes"] else None
        lines.append(f"| {name} | {row['uncached']:.2f} | {row['cached_first']:.3f} | "
                     f"{row['cached_again']:.3f} | {row['to_model_input']:.3f} | {_s(size, 0)} |")
    return lines + [""]


def kernel(part: dict) -> list[str]:
    r = part["result"]
    lines = ["| what | s |", "| --- | ---: |"]
    for module, seconds in r["imports"].items():
        lines.append(f"| `python -c 'import {module}'` | {seconds:.2f} |")
    lines += [f"| kernel start + stop | {r['kernel_start_stop']:.2f} |",
              f"| setup cell (imports, seed) | {r['setup_cell']:.2f} |", ""]
    return lines


def grading(part: dict) -> list[str]:
    r = part["result"]
    s = r["summary"]
    lines = [f"Reference submission of {r['assignment']}.", "",
             "| what | wall s | against bare execution |", "| --- | ---: | ---: |",
             f"| bare execution (fresh kernel) | {s['bare']:.0f} | 1.00 |"]
    if "nbgrader" in s:
        run = r["nbgrader"][-1]
        lines.append(f"| nbgrader generate + autograde (the test suite's path; autograde "
                     f"{run['autograde']:.0f} s) | {s['nbgrader']:.0f} | "
                     f"{s['nbgrader_ratio']:.2f} |")
    phases = {}
    if "autograder" in s:
        run = r["autograder"][-1]
        timings = (run.get("summary") or {}).get("timings") or {}
        inside = ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()
                           if isinstance(v, (int, float)))
        score = run.get("summary", {}).get("score")
        lines.append(f"| `python -m autograder grade` (score {score}; {inside or 'no timings'})"
                     f" | {s['autograder']:.0f} | {s['autograder_ratio']:.2f} |")
        phases = timings.get("phases") or {}
        if phases and run.get("outside") is not None:
            phases = {"command start, course set-up, output": run["outside"], **phases}
    if r.get("generate_once"):
        lines.append(f"\nBefore these runs, generating the assignment for the autograder's "
                     f"cache took {r['generate_once']:.1f} s (once per version of the source).")
    if phases:
        lines += ["", "Where the autograder's seconds went (last run, wall seconds in order; "
                  "the replay runs beside the notebook, so its row is only what is left "
                  "after it):", "", "| phase | s |", "| --- | ---: |"]
        lines += [f"| {name} | {seconds:.2f} |" for name, seconds in phases.items()]
    if r.get("note"):
        lines.append(f"\n{r['note']}")
    return lines + [""]


def threads(part: dict) -> list[str]:
    r = part["result"]
    lines = [f"`model.fit` of the {r['model']}, one process per setting, alternating.", "",
             "| setting | s/epoch | CPU s/epoch | load |", "| --- | ---: | ---: | ---: |"]
    for label, row in r["settings"].items():
        lines.append(f"| {label} | {row['epoch']:.2f} | {row['cpu_per_epoch']:.2f} | "
                     f"{row['load']:.1f} |")
    return lines + [""]


def throughput(part: dict) -> list[str]:
    r = part["result"]
    lines = [f"Reference submission of {r['assignment']}, `python -m autograder grade` processes "
             f"started at once on {r['cores']} cores (benchmarks/throughput.py). Efficiency: "
             f"gradings per hour against {r['cores']} x those of one 1-CPU grading alone "
             f"({r['alone_1cpu']:.1f} s). Fair: each of W gradings of 1 CPU takes at most 15% "
             f"longer than one alone: **{'yes' if r['fair'] else 'NO'}**.", "",
             "| workers x CPUs | gradings/hour | efficiency | s per grading | slowest / alone "
             "| all graded | CPU limit |", "| --- | ---: | ---: | --- | ---: | --- | --- |"]
    for label, row in r["rows"].items():
        seconds = ", ".join(f"{s:.1f}" for s in row["seconds"])
        lines.append(f"| {label} | {row['per_hour']:.0f} | {row['efficiency']:.2f} | {seconds} | "
                     f"{row['slowest_vs_alone']:.2f} | {_yes(row['all_graded'])} | "
                     f"{row['cpu_limit_by'] or '-'} |")
    return lines + [""]


def cpu(machine: dict) -> str:
    """The CPU a section was measured on: kind, model and flags."""
    return f"{machine['kind']}: {machine['model']}, flags {', '.join(machine['flags']) or '-'}"


def section(name: str, measured: dict) -> list[str]:
    """The part `name` as measured on one kind of CPU, under a heading naming the CPU."""
    lines = [f"### {cpu(measured['machine'])}", ""]
    parts = measured["parts"]
    if name not in parts:
        return lines + ["_Not measured on this kind of CPU._", ""]
    part = parts[name]
    if name == "epochs":
        body = epochs(part, parts.get("ceiling", {}).get("result", {}))
    else:
        body = globals()[name](part)
    return lines + [_when(part) + _earlier_rows(name, part), ""] + body


def _earlier_rows(name: str, part: dict) -> str:
    """Which rows of a part (kept by a later run of some rows only) are from another time."""
    rows = part["result"].get("models", {}) if name == "epochs" else (
        part["result"] if name == "notebooks" else {})
    earlier = {row: values["when"] for row, values in rows.items()
               if isinstance(values, dict) and values.get("when", part["when"]) != part["when"]}
    return "".join(f"; {row}: _{when}_" for row, when in earlier.items())


def render(results: dict, parts: list[str], notes: str = "") -> str:
    """The whole README: header, machines, each measured part per CPU kind, kept notes."""
    kinds = results["cpus"].values()
    lines = [HEADER.format(parts=", ".join(parts)).rstrip(), "", "Machines:", ""]
    for measured in kinds:
        machine = measured["machine"]
        lines.append(f"- {cpu(machine)}; " + ", ".join(
            f"{k} {v}" for k, v in machine.items() if k not in CPU_KEYS))
    lines.append("")
    for name in parts:
        if any(name in measured["parts"] for measured in kinds):
            lines += [f"## {TITLES[name]}", ""]
            for measured in kinds:
                lines += section(name, measured)
    return "\n".join(lines).rstrip() + "\n\n" + NOTES_MARKER + "\n" + notes.lstrip("\n")
