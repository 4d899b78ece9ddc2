"""The clean room: run trusted hidden-test code on the objects a submission captured.

    python -I child.py JOB RESULTS CAPTURE

Runs inside the replay's sandbox, as a script (`-I`: nothing from the environment or
the current folder is imported), so it imports only the standard library, NumPy,
Keras and cnnkit: never the autograder, which the sandbox does not show. It imports
them first, touches `ready` beside RESULTS, and waits for JOB to appear:
`{"tests": [{"id", "captured": [names], "code"}], "stream": bool}`. For each test it
loads the captured objects from `CAPTURE/<id>/` without running any of the student's code
(`cnnkit.safe_load.load_captured`), binds them to their names, runs the code, and
rewrites RESULTS:
`{id: {"status": passed | failed | missing | error, "message", "seconds"}}` (with
"missing": [names], "leaderboard": [values posted by the test], and "points" when the
code ends with an expression whose value is a number: partial credit), after
every test, so a replay that runs out of time still reports the tests it did.

Without "stream" it runs the tests at once, in order. With it, the student's notebook is
still running: a test runs as soon as its capture folder appears (the grader moves it
there whole, right after the test's cell), until the grader writes END beside JOB
(`{"tests": [ids]}`, the tests it still needs); then the needed tests that are left
run at once (those without a capture are reported missing) and the others are skipped.
The sandbox starts it at a lower priority (`autograder.sandbox.launch`), so beside the
notebook it takes only the CPU time the notebook leaves idle.
"""

import gc
import json
import os
import sys
import time
import warnings


def save(results: dict, path: str) -> None:
    """Replace the results file at once (the grader may read it at any moment)."""
    with open(path + ".tmp", "w") as handle:
        json.dump(results, handle)
    os.replace(path + ".tmp", path)


def run_code(code: str, namespace: dict):
    """Run `code` in `namespace`; the value of its last statement if that is an expression
    (nbgrader reads a grade cell's last value as its partial credit), else None."""
    import ast

    tree = ast.parse(code, "<hidden test>")
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<hidden test>", "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), "<hidden test>", "eval"), namespace)


def run_test(test: dict, capture: str) -> dict:
    """{status, message, seconds} of one hidden test on its captured objects."""
    import keras
    import numpy as np

    import cnnkit
    from cnnkit.safe_load import load_captured

    started = time.monotonic()
    entry = {"status": "passed", "message": ""}
    folder = capture + "/" + test["id"]
    namespace = {"cnnkit": cnnkit, "keras": keras, "np": np, "__name__": "__replay__"}
    missing = []
    for name in test["captured"]:
        try:
            namespace[name] = load_captured(folder, name)
        except LookupError:
            missing.append(name)
        except Exception as error:
            entry = {"status": "error", "message": f"cannot load the captured {name}: "
                     f"{type(error).__name__}: {error}"}
            break
    if missing and entry["status"] == "passed":
        entry = {"status": "missing", "message": "", "missing": missing}
    if entry["status"] == "passed":
        try:
            value = run_code(test["code"], namespace)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                entry["points"] = float(value)  # partial credit, as nbgrader reads it
        except BaseException as error:
            entry = {"status": "failed", "message": f"{type(error).__name__}: {error}"}
    posted = cnnkit.grading.leaderboard.take()  # measured here, by the trusted test
    if posted:
        entry["leaderboard"] = posted[:10]
    entry["message"] = entry["message"][:1000]
    entry["seconds"] = round(time.monotonic() - started, 2)
    namespace.clear()
    return entry


DONE = "done"


def next_test(pending: list, capture: str, end_path: str | None):
    """The test of `pending` to run now, `DONE` when none is left to run, None to wait.

    Without `end_path` (no streaming) that is the first one. Once END exists, `pending` is
    cut down to the tests it names, in order; before, the first test whose capture exists.
    """
    if end_path is None:
        return pending[0] if pending else DONE
    if os.path.exists(end_path):
        with open(end_path) as handle:
            wanted = set(json.load(handle)["tests"])
        pending[:] = [test for test in pending if test["id"] in wanted]
        return pending[0] if pending else DONE
    return next((t for t in pending if os.path.isdir(os.path.join(capture, t["id"]))), None)


def main(job_path: str, results_path: str, capture: str) -> None:
    warnings.simplefilter("ignore")
    results = {}
    import keras
    import numpy as np  # noqa: F401

    import cnnkit  # noqa: F401

    open(os.path.join(os.path.dirname(results_path), "ready"), "w").close()
    while not os.path.exists(job_path):
        time.sleep(0.05)
    with open(job_path) as handle:
        job = json.load(handle)
    end_path = os.path.join(os.path.dirname(job_path), "end.json") if job.get("stream") \
        else None
    save(results, results_path)
    pending = list(job["tests"])
    while True:
        test = next_test(pending, capture, end_path)
        if test == DONE:
            break
        if test is None:
            time.sleep(0.05)
            continue
        pending.remove(test)
        results[test["id"]] = run_test(test, capture)
        save(results, results_path)
        keras.backend.clear_session()
        gc.collect()


if __name__ == "__main__":
    main(*sys.argv[1:4])
