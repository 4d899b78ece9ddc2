"""autograder.sandbox: what sandboxed code can see and do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder import sandbox
from tests.conftest import FILES, REPO

needs_bwrap = pytest.mark.skipif(sandbox.bwrap_problem() is not None,
                                 reason=f"no bubblewrap: {sandbox.bwrap_problem()}")


def _run(box, code, timeout=60):
    argv = [sys.executable, "-I", "-c", code]
    return subprocess.run(box.command("replay", argv, box.environment()), capture_output=True,
                          text=True, timeout=timeout)


def _log(box):
    return (box.work / "replay.log").read_text()


@pytest.fixture
def box():
    sandboxed = sandbox.Sandbox(sandbox.Limits(memory_gib=0.5, processes=64, file_size_mib=8),
                                hide=[REPO])
    yield sandboxed
    sandboxed.close()


SNOOP = r"""
import json, os, socket
seen = [p for p in %r if os.path.exists(p)]
try:
    socket.create_connection(("1.1.1.1", 53), timeout=3)
    net = True
except OSError:
    net = False
wrote = []
for folder in ["/usr", "/opt/cnnkit-data", %r, "/capture", "/"]:
    try:
        open(os.path.join(folder, "x"), "w").write("x")
        wrote.append(folder)
    except OSError:
        pass
print(json.dumps({"uid": os.getuid(), "seen": seen, "net": net, "wrote": wrote,
                  "root": sorted(os.listdir("/")), "pids": sorted(os.listdir("/proc"))}))
"""


@needs_bwrap
def test_sandbox_shows_nothing_of_the_course(box):
    secrets = [str(REPO / "source"), str(REPO / "autograder"), str(REPO / "gradebook.db"),
               str(REPO / "nbgrader_config.py"), str(REPO / "README.md"), str(FILES),
               str(Path.home() / ".ssh"), str(Path.home() / ".bash_history")]
    cnnkit_dir = str(sandbox.package_dir("cnnkit"))
    process = _run(box, SNOOP % (secrets, cnnkit_dir))
    assert process.returncode == 0, _log(box)
    seen = json.loads(_log(box).strip().splitlines()[-1])
    assert seen["seen"] == []
    assert seen["net"] is False
    assert seen["wrote"] == []
    bound = {Path(p).resolve().parts[1] for p in (sys.base_prefix, sys.prefix, cnnkit_dir)}
    allowed = {"bin", "capture", "dev", "etc", "home", "lib", "lib64", "opt", "proc", "result",
               "sbin", "sys", "tmp", "usr"} | bound
    assert set(seen["root"]) <= allowed
    if os.geteuid() == 0:
        assert seen["uid"] >= 61000
    assert box.isolation()["sandbox"] == "bubblewrap"


@needs_bwrap
@pytest.mark.skipif(os.geteuid() != 0, reason="cgroups need root")
def test_memory_limit_kills_and_is_reported(box):
    process = _run(box, "x = bytearray(1024**3)\nx[::4096] = b'x' * len(x[::4096])")
    assert process.returncode != 0
    assert box.replay_cgroups.out_of_memory()


@needs_bwrap
def test_process_and_file_size_limits(box):
    code = (
        "import subprocess\nprocs = []\n"
        "try:\n    for _ in range(500):\n"
        "        procs.append(subprocess.Popen(['sleep', '4242']))\n"
        "except OSError:\n    pass\n"
        "print('spawned', len(procs))\n"
        "try:\n    open('/tmp/big', 'wb').write(b'x' * (20 * 1024**2))\n    print('big ok')\n"
        "except OSError as e:\n    print('big failed', e.errno)\n"
    )
    assert _run(box, code).returncode == 0, _log(box)
    log = _log(box)
    spawned = int(log.split("spawned ")[1].split()[0])
    assert spawned <= 64
    assert "big failed 27" in log  # EFBIG


@needs_bwrap
def test_no_process_survives_the_sandbox(box):
    code = ("import os, time\n"
            "if os.fork() == 0:\n    os.setsid()\n"
            "    if os.fork() == 0:\n        os.execvp('sleep', ['sleep', '4343'])\n"
            "    os._exit(0)\n"
            "time.sleep(0.5)\n")
    assert _run(box, code).returncode == 0
    box.close()
    time.sleep(0.5)
    survivors = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if b"4343" in open(f"/proc/{pid}/cmdline", "rb").read():
                survivors.append(pid)
        except OSError:
            pass
    assert survivors == []


def test_fallback_is_reported_as_weaker(monkeypatch):
    monkeypatch.setenv("CNNKIT_SANDBOX", "rlimits")
    sandbox.bwrap_problem.cache_clear()
    try:
        weak = sandbox.Sandbox(sandbox.Limits(memory_gib=1))
        try:
            info = weak.isolation()
            assert info["sandbox"] == "rlimits" and info["network"] is True
            assert "CNNKIT_SANDBOX" in info["weaker_because"]
        finally:
            weak.close()
    finally:
        monkeypatch.delenv("CNNKIT_SANDBOX")
        sandbox.bwrap_problem.cache_clear()



def test_kill_users_ends_the_processes_of_the_sandbox_users(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root can run processes as other users")
    box = sandbox.Sandbox(sandbox.Limits())
    if not box.owner:
        box.close()
        pytest.skip("this machine's sandbox runs as the grader's user")
    sleeper = subprocess.Popen(["sleep", "60"], user=box.owner[0], group=box.owner[1])
    box.close()
    assert sleeper.wait(timeout=10) == -9


def test_without_bubblewrap_readable_hidden_tests_stop_grading(monkeypatch, tmp_path):
    """Without bubblewrap the kernel must not be able to read the instructor's files."""
    hidden = tmp_path / "course" / "source"
    hidden.mkdir(parents=True)
    (hidden / "tests.ipynb").write_text("{}")
    for path in (tmp_path, tmp_path / "course", hidden):
        path.chmod(0o755)
    (hidden / "tests.ipynb").chmod(0o644)
    monkeypatch.setenv("CNNKIT_SANDBOX", "rlimits")
    sandbox.bwrap_problem.cache_clear()
    try:
        weak = sandbox.Sandbox(sandbox.Limits(memory_gib=1), hide=[hidden])
        try:
            problem = weak.exposure_problem()
            assert problem and "Fix the machine" in problem
            if weak.owner:  # root, with a user of its own: permissions can protect the files
                assert "chmod -R o-rwx" in problem and "tests.ipynb" in problem
                hidden.chmod(0o750)
                assert weak.exposure_problem() is None
            else:  # the kernel would run as the grader: nothing but bubblewrap protects
                assert "grader's user" in problem
        finally:
            weak.close()
        monkeypatch.setattr(os, "geteuid", lambda: 1000)  # not root: no user of its own
        as_user = sandbox.Sandbox(sandbox.Limits(memory_gib=1), hide=[hidden])
        try:
            assert "the grader is not root" in as_user.exposure_problem()
        finally:
            as_user.close()
    finally:
        monkeypatch.delenv("CNNKIT_SANDBOX")
        sandbox.bwrap_problem.cache_clear()


