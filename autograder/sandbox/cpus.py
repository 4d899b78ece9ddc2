"""The CPUs of one grading (`--cpus C`): which CPUs it runs on, and the thread counts its
libraries read, so that W gradings of C CPUs on a machine of W x C cores do not slow
each other down.

Three things bound a grading to C CPUs:

* `thread_env(C)`: the thread counts TensorFlow 2.21 (`TF_NUM_INTRAOP_THREADS`,
  `TF_NUM_INTEROP_THREADS`, read by libtensorflow_framework), OpenMP/oneDNN
  (`OMP_NUM_THREADS`) and numpy's BLAS read at start-up. Without them every kernel starts
  one thread per core of the machine, and neighbours preempt each other.
* the cgroup CPU quota (`autograder.sandbox.cgroups`): C CPUs' worth of time per period.
* a set of C CPUs of its own (`CpuClaim`): the launcher pins the sandbox to them
  (`sched_setaffinity`, which TensorFlow also reads to size its thread pools) and, as
  root, the cgroup's cpuset keeps student code from widening it.

Which CPUs: where an engine already gave this process C CPUs or fewer (Slurm's task
affinity, a Kubernetes exclusive-CPU pod), those. Where an engine limits this process's
own cgroup by a CPU quota without pinning it (an ordinary Kubernetes pod), none: the
engine's quota is the limit, and pods cannot see each other's choice. Otherwise (one
machine that several gradings share) C CPUs no other grading holds, claimed with one
`flock` per CPU in `CLAIMS`: the kernel frees a claim when its holder exits, even on SIGKILL.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

CLAIMS = Path(os.environ.get("CNNKIT_CPU_CLAIMS", "/tmp/cnnkit-cpus"))
"""The folder of the per-CPU lock files that gradings on this machine share."""
CGROUP = Path("/sys/fs/cgroup")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def thread_env(cpus: int) -> dict[str, str]:
    """The environment that sizes TensorFlow's, OpenMP's and BLAS's thread pools to `cpus`."""
    return {name: str(cpus) for name in THREAD_VARIABLES}


def own_quota(proc_cgroup: str = "/proc/self/cgroup", root: Path = CGROUP) -> float | None:
    """The CPU quota (in CPUs) of this process's own cgroup, or None where it has none.

    An engine that limits a container by CPU time (Kubernetes' `limits.cpu`) sets it there:
    cgroup v2's `cpu.max` ("200000 100000" = 2 CPUs), v1's `cpu.cfs_quota_us` / `_period_us`.
    """
    try:
        lines = Path(proc_cgroup).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        here = root / path.lstrip("/")
        try:
            if controllers == "" and (root / "cgroup.controllers").exists():
                quota, period = (here / "cpu.max").read_text().split()
                return None if quota == "max" else int(quota) / int(period)
            if "cpu" in controllers.split(","):
                folder = root / controllers if (root / controllers).is_dir() else root / "cpu"
                quota = int((folder / path.lstrip("/") / "cpu.cfs_quota_us").read_text())
                period = int((folder / path.lstrip("/") / "cpu.cfs_period_us").read_text())
                return None if quota < 0 else quota / period
        except (OSError, ValueError):
            continue
    return None


class CpuClaim:
    """`count` CPUs for one grading (see the module's docstring for which); `release()` frees them.

    `cpus` is the sorted list of CPU numbers, or None when the grading is not pinned; then
    `reason` says why.
    """

    def __init__(self, count: int, allowed: set[int] | None = None, folder: Path | None = None,
                 quota: float | None = None):
        if count < 1:
            raise ValueError(f"--cpus must be at least 1, not {count}")
        allowed = sorted(os.sched_getaffinity(0) if allowed is None else allowed)
        self.cpus: list[int] | None = None
        self.reason: str | None = None
        self._locks: list[int] = []
        if len(allowed) <= count:
            self.cpus = allowed
        elif quota is not None:
            self.reason = f"this process's cgroup already limits it to {quota:g} CPUs"
        else:
            self._claim(count, allowed, Path(folder or CLAIMS))

    def _claim(self, count: int, allowed: list[int], folder: Path) -> None:
        try:
            folder.mkdir(mode=0o1777, parents=True, exist_ok=True)
        except OSError as error:
            self.reason = f"cannot create {folder}: {error.strerror or error}"
            return
        claimed = []
        for cpu in allowed:
            try:
                handle = os.open(folder / f"cpu{cpu}.lock", os.O_RDWR | os.O_CREAT, 0o666)
            except OSError:
                continue
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(handle)
                continue
            self._locks.append(handle)
            claimed.append(cpu)
            if len(claimed) == count:
                self.cpus = claimed
                return
        self.release()
        self.reason = (f"only {len(claimed)} of this machine's {len(allowed)} CPUs are free "
                       f"of other gradings; {count} were asked for")

    def release(self) -> None:
        """Free the claimed CPUs for other gradings."""
        for handle in self._locks:
            os.close(handle)
        self._locks = []

    def describe(self) -> str:
        """E.g. "CPUs 0-1" or "not pinned (...)", for the result's `isolation`."""
        if self.cpus is None:
            return f"not pinned ({self.reason})"
        return f"CPUs {cpu_list(self.cpus)}"


def cpu_list(cpus: list[int]) -> str:
    """The kernel's list format of `cpus`, e.g. [0, 1, 2, 5] -> "0-2,5" (cpuset.cpus)."""
    ranges, start = [], None
    for index, cpu in enumerate(cpus):
        if start is None:
            start = cpu
        if index + 1 == len(cpus) or cpus[index + 1] != cpu + 1:
            ranges.append(str(start) if start == cpu else f"{start}-{cpu}")
            start = None
    return ",".join(ranges)
