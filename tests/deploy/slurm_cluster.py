"""A single-node Slurm cluster in a temporary folder, for the deployment test.

Debian's `slurm-wlm` and `munge` (`make system` installs them as root): `munged` with a
fresh key and its own socket, `slurmctld` and `slurmd` as root with a minimal slurm.conf
naming this machine (its hostname, CPUs and memory) on free ports. Nothing outside the
folder is used or changed; `stop()` ends every daemon, also after a failure.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

PROGRAMS = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol")

CONF = """\
ClusterName=cnnkit
SlurmctldHost={host}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={dir}/munge.sock
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
StateSaveLocation={dir}/state
SlurmdSpoolDir={dir}/spool
SlurmctldPidFile={dir}/slurmctld.pid
SlurmdPidFile={dir}/slurmd.pid
SlurmctldLogFile={dir}/slurmctld.log
SlurmdLogFile={dir}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName={host} CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN
PartitionName=grading Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


def why_not() -> str | None:
    """Why a Slurm cluster cannot be started here, or None."""
    if os.geteuid() != 0:
        return "the test starts munged, slurmctld and slurmd as root: run it as root"
    missing = [name for name in PROGRAMS if shutil.which(name) is None
               and not Path("/usr/sbin", name).exists()]
    if missing:
        return (f"{', '.join(missing)} missing: install Debian's slurm-wlm and munge "
                "(`sudo make system`)")
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _memory_mb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(int(line.split()[1]) / 1024 * 0.9)
    raise OSError("no MemTotal in /proc/meminfo")


class SlurmCluster:
    """munged + slurmctld + slurmd on this machine, configured in `folder`."""

    def __init__(self, folder: Path):
        self.dir = Path(folder)
        self.conf = self.dir / "slurm.conf"
        self.env = {**os.environ, "SLURM_CONF": str(self.conf)}
        self.host = socket.gethostname().split(".")[0]
        self.cpus = len(os.sched_getaffinity(0))

    def run(self, *argv: str, check: bool = True) -> str:
        """A Slurm command (sbatch, squeue, ...) against this cluster; its standard output."""
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr or done.stdout}"
                               f"\n{self.logs()}")
        return done.stdout

    def start(self, timeout: float = 60) -> None:
        """Start the daemons and wait until the node is idle."""
        for folder in ("state", "spool"):
            (self.dir / folder).mkdir(parents=True, exist_ok=True)
        self.conf.write_text(CONF.format(host=self.host, dir=self.dir, cpus=self.cpus,
                                         memory_mb=_memory_mb(), ctld_port=_free_port(),
                                         d_port=_free_port()))
        key = self.dir / "munge.key"
        subprocess.run(["mungekey", "--create", "--keyfile", str(key)], check=True)
        subprocess.run(["munged", "--force", f"--key-file={key}",
                        f"--socket={self.dir / 'munge.sock'}",
                        f"--pid-file={self.dir / 'munged.pid'}",
                        f"--log-file={self.dir / 'munged.log'}",
                        f"--seed-file={self.dir / 'munged.seed'}"], check=True)
        subprocess.run(["slurmctld", "-i"], env=self.env, check=True)
        subprocess.run(["slurmd"], env=self.env, check=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.run("sinfo", "--noheader", "--format=%T", check=False).strip()
            if state == "idle":
                return
            time.sleep(1)
        raise RuntimeError(f"the Slurm node is not idle after {timeout:.0f} s\n{self.logs()}")

    def wait(self, job: str, timeout: float) -> str:
        """Wait until `job` (and its array tasks) left the queue; its final state."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.run("squeue", "--noheader", f"--jobs={job}", check=False).strip():
                break
            time.sleep(2)
        else:
            raise TimeoutError(f"Slurm job {job} still queued after {timeout:.0f} s\n"
                               f"{self.logs()}")
        return self.run("scontrol", "show", "job", job, check=False)

    def logs(self) -> str:
        parts = []
        for name in ("slurmctld.log", "slurmd.log", "munged.log"):
            path = self.dir / name
            if path.is_file():
                parts.append(f"--- {name} (last lines)\n" +
                             "\n".join(path.read_text().splitlines()[-15:]))
        return "\n".join(parts)

    def stop(self) -> None:
        """Cancel every job, then end slurmd, slurmctld and munged (SIGTERM, then SIGKILL),
        whatever state they are in."""
        if (self.dir / "slurmctld.pid").is_file():
            self.run("scancel", "--full", "--user=root", check=False)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and self.run(
                    "squeue", "--noheader", check=False).strip():
                time.sleep(1)
        for name in ("slurmd", "slurmctld", "munged"):
            try:
                _end(int((self.dir / f"{name}.pid").read_text().split()[0]))
            except (OSError, ValueError, IndexError):
                continue


def _end(pid: int) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
