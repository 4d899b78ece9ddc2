"""The capture hand-off: what a hidden test captured leaves the kernel's reach right away."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def clear_capture(work: Path, name: str) -> None:
    """Empty the capture folder of test `name` (just before the test cell runs)."""
    path = Path(work) / "capture" / name
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def seal_capture(work: Path, name: str) -> None:
    """Move what test `name` captured out of the kernel's reach (just after the cell ran).

    Only regular files move; links and anything else the kernel may have made are dropped.
    The sealed folder appears whole (the clean room may be watching for it).
    """
    source, target = Path(work) / "capture" / name, Path(work) / "sealed" / name
    partial = target.with_name(f".{name}.partial")
    shutil.rmtree(target, ignore_errors=True)
    shutil.rmtree(partial, ignore_errors=True)
    if source.is_dir() and not source.is_symlink():
        partial.mkdir()
        for path in source.iterdir():
            if path.is_file() and not path.is_symlink():
                os.rename(path, partial / path.name)
        os.rename(partial, target)
    clear_capture(work, name)
