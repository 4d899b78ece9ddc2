"""Without bubblewrap: may the student's kernel read the instructor's hidden files?

Bubblewrap shows the kernel none of the hidden paths. Without it, only file permissions
separate them from a kernel that runs as a user of its own (when the grader is root);
a kernel that runs as the grader's user can read whatever the grader reads. The grader
refuses to grade then, with a message that says how to fix the machine.
"""

from __future__ import annotations

import os
from pathlib import Path

from autograder.sandbox.bwrap import _inside


def readable_by_others(path: Path) -> list[Path]:
    """The files under `path` that a user who is neither owner nor in the group can read."""
    path = Path(path).resolve()
    if not path.exists() or not all(p.stat().st_mode & 0o001 for p in path.parents):
        return []
    if path.is_file():
        return [path] if path.stat().st_mode & 0o004 else []
    readable = []
    for folder, folders, files in os.walk(path):
        if not os.stat(folder).st_mode & 0o001:  # others cannot enter it
            folders[:] = []
            continue
        readable += [Path(folder, f) for f in files
                     if os.lstat(Path(folder, f)).st_mode & 0o004]
    return readable


def exposure_problem(hide: list[Path], owner: list[int] | None, root: bool,
                     bwrap_problem: str | None) -> str | None:
    """Why a kernel without bubblewrap could read a path of `hide`, or None.

    `owner` is the kernel's own (uid, gid) when the grader drops to one (as root), else None.
    """
    hidden = [p for p in hide if p.exists()]
    why = f"bubblewrap cannot run here ({bwrap_problem})"
    if not owner:
        if not hidden:
            return None
        reason = ("the grader is not root" if not root else
                  "setpriv is missing or Python, the virtualenv or the data are not "
                  "readable by other users")
        return (f"{why} and {reason}, so the student's kernel would run as the grader's "
                f"user and could read the hidden tests in {', '.join(map(str, hidden))}. "
                "Fix the machine: make bubblewrap work (apt-get install bubblewrap; in a "
                "container allow user namespaces, e.g. docker run --security-opt "
                "seccomp=unconfined --security-opt apparmor=unconfined, or sysctl "
                "kernel.unprivileged_userns_clone=1), or grade as root with setpriv "
                "(util-linux) installed, Python and the data readable by all, and the "
                "hidden folders readable by their owner only (chmod -R o-rwx).")
    readable = [f for p in hidden for f in readable_by_others(p)]
    if not readable:
        return None
    folders = sorted({str(p) for p in hidden if any(_inside(f, p) for f in readable)})
    return (f"{why}, so only file permissions keep the student's kernel (uid "
            f"{owner[0]}) from the instructor's files, and {len(readable)} of them are "
            f"readable by other users, e.g. {readable[0]}. Fix the machine: chmod -R o-rwx "
            f"{' '.join(folders)} (the grader runs as root and still reads them), or make "
            "bubblewrap work.")