def _group_nice() -> str | None:
    """This process's autogroup nice, or None where sessions are not grouped.

    The file is empty, not absent, for a task in a cgroup of its own (a CI container).
    """
    path = Path("/proc/self/autogroup")
    words = path.read_text().split() if path.exists() else []
    return words[-1] if words else None


def test_the_clean_room_runs_at_a_lower_priority_than_the_kernel(box):
    """The replay runs beside the notebook: it must take only the CPU the kernel leaves,
    in its own session's scheduling group, never lowering its caller's."""
    code = ("import os\nprint('nice', os.nice(0))\n"
            "words = open('/proc/self/autogroup').read().split() "
            "if os.path.exists('/proc/self/autogroup') else []\n"
            "if words:\n    print('autogroup', words[-1])\n")
    ours = _group_nice()
    for session in (True, False):
        box.work.joinpath("replay.log").unlink(missing_ok=True)
        command = box.command("replay", [sys.executable, "-I", "-c", code], box.environment())
        assert subprocess.run(command, start_new_session=session, timeout=60).returncode == 0
        lines = dict(line.split() for line in _log(box).splitlines() if line.strip())
        assert int(lines["nice"]) == min(19, os.nice(0) + sandbox.REPLAY_NICE), lines
        if "autogroup" in lines:  # scheduled by session: the session's priority counts
            assert lines["autogroup"] == (str(sandbox.REPLAY_NICE) if session else ours)
    assert _group_nice() == ours
    kernel = box.launch_spec("kernel", box.environment())
    assert json.loads(kernel.read_text())["nice"] == 0


@needs_bwrap
def test_cpus_pin_the_sandbox_and_size_its_thread_pools(tmp_path, monkeypatch):
    monkeypatch.setattr("autograder.sandbox.cpus.CLAIMS", tmp_path)
    box = sandbox.Sandbox(sandbox.Limits(memory_gib=0.5, processes=64, cpus=1), hide=[REPO])
    try:
        code = "import os\nprint(sorted(os.sched_getaffinity(0)), os.environ['OMP_NUM_THREADS'])"
        assert _run(box, code).returncode == 0, _log(box)
        assert _log(box).strip().splitlines()[-1] == f"{box.cpu_claim.cpus} 1"
        isolation = box.isolation()
        assert isolation["cpus"] == 1
        if os.geteuid() == 0 and box.replay_cgroups.kind == "cgroup v1":
            assert "cgroup v1 cpu quota, cpuset" in isolation["cpu_limit_by"]
            quota = Path("/sys/fs/cgroup/cpu") / box.replay_cgroups.paths[0].name
            assert (quota / "cpu.cfs_quota_us").read_text().strip() == "100000"
    finally:
        box.close()
    assert not box.cpu_claim._locks
