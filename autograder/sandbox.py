"""The sandbox that student code runs in.

With Debian's bubblewrap (`bwrap`) the student's kernel, and the clean-room replay,
see only: the system's /usr, the Python installation and virtualenv (read-only),
the `cnnkit` package (read-only), the dataset cache (read-only, at /opt/cnnkit-data),
a scratch home directory (/home/student, thrown away afterwards) and the capture
directory (/capture). They have no network (a fresh network namespace), their own
process tree (a PID namespace: nothing they start survives the sandbox), and, when
the grader runs as root, an unprivileged user of their own. Memory and the number of
processes are capped by cgroups where the grader may create them, the size of any
one file by `RLIMIT_FSIZE`.

Where bubblewrap cannot run, the fallback is clearly weaker and says so in the
result's `isolation`: resource limits only (address space, processes, file size),
and no hiding of files or network.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cnnkit.paths import CAPTURE_ENV, DATA_ENV, DATASETS, cache_path, data_dir

HOME = "/home/student"
CAPTURE = "/capture"
DATA = "/opt/cnnkit-data"
RESULT = "/result"
KERNEL_NAME = "cnnkit-sandbox"
GIB = 1024**3
ETC_FILES = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime"]


@dataclass
class Limits:
    """Resource limits of one sandbox."""

    memory_gib: float = 6.0
    processes: int = 512
    file_size_mib: int = 2048
    network: bool = False


def missing_datasets(text: str) -> list[str]:
    """Datasets named in `text` (a notebook) whose cache the sandbox's read-only view lacks."""
    return [name for name in DATASETS if f'"{name}"' in text and not cache_path(name).is_file()]


