"""Bubblewrap: whether it works here, and the command line that builds the sandbox's view.

Inside, sandboxed code sees only the system's /usr, the Python installation and
virtualenv (read-only), the `cnnkit` package (read-only), the dataset cache (read-only,
at `DATA`), a scratch home directory (`HOME`) and either the capture folder (`CAPTURE`,
the student's kernel) or the sealed captures and a result folder (`RESULT`, the replay).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cnnkit.paths import data_dir

HOME = "/home/student"
CAPTURE = "/capture"
DATA = "/opt/cnnkit-data"
RESULT = "/result"
REPLAY_CHILD = "/opt/cnnkit-replay/child.py"  # autograder/replay/child.py, inside
GIB = 1024**3
ETC_FILES = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime"]
Bind = tuple[str, Path, str]  # (bwrap option, host path, path inside)


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


def package_dir(name: str) -> Path:
    """Where the package `name` lives (an editable install points into the repository)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"cannot find the {name} package")
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def replay_program() -> Path:
    """The clean room's program on the host (`autograder/replay/child.py`)."""
    return Path(__file__).resolve().parents[1] / "replay" / "child.py"


def needed_paths() -> list[Path]:
    """What sandboxed Python must read: the installation, the virtualenv, cnnkit, the data,
    the clean room's program."""
    return [Path(sys.base_prefix), Path(sys.prefix), package_dir("cnnkit"), data_dir(),
            replay_program()]


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def system_binds(hide: list[Path]) -> list[Bind]:
    """Python, the virtualenv, cnnkit and the data, read-only; raises if a `hide` path shows."""
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
    for secret in hide:
        if any(_inside(secret, Path(t)) for _, _, t in binds):
            raise RuntimeError(f"{secret} would be visible in the sandbox")
    if data_dir().is_dir():
        binds.append(("--ro-bind", data_dir().resolve(), DATA))
    return binds


def bwrap_args(env: dict[str, str], binds: list[Bind], owner: list[int] | None, *,
               network: bool, hide: list[Path], etc: Path) -> list[str]:
    """bwrap's command line (ending where the sandboxed command starts).

    `etc` holds the sandbox's own `passwd` and `group`; `owner` is the (uid, gid) to
    switch to with setpriv, or None to stay the grader's user.
    """
    args = ["bwrap", "--die-with-parent", "--unshare-pid", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
    if not network:
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
    args += ["--ro-bind", str(etc / "passwd"), "/etc/passwd",
             "--ro-bind", str(etc / "group"), "/etc/group",
             "--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", str(GIB), "--tmpfs", "/tmp",
             "--perms", "1777", "--size", str(GIB // 4), "--tmpfs", "/dev/shm",
             "--ro-bind-try", "/sys/devices/system/cpu", "/sys/devices/system/cpu"]
    # Secrets that happen to lie inside /usr are masked before anything is bound.
    for secret in hide:
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
