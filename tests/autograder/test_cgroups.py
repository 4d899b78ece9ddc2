"""autograder.sandbox.cgroups: killing a cgroup's members and reading the OOM killer's traces."""

import subprocess

from autograder.sandbox.cgroups import kill_cgroups, members, memory_exhausted


def test_kill_cgroups_uses_cgroup_kill_and_then_kills_each_member(tmp_path):
    sleeper = subprocess.Popen(["sleep", "60"])
    (tmp_path / "cgroup.procs").write_text(f"{sleeper.pid}\n")
    (tmp_path / "cgroup.kill").write_text("0")
    assert members([tmp_path]) == {sleeper.pid}
    kill_cgroups([tmp_path], rounds=1)
    assert (tmp_path / "cgroup.kill").read_text() == "1"
    assert sleeper.wait(timeout=10) == -9


def test_memory_exhausted_reads_v2_events_and_v1_failcnt(tmp_path):
    v2, v1, calm = tmp_path / "v2", tmp_path / "v1", tmp_path / "calm"
    for folder in (v2, v1, calm):
        folder.mkdir()
    (v2 / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    (v1 / "memory.failcnt").write_text("2\n")
    (calm / "memory.events").write_text("oom_kill 0\n")
    assert memory_exhausted([v2]) and memory_exhausted([str(v1)])
    assert not memory_exhausted([calm]) and not memory_exhausted([tmp_path / "gone"])
