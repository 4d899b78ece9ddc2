"""The clean-room replay: the trusted hidden tests, run again on what the student captured.

After the student's notebook has run, the hidden region of every grade cell that
passed there is run once more, from the instructor's notebook, in a fresh sandboxed
Python where no student code has ever run: `cnnkit`, `keras` and `np` are imported,
the captured objects are loaded safely (models with `safe_mode=True` and only Keras's
own layers, arrays without pickle, plain JSON) and bound to the names of the capture
call, and the code after the capture call runs. A test passes only if that code runs
without an exception.

`child.py` beside this file is what runs inside the sandbox, as
`python -I child.py JOB RESULTS CAPTURE` (it cannot import the autograder, which the
sandbox does not show). It starts with the student's notebook, imports what it needs,
and replays each test as soon as its capture is sealed, while the notebook goes on
(the objects are out of the kernel's reach by then); when the notebook is done the
grader names the tests whose results it needs (those that passed in the student's
kernel), and the child runs those it has not yet run. It writes RESULTS after every
test, so a replay that runs out of time still reports the tests it did.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from autograder.errors import GraderError
from autograder.files import write_atomic
from autograder.hidden import Test
from autograder.sandbox import CAPTURE, REPLAY_CHILD, RESULT, Sandbox

CHILD = Path(__file__).resolve().parent / "child.py"

__all__ = ["CHILD", "GraderError", "Replay", "sandbox_python"]

class Replay:
    """The clean-room replay of one submission, started early so its imports overlap grading.

    `Replay(sandbox, timeout, tests)` starts the sandboxed Python at once with the job of
    `tests` (the replayable ones); it imports Keras and cnnkit and replays each test once
    its capture is sealed. `run(tests)` says which results are needed and waits for
    them: {test id: {status, message, seconds}}, status one of passed, failed, missing,
    error. Tests it did not reach in time are errors. `stop()` ends it in any case.
    """

    def __init__(self, sandbox: Sandbox, timeout: float, tests: list[Test]):
        self.sandbox, self.timeout = sandbox, timeout
        bubblewrap = sandbox.mode == "bubblewrap"
        folder = RESULT if bubblewrap else str(sandbox.result)
        job = {"stream": True,
               "tests": [{"id": t.id, "captured": t.captured, "code": t.replay} for t in tests]}
        write_atomic(sandbox.result / "job.json", json.dumps(job), mode=0o644)  # replay reads
        self.end = sandbox.result / "end.json"
        child = REPLAY_CHILD if bubblewrap else str(CHILD)
        argv = [sandbox_python(), "-I", child, f"{folder}/job.json",
                f"{folder}/results.json", CAPTURE if bubblewrap else str(sandbox.sealed)]
        command = sandbox.command("replay", argv, sandbox.environment())
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)

    def run(self, tests: list[Test]) -> dict[str, dict]:
        end = {"tests": [t.id for t in tests]}
        write_atomic(self.end, json.dumps(end), mode=0o644)  # the replay's user reads it
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
            done = json.loads((self.sandbox.result / "results.json").read_text())
        except (OSError, ValueError):
            done = {}
        return {test.id: done.get(test.id) or {
            "status": "error", "message": message or "the clean-room check did not run"}
            for test in tests}

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
