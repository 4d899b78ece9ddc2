"""autograder.sandbox.cpus: thread counts, the engine's own quota, and per-CPU claims."""

import pytest

from autograder.sandbox.cpus import CpuClaim, cpu_list, own_quota, thread_env


def test_thread_env_sizes_tensorflow_openmp_and_blas():
    env = thread_env(2)
    assert env["TF_NUM_INTRAOP_THREADS"] == env["TF_NUM_INTEROP_THREADS"] == "2"
    assert env["OMP_NUM_THREADS"] == env["OPENBLAS_NUM_THREADS"] == "2"


def test_cpu_list_uses_the_kernels_range_format():
    assert cpu_list([0, 1, 2, 5]) == "0-2,5"
    assert cpu_list([3]) == "3"
    assert cpu_list([0, 2, 3, 4, 7, 8]) == "0,2-4,7-8"


def test_own_quota_reads_v2_cpu_max_and_v1_cfs_quota(tmp_path):
    v2 = tmp_path / "v2"
    (v2 / "kubepods" / "pod1").mkdir(parents=True)
    (v2 / "cgroup.controllers").write_text("cpu memory\n")
    (v2 / "kubepods" / "pod1" / "cpu.max").write_text("150000 100000\n")
    proc = tmp_path / "cgroup"
    proc.write_text("0::/kubepods/pod1\n")
    assert own_quota(str(proc), v2) == 1.5
    (v2 / "kubepods" / "pod1" / "cpu.max").write_text("max 100000\n")
    assert own_quota(str(proc), v2) is None
    v1 = tmp_path / "v1"
    (v1 / "cpu,cpuacct" / "slurm").mkdir(parents=True)
    (v1 / "cpu,cpuacct" / "slurm" / "cpu.cfs_quota_us").write_text("200000\n")
    (v1 / "cpu,cpuacct" / "slurm" / "cpu.cfs_period_us").write_text("100000\n")
    proc.write_text("4:memory:/slurm\n2:cpu,cpuacct:/slurm\n")
    assert own_quota(str(proc), v1) == 2
    assert own_quota(str(tmp_path / "missing"), v1) is None


def test_claims_take_free_cpus_and_release_them(tmp_path):
    first = CpuClaim(1, allowed={0, 1}, folder=tmp_path)
    second = CpuClaim(1, allowed={0, 1}, folder=tmp_path)
    third = CpuClaim(1, allowed={0, 1}, folder=tmp_path)
    assert (first.cpus, second.cpus, third.cpus) == ([0], [1], None)
    assert "only 0 of this machine's 2 CPUs are free" in third.describe()
    first.release()
    assert CpuClaim(1, allowed={0, 1}, folder=tmp_path).cpus == [0]
    second.release()


def test_a_failed_claim_holds_nothing(tmp_path):
    holder = CpuClaim(2, allowed={0, 1, 2, 3}, folder=tmp_path)
    greedy = CpuClaim(3, allowed={0, 1, 2, 3}, folder=tmp_path)
    assert greedy.cpus is None
    assert CpuClaim(2, allowed={0, 1, 2, 3}, folder=tmp_path).cpus == [2, 3]
    holder.release()


def test_cpus_an_engine_gave_are_used_as_they_are_and_its_quota_is_respected(tmp_path):
    assert CpuClaim(2, allowed={4, 5}, folder=tmp_path).cpus == [4, 5]
    assert list(tmp_path.iterdir()) == []
    pod = CpuClaim(1, allowed={0, 1, 2, 3}, folder=tmp_path, quota=1.0)
    assert pod.cpus is None and "already limits it to 1 CPUs" in pod.describe()
    with pytest.raises(ValueError, match="at least 1"):
        CpuClaim(0, allowed={0})
