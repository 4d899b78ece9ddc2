"""The sandbox of one submission: its folders, users, cgroups, and the commands that enter it.

With Debian's bubblewrap (`bwrap`) the student's kernel, and the clean-room replay,
see only what `autograder.sandbox.bwrap` binds. They have no network (a fresh network
namespace), their own process tree (a PID namespace: nothing they start survives the
sandbox), and, when the grader runs as root, an unprivileged user of their own. Memory
and the number of processes are capped by cgroups where the grader may create them, the
size of any one file by `RLIMIT_FSIZE`.

Where bubblewrap cannot run, the fallback is clearly weaker and says so in the
result's `isolation`: resource limits only (address space, processes, file size),
and no network isolation. Files stay hidden only through permissions: as root the
kernel runs as a user of its own, and `exposure_problem` refuses to grade while any
hidden path (the course, `source/`, the submissions) is readable by other users, or
whenever the kernel would run as the grader's own user.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox.bwrap import (
    CAPTURE,
    DATA,
    GIB,
    HOME,
    REPLAY_CHILD,
    RESULT,
    bwrap_args,
    bwrap_problem,
    needed_paths,
    replay_program,
    system_binds,
)
from autograder.sandbox.cgroups import Cgroups
from autograder.sandbox.cpus import CpuClaim, own_quota, thread_env
from autograder.sandbox.exposure import exposure_problem
from autograder.sandbox.kernelspec import (
    QUIET_KERNEL_ENV,
    seed_matplotlib,
    write_kernelspec,
)
from autograder.sandbox.processes import kill_until_empty, processes, user_tasks
from cnnkit.paths import CAPTURE_ENV, DATA_ENV, DATASETS, cache_path, data_dir

REPLAY_NICE = 10
"""How much lower the clean room's CPU priority is than the student's kernel's."""


@dataclass
class Limits:
    """Resource limits of one sandbox."""

    memory_gib: float = 6.0
    processes: int = 512
    file_size_mib: int = 2048
    network: bool = False
    cpus: int | None = None  # None: every CPU of the machine


def missing_datasets(text: str) -> list[str]:
    """Datasets named in `text` (a notebook) whose cache the sandbox's read-only view lacks."""
    return [name for name in DATASETS if f'"{name}"' in text and not cache_path(name).is_file()]


def _world_readable(path: Path) -> bool:
    """Whether every folder on the way to `path` lets other users through."""
    path = Path(path).resolve()
    return all(p.stat().st_mode & 0o001 for p in [path, *path.parents] if p.exists())


