"""The sandbox that student code runs in, one module a job.

    sandbox.py     Sandbox (folders, users, environment, launch specs) and Limits
    bwrap.py       whether bubblewrap works here; the private view it builds
    cgroups.py     memory, process-count and CPU cgroups; OOM detection; killing their members
    cpus.py        --cpus: the grading's own CPUs (claimed per machine) and thread counts
    processes.py   the processes running now (psutil); the one kill-until-empty loop
    captures.py    the capture hand-off between the kernel and the clean room
    kernelspec.py  the sandboxed kernel's kernelspec (quiet start-up) and matplotlib cache
    exposure.py    without bubblewrap: whether the kernel could read the instructor's files
    launch.py      the program that enters the sandbox (standard library only)

Names are loaded when first used, so that `python -m autograder.sandbox.launch`, which
starts every kernel, imports nothing but the standard library.
"""

from __future__ import annotations

import importlib

_NAMES = {
    "Limits": "sandbox", "Sandbox": "sandbox", "missing_datasets": "sandbox",
    "REPLAY_NICE": "sandbox",
    "CAPTURE": "bwrap", "DATA": "bwrap", "HOME": "bwrap", "RESULT": "bwrap",
    "REPLAY_CHILD": "bwrap",
    "bwrap_problem": "bwrap", "package_dir": "bwrap",
    "Cgroups": "cgroups", "kill_cgroups": "cgroups", "memory_exhausted": "cgroups",
    "CpuClaim": "cpus", "thread_env": "cpus",
    "clear_capture": "captures", "seal_capture": "captures",
    "KERNEL_NAME": "kernelspec",
    "QUIET_KERNEL_ENV": "kernelspec",
    "exposure_problem": "exposure",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str):
    if name in _NAMES:
        return getattr(importlib.import_module(f"autograder.sandbox.{_NAMES[name]}"), name)
    raise AttributeError(f"module 'autograder.sandbox' has no attribute {name!r}")
