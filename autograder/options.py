"""How to grade one submission: time, memory, CPU and output limits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Options:
    """How to grade: time, memory, CPU and output limits."""

    timeout: int = 3600  # seconds for the whole notebook
    cell_timeout: int = 900
    memory_gib: float = 6.0
    processes: int = 512
    file_size_mib: int = 2048
    output_limit: int = 200_000  # characters per cell
    replay_timeout: int = 600
    cpus: int | None = None  # CPUs per grading (autograder.sandbox.cpus); None: all

    @classmethod
    def from_cli(cls, timeout: int, cell_timeout: int, memory: float,
                 cpus: int | None = None) -> Options:
        """The options of the command line's --timeout, --cell-timeout, --memory and --cpus."""
        return cls(timeout=timeout, cell_timeout=cell_timeout, memory_gib=memory,
                   replay_timeout=max(300, min(timeout, 900)), cpus=cpus)

    def limits(self):
        """The sandbox's `Limits` for these options."""
        from autograder.sandbox import Limits

        return Limits(memory_gib=self.memory_gib, processes=self.processes,
                      file_size_mib=self.file_size_mib, cpus=self.cpus)
