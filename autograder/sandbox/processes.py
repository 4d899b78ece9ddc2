"""The processes running now (read with psutil), and killing a set of them until none is left."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator

import psutil


def processes() -> Iterator[tuple[int, int | None, int]]:
    """(pid, real uid, threads) of every process running now."""
    for process in psutil.process_iter(["uids", "num_threads"]):
        uids, threads = process.info["uids"], process.info["num_threads"]
        yield process.pid, (uids.real if uids else None), threads or 1


def user_tasks(uid: int) -> int:
    """How many tasks (threads) user `uid` runs now: what RLIMIT_NPROC counts."""
    return sum(threads for _, owner, threads in processes() if owner == uid)


def kill_until_empty(find: Callable[[], Iterable[int]], rounds: int, pause: float = 0.1) -> None:
    """SIGKILL the processes `find()` lists, again and again, until it lists none.

    Killing can race with forking, so this looks again after each round, at most
    `rounds` times.
    """
    for _ in range(rounds):
        pids = set(find())
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass  # it has just ended
        time.sleep(pause)
