"""A Jupyter kernelspec whose kernel starts inside the sandbox, and its matplotlib cache."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

KERNEL_NAME = "cnnkit-sandbox"
QUIET_KERNEL_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3"}
"""TensorFlow's C++ log level for every kernel the kit starts (3: errors only); `make lab`'s
kernelspec (.lab/kernels/python3) sets the same. That kernelspec also passes
`--IPKernelApp.capture_fd_output=False` so that the C++ start-up lines reach the terminal
instead of the first cell; the sandboxed kernel must not: with it, the kernel dies inside
the sandbox before it answers (measured: "Kernel died before replying to kernel_info")."""


def write_kernelspec(folder: Path, argv: list[str]) -> Path:
    """Write `folder/kernels/<KERNEL_NAME>/kernel.json` running `argv`; returns `folder`
    (what JUPYTER_PATH must name)."""
    spec_dir = folder / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": argv, "display_name": "cnnkit sandbox", "language": "python",
        "interrupt_mode": "signal", "metadata": {"debugger": False},
    }))
    return folder


def seed_matplotlib(home: Path, owner: list[int] | None) -> None:
    """Copy matplotlib's font cache into `home`, so that the kernel does not rebuild it."""
    cache = Path(os.environ.get("MPLCONFIGDIR", Path.home() / ".cache" / "matplotlib"))
    target = home / ".config" / "matplotlib"
    target.mkdir(parents=True, exist_ok=True)
    for font_list in cache.glob("fontlist-*.json") if cache.is_dir() else []:
        shutil.copy(font_list, target / font_list.name)
    for path in [home / ".config", target, *target.iterdir()]:
        if owner:
            os.chown(path, *owner)
