"""The clean-room replay: the trusted hidden tests, run again on what the student captured.

After the student's notebook has run, the hidden region of every grade cell that
passed there is run once more, from the instructor's notebook, in a fresh sandboxed
Python where no student code has ever run: `cnnkit`, `keras` and `np` are imported,
the captured objects are loaded safely (models with `safe_mode=True` and only Keras's
own layers, arrays without pickle, plain JSON) and bound to the names of the capture
call, and the code after the capture call runs. A test passes only if that code runs
without an exception.

`SCRIPT` is what runs inside the sandbox, as `python -I -c SCRIPT JOB RESULTS` (it
cannot import the autograder, which the sandbox does not show). It starts while the
student's notebook runs, imports what it needs, and waits for JOB. It writes RESULTS
after every test, so a replay that runs out of time still reports the tests it did.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from autograder.errors import GraderError
from autograder.hidden import Test
from autograder.sandbox import CAPTURE, RESULT, Sandbox

__all__ = ["SCRIPT", "GraderError", "Replay", "sandbox_python"]

SCRIPT = r'''
import gc, json, os, sys, time, warnings, zipfile
warnings.simplefilter("ignore")
job_path, results_path, capture = sys.argv[1], sys.argv[2], sys.argv[3]
results = {}

def save():
    with open(results_path + ".tmp", "w") as handle:
        json.dump(results, handle)
    os.replace(results_path + ".tmp", results_path)

import numpy as np
import keras
import cnnkit
open(os.path.join(os.path.dirname(results_path), "ready"), "w").close()
while not os.path.exists(job_path):
    time.sleep(0.05)
job = json.load(open(job_path))
save()

MAX_UNPACKED = 4 * 1024**3

def only_keras(node, where):
    """Refuse configs that name anything but Keras's own classes (custom objects)."""
    if isinstance(node, dict):
        module, registered = node.get("module"), node.get("registered_name")
        if module is not None and not (module == "keras" or str(module).startswith("keras.")):
            raise ValueError(f"{where} uses {module}.{node.get('class_name')}, which is not part "
                             "of Keras; only models made of Keras's own layers can be graded")
        if registered not in (None, node.get("class_name")) and not str(registered).startswith(
                "keras"):
            raise ValueError(f"{where} uses the custom object {registered!r}; only models made "
                             "of Keras's own layers can be graded")
        for value in node.values():
            only_keras(value, where)
    elif isinstance(node, list):
        for value in node:
            only_keras(value, where)

def load(folder, name):
    """The captured object `name`, loaded without running any of the student's code."""
    paths = [folder + "/" + name + suffix for suffix in (".keras", ".npy", ".json")]
    candidates = [p for p in paths if os.path.isfile(p)]
    if not candidates:
        raise LookupError(name)
    path = candidates[0]
    if path.endswith(".keras"):
        with zipfile.ZipFile(path) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
                raise ValueError(f"the captured model {name} is too large")
            only_keras(json.loads(archive.read("config.json")), f"the captured model {name}")
        return keras.saving.load_model(path, safe_mode=True, compile=True)
    if path.endswith(".npy"):
        return np.load(path, allow_pickle=False)
    with open(path) as handle:
        return json.load(handle)

for test in job["tests"]:
    started = time.monotonic()
    entry = {"status": "passed", "message": ""}
    folder = capture + "/" + test["id"]
    namespace = {"cnnkit": cnnkit, "keras": keras, "np": np, "__name__": "__replay__"}
    missing = []
    for name in test["captured"]:
        try:
            namespace[name] = load(folder, name)
        except LookupError:
            missing.append(name)
        except Exception as error:
            entry = {"status": "error", "message": f"cannot load the captured {name}: "
                     f"{type(error).__name__}: {error}"}
            break
    if missing and entry["status"] == "passed":
        entry = {"status": "missing", "message": "nothing was captured for " + ", ".join(missing)}
    if entry["status"] == "passed":
        try:
            exec(compile(test["code"], "<hidden test>", "exec"), namespace)
        except BaseException as error:
            entry = {"status": "failed", "message": f"{type(error).__name__}: {error}"}
    entry["message"] = entry["message"][:1000]
    entry["seconds"] = round(time.monotonic() - started, 2)
    results[test["id"]] = entry
    save()
    namespace.clear()
    keras.backend.clear_session()
    gc.collect()
'''


class Replay:
    """The clean-room replay of one submission, started early so its imports overlap grading.

    `Replay(sandbox, timeout)` starts the sandboxed Python at once; it imports Keras and
    cnnkit and then waits for its job. `run(tests)` hands it the tests and waits for the
    results: {test id: {status, message, seconds}}, status one of passed, failed, missing,
    error. Tests it did not reach in time are errors. `stop()` ends it in any case.
    """

    def __init__(self, sandbox: Sandbox, timeout: float):
        self.sandbox, self.timeout = sandbox, timeout
        bubblewrap = sandbox.mode == "bubblewrap"
        folder = RESULT if bubblewrap else str(sandbox.result)
        self.job = sandbox.result / "job.json"
        argv = [sandbox_python(), "-I", "-c", SCRIPT, f"{folder}/job.json",
                f"{folder}/results.json", CAPTURE if bubblewrap else str(sandbox.sealed)]
        command = sandbox.command("replay", argv, sandbox.environment())
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)

    def run(self, tests: list[Test]) -> dict[str, dict]:
        job = {"tests": [{"id": t.id, "captured": t.captured, "code": t.replay} for t in tests]}
        temporary = self.job.with_suffix(".tmp")
        temporary.write_text(json.dumps(job))
        os.replace(temporary, self.job)
        message = None
        try:
            code = self.process.wait(timeout=self.timeout)
            if code != 0:
                message = f"the clean-room check stopped (exit status {code})"
        except subprocess.TimeoutExpired:
            message = f"the clean-room check did not finish in {self.timeout:.0f} s"
        finally:
            self.stop()
        if not (self.sandbox.result / "ready").exists():
            log = (self.sandbox.work / "replay.log")
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise GraderError(f"the clean-room replay could not start: {message}\n{tail}")
        try:
            results = json.loads((self.sandbox.result / "results.json").read_text())
        except (OSError, ValueError):
            results = {}
        for test in tests:
            if test.id not in results:
                results[test.id] = {"status": "error",
                                    "message": message or "the clean-room check did not run"}
        return results

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                pass
            self.process.wait()
        if self.sandbox.replay_cgroups:
            self.sandbox.replay_cgroups.kill()


def sandbox_python() -> str:
    """The virtualenv's Python (the same path inside and outside the sandbox)."""
    return str(Path(sys.prefix) / "bin" / "python")
