"""nbgrader's Execute step, hardened for untrusted notebooks.

`GuardedExecute` replaces `nbgrader.preprocessors.Execute` in `nbgrader autograde`
when the autograder runs it (see `autograder.pipeline`). On top of nbgrader's behaviour:

- a whole-notebook deadline besides the per-cell timeout; on either, the kernel is
  killed (a cell that ignores SIGINT cannot hang grading) and grading stops;
- a kernel that dies (memory limit, `os._exit`) stops grading instead of making
  nbgrader drop the submission;
- every cell after the stop gets an error output saying why it did not run, so
  nbgrader scores its tests 0 (an unexecuted grade cell would otherwise get full marks);
- the outputs of a cell are capped (error outputs are always kept), and a single
  kernel message larger than `message_limit` is dropped;
- before each grade cell its capture folder is emptied, and right after it what the
  cell captured is moved where later cells cannot touch it (`Sandbox.seal`);
- a report of what happened goes to `run.json` in the sandbox's work folder, with the
  `time.monotonic()` clock (shared by the processes of one machine) at the start of the
  run, of its first cell and at its end (`clock`: when grading spends its seconds).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import zmq
import zmq.asyncio
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Integer, Unicode

from autograder.files import write_atomic
from autograder.sandbox.captures import clear_capture, seal_capture
from autograder.sandbox.cgroups import kill_cgroups, memory_exhausted


class StopGrading(Exception):
    """Raised inside the cell loop when the notebook must stop (a timeout)."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _size(content: dict) -> int:
    if "text" in content:
        return len(content["text"])
    return sum(len(str(v)) for v in content.get("data", {}).values()) + 100


class GuardedExecute(Execute):
    notebook_timeout = Integer(3600, help="Seconds for the whole notebook.").tag(config=True)
    output_limit = Integer(200_000, help="Characters of output kept per cell.").tag(config=True)
    message_limit = Integer(256 * 1024**2, help="Largest kernel message accepted (bytes); a "
                            "bigger one is dropped, so a kernel cannot exhaust the grader's "
                            "memory with one huge output.").tag(config=True)
    sandbox_work = Unicode("", help="The sandbox's work folder (captures, report).").tag(
        config=True)

    # --- the run ------------------------------------------------------------------

    def preprocess(self, nb, resources, retries=None):
        self._deadline = time.monotonic() + self.notebook_timeout
        self._started = time.monotonic()
        self._stop = None
        self._limited = None
        self._used: dict[int, int] = {}
        self._truncated: set[int] = set()
        self._report = {"status": "completed", "cells": {}, "truncated": [],
                        "clock": {"began": self._started}}
        self._write_report()
        try:
            return super().preprocess(nb, resources)
        finally:
            self._report["clock"]["ended"] = time.monotonic()
            self._report["seconds"] = round(time.monotonic() - self._started, 2)
            self._write_report()

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id") if meta.get("grade") else None
        if self._stop:
            cell.outputs = [self._error("NotRun", f"not run: {self._stop['message']}")]
            return cell, resources
        if grade_id:
            self._capture_action("clear", grade_id)
        started, self._current = time.monotonic(), index
        self._report["clock"].setdefault("first_cell", started)
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except (StopGrading, CellTimeoutError) as error:
            status = error.status if isinstance(error, StopGrading) else "timeout"
            message = error.message if isinstance(error, StopGrading) else (
                "the cell stopped answering")
            self._halt(cell, index, status, message)
        except DeadKernelError:
            self._halt(cell, index, "crashed", self._death_message(index))
        finally:
            if grade_id:
                self._capture_action("seal", grade_id)
        if index in self._truncated:
            self._report["truncated"].append(index)
        self._report["cells"][str(index)] = round(time.monotonic() - started, 2)
        return cell, resources

    def _halt(self, cell, index, status, message):
        self._kill_kernel()
        self._stop = {"status": status, "cell": index, "message": message}
        self._report.update(status=status, cell=index, message=message)
        self._write_report()
        cell.outputs = list(cell.get("outputs", [])) + [
            self._error("Timeout" if status == "timeout" else "KernelDied", message)]

    def _death_message(self, index):
        if self._oom():
            return f"the kernel ran out of memory in cell {index} and was killed"
        return f"the kernel died in cell {index} (it exited, or was killed)"

    # --- timeouts -------------------------------------------------------------------

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        if cell is None or not hasattr(self, "_deadline"):
            return timeout
        remaining = self._deadline - time.monotonic()
        if timeout is None or remaining < timeout:
            self._limited = "notebook"
            return max(1, math.ceil(remaining))
        self._limited = "cell"
        return timeout

    async def _async_handle_timeout(self, timeout, cell=None):
        if cell is None:
            return await super()._async_handle_timeout(timeout, cell)
        index = getattr(self, "_current", "?")
        if self._limited == "notebook":
            raise StopGrading("timeout", f"the notebook ran out of time in cell {index} "
                                         f"({self.notebook_timeout} s for the whole notebook)")
        raise StopGrading("timeout", f"cell {index} ran longer than the {self.timeout} s "
                                     "allowed per cell, and was stopped")

    # --- outputs --------------------------------------------------------------------

    async def async_start_new_kernel_client(self):
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, self.message_limit)
        make_client = self.km.client
        self.km.client = lambda **kwargs: make_client(context=context, **kwargs)
        return await super().async_start_new_kernel_client()

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def clear_output(self, outs, msg, cell_index):
        self._used[cell_index] = 0
        return super().clear_output(outs, msg, cell_index)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        if msg.get("msg_type") == "error":
            content["traceback"] = content.get("traceback", [])[-100:]
            return super().output(outs, msg, display_id, cell_index)
        used = self._used.get(cell_index, 0) + _size(content)
        self._used[cell_index] = used
        if used <= self.output_limit:
            return super().output(outs, msg, display_id, cell_index)
        if cell_index not in self._truncated:
            self._truncated.add(cell_index)
            # Not a stream: nbgrader's LimitOutput later keeps only the first 1,000 lines of
            # a cell's streams, which would drop a notice at their end.
            outs.append(new_output("display_data", data={"text/plain": (
                f"[output truncated: the cell printed more than {self.output_limit:,} "
                "characters]")}))
        return None

    # --- helpers --------------------------------------------------------------------

    @staticmethod
    def _error(ename, evalue):
        return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])

    def _spec(self) -> dict:
        try:
            return json.loads((Path(self.sandbox_work) / "kernel-spec.json").read_text())
        except (OSError, ValueError):
            return {}

    def _kill_kernel(self):
        """Kill the kernel and everything it started, without asking it."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is not None:
            try:
                process.kill()
            except OSError:
                pass
        kill_cgroups(self._spec().get("cgroups", []), rounds=1)

    def _oom(self) -> bool:
        return memory_exhausted(self._spec().get("cgroups", []))

    def _capture_action(self, action: str, grade_id: str) -> None:
        if not self.sandbox_work:
            return
        work = Path(self.sandbox_work)
        (seal_capture if action == "seal" else clear_capture)(work, grade_id)

    def _write_report(self):
        if not self.sandbox_work:
            return
        write_atomic(Path(self.sandbox_work) / "run.json", json.dumps(self._report))
