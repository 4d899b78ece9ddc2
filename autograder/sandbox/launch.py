"""Start one sandboxed process: join its cgroups, set its limits, then exec the sandbox.

    python -m autograder.sandbox.launch SPEC.json -- COMMAND [ARGS...]

Jupyter starts the student's kernel through this module (it is the first word of
the sandbox kernelspec's argv); the clean-room replay uses it too. It runs with the
grader's privileges, only as long as it takes to exec: it moves itself into the
submission's cgroups, pins itself to the grading's CPUs (`--cpus`), hands the kernel's
connection file to the sandbox user, sets resource limits (inherited by everything the
sandbox starts), lowers its priority where SPEC says (`nice`), and execs SPEC's `prefix`
(bubblewrap and its options) followed by COMMAND. Standard library only:
it must start fast and must not import the grader.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys

LIMITS = {
    "fsize": resource.RLIMIT_FSIZE,
    "nproc": resource.RLIMIT_NPROC,
    "as": resource.RLIMIT_AS,
    "core": resource.RLIMIT_CORE,
    "nofile": resource.RLIMIT_NOFILE,
}


def join_cgroups(paths: list[str]) -> None:
    """Move this process (and so everything it starts) into each cgroup of `paths`."""
    for path in paths:
        with open(os.path.join(path, "cgroup.procs"), "w") as procs:
            procs.write(str(os.getpid()))


def give_connection_file(argv: list[str], owner: list[int] | None) -> None:
    """Let the sandbox user read the kernel's connection file (written 0600 by Jupyter)."""
    if owner is None or "-f" not in argv:
        return
    path = argv[argv.index("-f") + 1]
    if os.path.isfile(path):
        os.chown(path, owner[0], owner[1])


def set_limits(limits: dict[str, int]) -> None:
    """Apply resource limits; they pass to every process the sandbox starts."""
    for name, value in limits.items():
        soft_hard = (value, value)
        try:
            resource.setrlimit(LIMITS[name], soft_hard)
        except (ValueError, OSError):
            # A hard limit below the requested one: keep the stricter existing limit.
            current = resource.getrlimit(LIMITS[name])[1]
            resource.setrlimit(LIMITS[name], (min(value, current), current))


def lower_priority(nice: int) -> None:
    """Lower the CPU priority of this process and its session by `nice` steps.

    Where the kernel groups sessions for scheduling (autogroup), a session competes as
    a whole, whatever its processes' nice values: lower the group's priority too, when
    the session is this process's own (the replay starts one), never its caller's.
    """
    if nice <= 0:
        return
    os.nice(nice)
    if os.getsid(0) != os.getpid():
        return
    try:
        with open("/proc/self/autogroup", "w") as group:
            group.write(str(nice))
    except OSError:
        pass  # no autogroup here: the nice value alone counts


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[1] != "--":
        sys.exit("usage: python -m autograder.sandbox.launch SPEC.json -- COMMAND [ARGS...]")
    with open(argv[0]) as handle:
        spec = json.load(handle)
    command = argv[2:]
    os.umask(0o022)
    join_cgroups(spec.get("cgroups", []))
    if spec.get("cpus"):
        os.sched_setaffinity(0, spec["cpus"])
    give_connection_file(command, spec.get("owner"))
    set_limits(spec.get("limits", {}))
    lower_priority(spec.get("nice", 0))
    # Writing past the file-size limit then fails with an OSError instead of killing.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    if spec.get("log"):
        log = os.open(spec["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
    if spec.get("cwd"):
        os.chdir(spec["cwd"])
    full = spec.get("prefix", []) + command
    env = spec.get("env")
    if env is None:
        os.execvp(full[0], full)
    os.execvpe(full[0], full, env)


if __name__ == "__main__":
    main(sys.argv[1:])
