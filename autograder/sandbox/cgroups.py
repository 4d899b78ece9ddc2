"""Memory and process-count cgroups for one sandbox (v1 or v2), and the OOM killer's traces."""

from __future__ import annotations

import time
from pathlib import Path

from autograder.sandbox.processes import kill_until_empty

ROOT = Path("/sys/fs/cgroup")


class Cgroups:
    """Memory and process-count cgroups for one sandbox (v1 or v2), when the grader may."""

    def __init__(self, name: str, memory_bytes: int, processes: int, root: Path = ROOT):
        self.paths: list[Path] = []
        self.kind = None
        self.problem = None
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
