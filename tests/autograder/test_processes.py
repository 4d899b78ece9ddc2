"""autograder.sandbox.processes: the processes running now, and the kill-until-empty loop."""

import os
import subprocess

from autograder.sandbox.processes import kill_until_empty, processes, user_tasks


def test_processes_lists_this_process_with_its_user_and_threads():
    mine = {pid: (uid, threads) for pid, uid, threads in processes()}
    assert mine[os.getpid()][0] == os.getuid() and mine[os.getpid()][1] >= 1
    assert user_tasks(os.getuid()) >= mine[os.getpid()][1]


def test_kill_until_empty_kills_until_the_finder_finds_none():
    sleepers = [subprocess.Popen(["sleep", "60"]) for _ in range(2)]
    alive = {s.pid: s for s in sleepers}

    def find():
        return [pid for pid, s in alive.items() if s.poll() is None]

    kill_until_empty(find, rounds=20, pause=0.05)
    assert [s.wait(timeout=10) for s in sleepers] == [-9, -9]
