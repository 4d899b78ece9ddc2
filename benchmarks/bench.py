"""Measure the kit's performance on this machine; write results.json and README.md.

    python -m benchmarks.bench                 # everything (about 35 minutes on 2 cores)
    python -m benchmarks.bench --quick         # a couple of minutes, no notebooks
    python -m benchmarks.bench --only epochs   # some parts; the others keep their results
    python -m benchmarks.bench --render        # only rewrite README.md from results.json

results.json keeps the results per kind of CPU (`cnnkit.cpu.cpu_kind`):
`{"cpus": {kind: {"machine": {...}, "parts": {name: record}}}}`. A run writes the parts
it measures under the kind of the CPU it runs on; other kinds' results stay as they are.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = ["ceiling", "epochs", "breakdown", "data", "kernel", "notebooks", "grading", "threads",
         "throughput"]
QUICK_PARTS = ["ceiling", "epochs", "data", "kernel"]


def machine() -> dict:
    """This machine's CPU (`cnnkit.cpu.cpu_description`), whether oneDNN is on, versions."""
    import keras
    import tensorflow as tf

    from cnnkit.cpu import cpu_description, onednn_enabled

    return {**cpu_description(), "onednn": onednn_enabled(),
            "python": platform.python_version(),
            "tensorflow": tf.__version__, "keras": keras.__version__}


def run_part(name: str, args) -> dict:
    from benchmarks import measure, notebooks
    from benchmarks.reference import QUICK

    repeats = args.repeats
    if name == "ceiling":
        return measure.ceiling(2048 if args.quick else 4096, repeats or (5 if args.quick else 9))
    if name == "epochs":
        models = args.models or (QUICK if args.quick else None)
        return measure.epochs(models, repeats or (1 if args.quick else 3),
                              2 if args.quick else 3)
    if name == "data":
        return measure.data(repeats or (3 if args.quick else 5))
    if name == "kernel":
        return notebooks.kernel(repeats or (1 if args.quick else 3))
    if name == "notebooks":
        return notebooks.notebooks(args.assignments, repeats or 1)
    if name == "grading":
        return notebooks.grading(repeats=repeats or 1)
    if name == "breakdown":
        from benchmarks.breakdown import breakdown

        return breakdown(measure.modes_policies())
    if name == "threads":
        return measure.threads(repeats or 2)
    if name == "throughput":
        from benchmarks.throughput import throughput

        return throughput(repeats=repeats or 1)
    raise ValueError(f"unknown part {name!r}")


def keep_unmeasured_rows(name: str, result: dict, previous: dict | None, args) -> dict:
    """`result` of a part run for some models (`--models`) or notebooks (`--assignments`)
    only, with the previous run's rows of the others; each row keeps its own `when`."""
    if previous is None:
        return result
    if name == "epochs" and args.models:
        return {**result, "models": {**previous["result"]["models"], **result["models"]}}
    if name == "notebooks" and args.assignments:
        return {**previous["result"], **result}
    return result


def measure_parts(results: dict, names: list[str], args) -> None:
    """Run the parts `names`, keeping each under this CPU's kind in `results` and `args.out`."""
    from benchmarks.measure import load
    from cnnkit.cpu import cpu_kind

    kind = cpu_kind()
    on_this_kind = results["cpus"].setdefault(kind, {})
    on_this_kind["machine"] = machine()
    parts = on_this_kind.setdefault("parts", {})
    for name in names:
        print(f"{name} (load {load():.1f})", flush=True)
        start, load_start = time.time(), load()
        result = keep_unmeasured_rows(name, run_part(name, args), parts.get(name), args)
        parts[name] = {
            "when": time.strftime("%Y-%m-%d %H:%M", time.localtime(start)), "cpu_kind": kind,
            "seconds": round(time.time() - start, 1), "quick": args.quick,
            "load_start": load_start, "load_end": load(), "result": result,
        }
        args.out.write_text(json.dumps(results, indent=1) + "\n")  # keep what is done so far


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=PARTS, help="parts to run (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help=f"fewer repeats and models; parts {', '.join(QUICK_PARTS)}")
    parser.add_argument("--repeats", type=int, help="repeats per measurement")
    parser.add_argument("--models", nargs="+",
                        help="epochs: reference model names (the other models' rows are kept)")
    parser.add_argument("--assignments", nargs="+",
                        help="notebooks: assignment folders (the others' rows are kept)")
    parser.add_argument("--render", action="store_true",
                        help="only rewrite the README from results.json, measure nothing")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--readme", type=Path, default=HERE / "README.md")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("PYTHONWARNINGS", "ignore")  # kernels inherit both
    from cnnkit.cpu import use_fast_kernels

    use_fast_kernels()  # as every notebook's setup cell does

    from benchmarks import report

    results = json.loads(args.out.read_text()) if args.out.is_file() else {"cpus": {}}
    if not args.render:
        measure_parts(results, args.only or (QUICK_PARTS if args.quick else PARTS), args)
    old = args.readme.read_text() if args.readme.is_file() else ""
    notes = old.split(report.NOTES_MARKER, 1)[1] if report.NOTES_MARKER in old else ""
    args.readme.write_text(report.render(results, PARTS, notes))
    print(f"written {args.readme}" if args.render else f"written {args.out} and {args.readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