class Sandbox:
    """The isolation of one submission: folders, cgroups, and the commands that enter it.

    `Sandbox(limits)` creates a private work folder under /tmp (short paths: the kernel's
    unix sockets live there) and cgroups; `close()` kills whatever is left and deletes
    both. `hide` lists host paths that must never be visible (the course, the
    submissions); with bubblewrap only what `autograder.sandbox.bwrap` binds is.
    """

    def __init__(self, limits: Limits, hide: list[Path] = ()):
        self.limits = limits
        self.hide = [Path(p).resolve() for p in hide]
        self.work = Path(tempfile.mkdtemp(prefix="cnk-", dir="/tmp"))
        self.home, self.capture = self.work / "home", self.work / "capture"
        self.runtime, self.result = self.work / "rt", self.work / "result"
        self.sealed, self.clean_home = self.work / "sealed", self.work / "clean-home"
        for folder in (self.home, self.capture, self.runtime, self.result, self.sealed,
                       self.clean_home):
            folder.mkdir()
        self.problem = bwrap_problem()
        self.root = os.geteuid() == 0
        # Without bubblewrap's private view, another user can only run Python if the
        # installation and the data are readable by everyone.
        drop = self.root and (self.problem is None or shutil.which("setpriv") is not None
                              and all(map(_world_readable, needed_paths())))
        self.owner = [61000 + secrets.randbelow(2000)] * 2 if drop else None
        # The replay runs at the same time as the student's kernel: another user, cgroups.
        self.replay_owner = [63000 + secrets.randbelow(2000)] * 2 if drop else None
        if self.owner:
            for folder in (self.home, self.capture, self.runtime):
                os.chown(folder, *self.owner)
            for folder in (self.result, self.clean_home):
                os.chown(folder, *self.replay_owner)
        self.cpu_claim = CpuClaim(limits.cpus, quota=own_quota()) if limits.cpus else None
        cpuset = self.cpu_claim.cpus if self.cpu_claim else None
        self.cgroups = self.replay_cgroups = None
        if self.root:
            memory = int(limits.memory_gib * GIB)
            # The replay may overlap the kernel: each has the quota, the cpuset bounds both.
            self.cgroups = Cgroups(f"cnnkit-{self.work.name}", memory, limits.processes,
                                   cpus=limits.cpus, cpuset=cpuset)
            self.replay_cgroups = Cgroups(f"cnnkit-{self.work.name}-replay", memory,
                                          limits.processes, cpus=limits.cpus, cpuset=cpuset)
        self._write_etc()

    @property
    def mode(self) -> str:
        return "bubblewrap" if self.problem is None else "rlimits"

    def isolation(self) -> dict:
        """What protects this submission, for the result's `isolation` field."""
        cgroups = self.cgroups.kind if self.cgroups and self.cgroups.kind else None
        memory = cgroups or "RLIMIT_AS (address space, +4 GiB that TensorFlow reserves)"
        info = {
            "sandbox": self.mode,
            "network": self.limits.network if self.mode == "bubblewrap" else True,
            "memory_limit_gib": self.limits.memory_gib,
            "memory_limit_by": memory,
            "process_limit": self.limits.processes,
            "process_limit_by": cgroups or "RLIMIT_NPROC",
            "file_size_limit_mib": self.limits.file_size_mib,
            "user": f"uid {self.owner[0]}" if self.owner else f"uid {os.geteuid()} (grader's)",
            "filesystem": "private view" if self.mode == "bubblewrap" else "grader's view",
        }
        if self.limits.cpus:
            info["cpus"] = self.limits.cpus
            info["cpu_limit_by"] = ", ".join(filter(None, [
                "thread counts", self.cpu_claim.describe(),
                self.cgroups.cpu_limit_by or self.cgroups.cpu_problem if self.cgroups else None]))
        if self.problem:
            info["weaker_because"] = self.problem
        if self.cgroups and self.cgroups.problem:
            info["no_cgroups_because"] = self.cgroups.problem
        return info

    def _write_etc(self) -> None:
        etc = self.work / "etc"
        etc.mkdir()
        uid, gid = self.owner or (os.getuid(), os.getgid())
        ruid, rgid = self.replay_owner or (os.getuid(), os.getgid())
        (etc / "passwd").write_text(f"root:x:0:0::/root:/bin/sh\nstudent:x:{uid}:{gid}::{HOME}:"
                                    f"/bin/sh\ngrader:x:{ruid}:{rgid}::{HOME}:/bin/sh\n")
        (etc / "group").write_text(f"root:x:0:\nstudent:x:{gid}:\ngrader:x:{rgid}:\n")

    def environment(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The whole environment of sandboxed code (nothing leaks from the grader's)."""
        home = HOME if self.mode == "bubblewrap" else str(self.home)
        env = {
            "HOME": home,
            "USER": "student",
            "LOGNAME": "student",
            "LANG": "C.UTF-8",
            "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "TMPDIR": "/tmp",
            "MPLCONFIGDIR": f"{home}/.config/matplotlib",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONWARNINGS": "ignore",
            **QUIET_KERNEL_ENV,
            DATA_ENV: DATA if self.mode == "bubblewrap" else str(data_dir()),
            **(thread_env(self.limits.cpus) if self.limits.cpus else {}),
        }
        env.update(extra or {})
        return env

    def _bwrap(self, env: dict[str, str], binds: list, owner: list[int] | None) -> list[str]:
        return bwrap_args(env, binds, owner, network=self.limits.network, hide=self.hide,
                          etc=self.work / "etc")

    def _binds(self, kernel: bool) -> list:
        binds = system_binds(self.hide)
        if kernel:
            binds.append(("--bind", self.home, HOME))
            binds.append(("--bind", self.capture, CAPTURE))
            binds.append(("--bind", self.runtime, str(self.runtime)))
        else:
            # The replay never sees the student's files: a fresh, empty home.
            binds.append(("--bind", self.clean_home, HOME))
            binds.append(("--ro-bind", self.sealed, CAPTURE))
            binds.append(("--bind", self.result, RESULT))
            binds.append(("--ro-bind", replay_program(), REPLAY_CHILD))
        return binds

    def _limits(self) -> dict[str, int]:
        limits = {"fsize": self.limits.file_size_mib * 1024**2, "core": 0, "nofile": 4096}
        if not (self.cgroups and self.cgroups.kind):
            # TensorFlow reserves a few GiB of address space it never touches.
            limits["as"] = int((self.limits.memory_gib + 4) * GIB)
        if self.owner:
            limits["nproc"] = self.limits.processes
        elif not (self.cgroups and self.cgroups.kind):
            # RLIMIT_NPROC counts all the grader's own processes too: allow those on top.
            limits["nproc"] = user_tasks(os.getuid()) + self.limits.processes
        return limits

    def launch_spec(self, kind: str, env: dict[str, str]) -> Path:
        """Write the launcher's spec for a `kind` ("kernel" or "replay") process."""
        cgroups = self.cgroups if kind == "kernel" else self.replay_cgroups
        owner = self.owner if kind == "kernel" else self.replay_owner
        spec = {
            "cgroups": [str(p) for p in cgroups.paths] if cgroups else [],
            "owner": owner if kind == "kernel" else None,
            "limits": self._limits(),
            "cpus": self.cpu_claim.cpus if self.cpu_claim else None,
            "log": str(self.work / f"{kind}.log"),
            # The replay runs beside the student's notebook: it takes the CPU left idle.
            "nice": REPLAY_NICE if kind == "replay" else 0,
            "cwd": None if self.mode == "bubblewrap" else str(
                self.home if kind == "kernel" else self.clean_home),
        }
        if self.mode == "bubblewrap":
            spec["prefix"] = self._bwrap(env, self._binds(kernel=kind == "kernel"), owner)
        else:
            spec["env"] = env
            if owner and shutil.which("setpriv"):
                uid, gid = owner
                spec["prefix"] = ["setpriv", f"--reuid={uid}", f"--regid={gid}",
                                  "--clear-groups", "--no-new-privs", "--"]
        path = self.work / f"{kind}-spec.json"
        path.write_text(json.dumps(spec))
        return path

    def command(self, kind: str, argv: list[str], env: dict[str, str]) -> list[str]:
        """`argv` wrapped so that it runs inside this sandbox."""
        spec = self.launch_spec(kind, env)
        return [sys.executable, "-m", "autograder.sandbox.launch", str(spec), "--", *argv]

    def kernelspec(self) -> Path:
        """A kernelspec whose kernel runs in this sandbox; returns the JUPYTER_PATH folder."""
        capture = CAPTURE if self.mode == "bubblewrap" else str(self.capture)
        env = self.environment({CAPTURE_ENV: capture})
        argv = self.command("kernel", [
            str(Path(sys.prefix) / "bin" / "python"), "-m", "ipykernel_launcher",
            "-f", "{connection_file}", "--HistoryManager.hist_file=:memory:",
        ], env)
        folder = write_kernelspec(self.work / "jupyter", argv)
        seed_matplotlib(self.home, self.owner)
        return folder

    def kill_users(self) -> None:
        """SIGKILL every process of the sandbox's own users (root only; a backstop for cgroups)."""
        uids = {owner[0] for owner in (self.owner, self.replay_owner) if owner}
        if uids:
            kill_until_empty(lambda: [pid for pid, uid, _ in processes() if uid in uids], 20)

    def exposure_problem(self) -> str | None:
        """Why the kernel could read a hidden path (the instructor's files), or None
        (see `autograder.sandbox.exposure`)."""
        if self.mode == "bubblewrap":
            return None
        return exposure_problem(self.hide, self.owner, self.root, self.problem)

    def close(self) -> None:
        """Kill everything still running in the sandbox and delete its folders."""
        for cgroups in (self.cgroups, self.replay_cgroups):
            if cgroups:
                cgroups.remove()
        self.kill_users()
        if self.cpu_claim:
            self.cpu_claim.release()
        shutil.rmtree(self.work, ignore_errors=True)
        if self.work.exists():
            subprocess.run(["chmod", "-R", "u+rwx", str(self.work)], capture_output=True)
            shutil.rmtree(self.work, ignore_errors=True)
