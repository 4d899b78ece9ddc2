"""Memory, process-count and CPU cgroups for one sandbox (v1 or v2), and the OOM killer's traces."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from autograder.sandbox.cpus import cpu_list
from autograder.sandbox.processes import kill_until_empty

ROOT = Path("/sys/fs/cgroup")
PERIOD_US = 100_000
"""The CPU quota's period: the kernel's default (100 ms)."""


class Cgroups:
    """Memory and process-count cgroups for one sandbox (v1 or v2), when the grader may,
    and where `cpus` is given a CPU quota of that many CPUs (and a cpuset of `cpuset`).

    `cpu_limit_by` says what limits the CPU ("cgroup v2 cpu.max, cpuset 0-1"), or
    `cpu_problem` why nothing does; a missing CPU controller never loses the memory limit.
    """

    def __init__(self, name: str, memory_bytes: int, processes: int, root: Path = ROOT,
                 cpus: int | None = None, cpuset: list[int] | None = None):
        self.paths: list[Path] = []
        self.kind = None
        self.problem = None
        self.cpu_limit_by: str | None = None
        self.cpu_problem: str | None = None
        try:
            if (root / "cgroup.controllers").exists():
                self._create_v2(root / name, memory_bytes, processes)
            elif (root / "memory").is_dir() and (root / "pids").is_dir():
                self._create_v1(root, name, memory_bytes, processes)
            else:
                self.problem = "no cgroup memory controller found"
        except OSError as error:
            self.remove()
            self.paths, self.kind = [], None
            self.problem = f"cannot create cgroups ({error.strerror or error})"
        if cpus and self.kind:
            self._limit_cpu(root, name, cpus, cpuset)

    def _limit_cpu(self, root: Path, name: str, cpus: int, cpuset: list[int] | None) -> None:
        quota = f"{int(cpus * PERIOD_US)} {PERIOD_US}"
        made = []
        try:
            if self.kind == "cgroup v2":
                path = self.paths[0]
                if not (path / "cpu.max").exists():
                    raise OSError("the cpu controller is not enabled for the grader's cgroups")
                (path / "cpu.max").write_text(quota)
                limit = "cgroup v2 cpu.max"
                if cpuset and (path / "cpuset.cpus").exists():
                    (path / "cpuset.cpus").write_text(cpu_list(cpuset))
                    limit += f", cpuset {cpu_list(cpuset)}"
            else:
                cpu = root / "cpu" / name
                if not (root / "cpu").is_dir():
                    raise OSError("no cgroup v1 cpu controller")
                cpu.mkdir()
                made.append(cpu)
                (cpu / "cpu.cfs_period_us").write_text(str(PERIOD_US))
                (cpu / "cpu.cfs_quota_us").write_text(quota.split()[0])
                limit = "cgroup v1 cpu quota"
                if cpuset and (root / "cpuset").is_dir():
                    folder = root / "cpuset" / name
                    folder.mkdir()
                    made.append(folder)
                    # A v1 cpuset takes no process before it has memory nodes.
                    parent_mems = (root / "cpuset" / "cpuset.mems").read_text().strip()
                    (folder / "cpuset.mems").write_text(parent_mems)
                    (folder / "cpuset.cpus").write_text(cpu_list(cpuset))
                    limit += f", cpuset {cpu_list(cpuset)}"
        except OSError as error:
            for path in reversed(made):
                with contextlib.suppress(OSError):
                    path.rmdir()
            self.cpu_problem = f"no CPU quota: {error.strerror or error}"
            return
        self.paths.extend(made)
        self.cpu_limit_by = limit

    def _create_v1(self, root: Path, name: str, memory_bytes: int, processes: int) -> None:
        memory, pids = root / "memory" / name, root / "pids" / name
        for path in (memory, pids):
            path.mkdir()
            self.paths.append(path)
        (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
        swap = memory / "memory.memsw.limit_in_bytes"
        if swap.exists():
            swap.write_text(str(memory_bytes))
        (pids / "pids.max").write_text(str(processes))
        self.kind = "cgroup v1"

    def _create_v2(self, path: Path, memory_bytes: int, processes: int) -> None:
        path.mkdir()
        self.paths.append(path)
        (path / "memory.max").write_text(str(memory_bytes))
        if (path / "memory.swap.max").exists():
            (path / "memory.swap.max").write_text("0")
        (path / "pids.max").write_text(str(processes))
        self.kind = "cgroup v2"

    def out_of_memory(self) -> bool:
        """Whether the kernel's OOM killer struck inside this sandbox."""
        return memory_exhausted(self.paths)

    def kill(self) -> None:
        """SIGKILL every process still in the cgroups."""
        kill_cgroups(self.paths)

    def remove(self) -> None:
        self.kill()
        for path in reversed(self.paths):
            for _ in range(20):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)


def members(cgroups: list) -> set[int]:
    """The pids in these cgroups now."""
    pids = set()
    for path in map(Path, cgroups):
        try:
            pids.update(int(p) for p in (path / "cgroup.procs").read_text().split())
        except OSError:
            pass
    return pids


def kill_cgroups(cgroups: list, rounds: int = 50) -> None:
    """SIGKILL every process in these cgroups: cgroup v2's `cgroup.kill` where the kernel has
    it (Linux 5.14), then pid by pid until they are empty."""
    for path in map(Path, cgroups):
        if (path / "cgroup.kill").exists():
            try:
                (path / "cgroup.kill").write_text("1")
            except OSError:
                pass
    kill_until_empty(lambda: members(cgroups), rounds)


def memory_exhausted(cgroups: list) -> bool:
    """Whether the memory limit of these cgroups was hit (the OOM killer struck)."""
    for path in map(Path, cgroups):
        for name in ("memory.events", "memory.oom_control"):
            try:
                lines = (path / name).read_text().splitlines()
            except OSError:
                continue
            for line in lines:
                key, _, value = line.partition(" ")
                if key == "oom_kill" and int(value or 0) > 0:
                    return True
        try:
            if int((path / "memory.failcnt").read_text() or 0) > 0:
                return True
        except (OSError, ValueError):
            pass
    return False
