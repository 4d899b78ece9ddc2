"""autograder.sandbox.cgroups: CPU limits, killing a cgroup's members, the OOM killer's traces."""

import subprocess

from autograder.sandbox.cgroups import Cgroups, kill_cgroups, members, memory_exhausted


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


def _fake_v1(root):
    for controller in ("memory", "pids", "cpu", "cpuset"):
        (root / controller).mkdir()
    (root / "cpuset" / "cpuset.mems").write_text("0\n")
    return root


def test_cpu_quota_and_cpuset_on_cgroup_v1(tmp_path):
    groups = Cgroups("box", 2**30, 64, root=_fake_v1(tmp_path), cpus=2, cpuset=[2, 3])
    assert groups.cpu_limit_by == "cgroup v1 cpu quota, cpuset 2-3"
    assert (tmp_path / "cpu" / "box" / "cpu.cfs_quota_us").read_text() == "200000"
    assert (tmp_path / "cpu" / "box" / "cpu.cfs_period_us").read_text() == "100000"
    assert (tmp_path / "cpuset" / "box" / "cpuset.mems").read_text() == "0"
    assert (tmp_path / "cpuset" / "box" / "cpuset.cpus").read_text() == "2-3"
    assert tmp_path / "cpuset" / "box" in groups.paths


def test_a_missing_cpu_controller_keeps_the_memory_limit(tmp_path):
    (tmp_path / "cgroup.controllers").write_text("memory pids\n")
    groups = Cgroups("box", 2**30, 64, root=tmp_path, cpus=1, cpuset=[0])
    assert groups.kind == "cgroup v2"
    assert (tmp_path / "box" / "memory.max").read_text() == str(2**30)
    assert groups.cpu_limit_by is None
    assert "cpu controller is not enabled" in groups.cpu_problem
    (tmp_path / "v1").mkdir()
    plain = Cgroups("plain", 2**30, 64, root=_fake_v1(tmp_path / "v1"))
    assert plain.cpu_limit_by is None and plain.cpu_problem is None
    assert not (tmp_path / "v1" / "cpu" / "plain").exists()