def package_dir(name: str) -> Path:
    """Where the package `name` lives (an editable install points into the repository)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"cannot find the {name} package")
    return Path(list(spec.submodule_search_locations)[0]).resolve()


@functools.lru_cache(maxsize=1)
def bwrap_problem() -> str | None:
    """None when bubblewrap works here, else why not (shown in the result's `isolation`)."""
    if os.environ.get("CNNKIT_SANDBOX") == "rlimits":
        return "bubblewrap disabled by CNNKIT_SANDBOX=rlimits"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap is not installed (apt-get install -y bubblewrap)"
    probe = [bwrap, "--die-with-parent", "--unshare-pid", "--unshare-net", "--unshare-ipc",
             "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap failed to start: {error}"
    if result.returncode != 0:
        return f"bubblewrap cannot create namespaces here: {result.stderr.strip()[:200]}"
    return None


class Cgroups:
    """Memory and process-count cgroups for one sandbox (v1 or v2), when the grader may."""

    def __init__(self, name: str, memory_bytes: int, processes: int):
        self.paths: list[Path] = []
        self.kind = None
        self.problem = None
        root = Path("/sys/fs/cgroup")
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
        for _ in range(50):
            pids = set()
            for path in self.paths:
                try:
                    pids.update(int(p) for p in (path / "cgroup.procs").read_text().split())
                except OSError:
                    pass
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.1)

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


def clear_capture(work: Path, name: str) -> None:
    """Empty the capture folder of test `name` (just before the test cell runs)."""
    path = Path(work) / "capture" / name
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def seal_capture(work: Path, name: str) -> None:
    """Move what test `name` captured out of the kernel's reach (just after the cell ran).

    Only regular files move; links and anything else the kernel may have made are dropped.
    """
    source, target = Path(work) / "capture" / name, Path(work) / "sealed" / name
    shutil.rmtree(target, ignore_errors=True)
    if source.is_dir() and not source.is_symlink():
        target.mkdir()
        for path in source.iterdir():
            if path.is_file() and not path.is_symlink():
                os.rename(path, target / path.name)
    clear_capture(work, name)


def _needed_paths() -> list[Path]:
    """What sandboxed Python must read: the installation, the virtualenv, cnnkit, the data."""
    return [Path(sys.base_prefix), Path(sys.prefix), package_dir("cnnkit"), data_dir()]


def _world_readable(path: Path) -> bool:
    """Whether every folder on the way to `path` lets other users through."""
    path = Path(path).resolve()
    return all(p.stat().st_mode & 0o001 for p in [path, *path.parents] if p.exists())


def _processes():
    """(pid, real uid, threads) of every process running now, read from /proc."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue  # it has just ended
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        uid = fields.get("Uid", "").split()[:1]
        threads = fields.get("Threads", "1").strip() or "1"
        yield int(pid), (int(uid[0]) if uid else None), int(threads)


def _user_tasks(uid: int) -> int:
    """How many tasks (threads) user `uid` runs now: what RLIMIT_NPROC counts."""
    return sum(threads for _, owner, threads in _processes() if owner == uid)


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


class Sandbox:
    """The isolation of one submission: folders, cgroups, and the commands that enter it.

    `Sandbox(limits)` creates a private work folder under /tmp (short paths: the kernel's
    unix sockets live there) and cgroups; `close()` kills whatever is left and deletes
    both. `hide` lists host paths that must never be visible (the course, the
    submissions); with bubblewrap only the paths listed in the module docstring are.
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
                              and all(map(_world_readable, _needed_paths())))
        self.owner = [61000 + secrets.randbelow(2000)] * 2 if drop else None
        # The replay runs at the same time as the student's kernel: another user, cgroups.
        self.replay_owner = [63000 + secrets.randbelow(2000)] * 2 if drop else None
        if self.owner:
            for folder in (self.home, self.capture, self.runtime):
                os.chown(folder, *self.owner)
            for folder in (self.result, self.clean_home):
                os.chown(folder, *self.replay_owner)
        self.cgroups = self.replay_cgroups = None
        if self.root:
            memory = int(limits.memory_gib * GIB)
            self.cgroups = Cgroups(f"cnnkit-{self.work.name}", memory, limits.processes)
            self.replay_cgroups = Cgroups(f"cnnkit-{self.work.name}-replay", memory,
                                          limits.processes)
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
            "TF_CPP_MIN_LOG_LEVEL": "3",
            DATA_ENV: DATA if self.mode == "bubblewrap" else str(data_dir()),
        }
        env.update(extra or {})
        return env

    def _bwrap(self, env: dict[str, str], binds: list[tuple[str, Path, str]],
               owner: list[int] | None) -> list[str]:
        args = ["bwrap", "--die-with-parent", "--unshare-pid", "--unshare-ipc",
                "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
        if not self.limits.network:
            args.append("--unshare-net")
        args += ["--ro-bind", "/usr", "/usr"]
        for name in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
            path = Path("/") / name
            if path.is_symlink():
                args += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                args += ["--ro-bind", str(path), str(path)]
        for name in ETC_FILES:
            args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        args += ["--ro-bind", str(self.work / "etc" / "passwd"), "/etc/passwd",
                 "--ro-bind", str(self.work / "etc" / "group"), "/etc/group",
                 "--proc", "/proc", "--dev", "/dev",
                 "--perms", "1777", "--size", str(GIB), "--tmpfs", "/tmp",
                 "--perms", "1777", "--size", str(GIB // 4), "--tmpfs", "/dev/shm",
                 "--ro-bind-try", "/sys/devices/system/cpu", "/sys/devices/system/cpu"]
        # Secrets that happen to lie inside /usr are masked before anything is bound.
        for secret in self.hide:
            if _inside(secret, Path("/usr")):
                args += ["--tmpfs", str(secret)] if secret.is_dir() else [
                    "--ro-bind", "/dev/null", str(secret)]
        made = {"/", "/usr", "/tmp", "/proc", "/dev", "/etc", "/sys"}
        for mode, source, target in binds:
            for folder in _ancestors(target):
                if folder not in made and not folder.startswith(("/usr/", "/proc/", "/dev/")):
                    args += ["--perms", "0755", "--dir", folder]
                    made.add(folder)
            args += [mode, str(source), target]
            made.add(target)
        args += ["--chdir", HOME, "--clearenv"]
        for key, value in env.items():
            args += ["--setenv", key, value]
        if owner:
            uid, gid = owner
            args += ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                     "--no-new-privs", "--bounding-set=-all", "--inh-caps=-all", "--"]
        return args

    def _binds(self, kernel: bool) -> list[tuple[str, Path, str]]:
        python_base = Path(sys.base_prefix).resolve()
        venv = Path(sys.prefix).resolve()
        cnnkit = package_dir("cnnkit")
        binds = []
        if not _inside(python_base, Path("/usr")):
            binds.append(("--ro-bind", python_base, str(python_base)))
        if venv != python_base and not _inside(venv, Path("/usr")):
            binds.append(("--ro-bind", venv, str(venv)))
        if not any(_inside(cnnkit, Path(t)) for _, _, t in binds):
            binds.append(("--ro-bind", cnnkit, str(cnnkit)))
        for secret in self.hide:
            if any(_inside(secret, Path(t)) for _, _, t in binds):
                raise RuntimeError(f"{secret} would be visible in the sandbox")
        if data_dir().is_dir():
            binds.append(("--ro-bind", data_dir().resolve(), DATA))
        if kernel:
            binds.append(("--bind", self.home, HOME))
            binds.append(("--bind", self.capture, CAPTURE))
            binds.append(("--bind", self.runtime, str(self.runtime)))
        else:
            # The replay never sees the student's files: a fresh, empty home.
            binds.append(("--bind", self.clean_home, HOME))
            binds.append(("--ro-bind", self.sealed, CAPTURE))
            binds.append(("--bind", self.result, RESULT))
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
            limits["nproc"] = _user_tasks(os.getuid()) + self.limits.processes
        return limits

    def launch_spec(self, kind: str, env: dict[str, str]) -> Path:
        """Write the launcher's spec for a `kind` ("kernel" or "replay") process."""
        cgroups = self.cgroups if kind == "kernel" else self.replay_cgroups
        owner = self.owner if kind == "kernel" else self.replay_owner
        spec = {
            "cgroups": [str(p) for p in cgroups.paths] if cgroups else [],
            "owner": owner if kind == "kernel" else None,
            "limits": self._limits(),
            "log": str(self.work / f"{kind}.log"),
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
        return [sys.executable, "-m", "autograder.launch", str(spec), "--", *argv]

    def kernelspec(self) -> Path:
        """A kernelspec whose kernel runs in this sandbox; returns the JUPYTER_PATH folder."""
        capture = CAPTURE if self.mode == "bubblewrap" else str(self.capture)
        env = self.environment({CAPTURE_ENV: capture})
        argv = self.command("kernel", [
            str(Path(sys.prefix) / "bin" / "python"), "-m", "ipykernel_launcher",
            "-f", "{connection_file}", "--HistoryManager.hist_file=:memory:",
        ], env)
        folder = self.work / "jupyter"
        spec_dir = folder / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        (spec_dir / "kernel.json").write_text(json.dumps({
            "argv": argv, "display_name": "cnnkit sandbox", "language": "python",
            "interrupt_mode": "signal", "metadata": {"debugger": False},
        }))
        self._seed_matplotlib()
        return folder

    def _seed_matplotlib(self) -> None:
        """Copy matplotlib's font cache in, so that the kernel does not rebuild it."""
        cache = Path(os.environ.get("MPLCONFIGDIR", Path.home() / ".cache" / "matplotlib"))
        target = self.home / ".config" / "matplotlib"
        target.mkdir(parents=True, exist_ok=True)
        for font_list in cache.glob("fontlist-*.json") if cache.is_dir() else []:
            shutil.copy(font_list, target / font_list.name)
        for path in [self.home / ".config", target, *target.iterdir()]:
            if self.owner:
                os.chown(path, *self.owner)

    def kill_users(self) -> None:
        """SIGKILL every process of the sandbox's own users (root only; a backstop for cgroups)."""
        uids = {owner[0] for owner in (self.owner, self.replay_owner) if owner}
        for _ in range(20 if uids else 0):
            found = [pid for pid, owner, _ in _processes() if owner in uids]
            if not found:
                return
            for pid in found:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.1)

    def close(self) -> None:
        """Kill everything still running in the sandbox and delete its folders."""
        for cgroups in (self.cgroups, self.replay_cgroups):
            if cgroups:
                cgroups.remove()
        self.kill_users()
        shutil.rmtree(self.work, ignore_errors=True)
        if self.work.exists():
            subprocess.run(["chmod", "-R", "u+rwx", str(self.work)], capture_output=True)
            shutil.rmtree(self.work, ignore_errors=True)
