"""The error a failed check raises: in a notebook, the line that called it and the message.

IPython (and so Jupyter) shows an exception through its `_render_traceback_` method when
it has one. `CheckFailed` uses that to show only the notebook lines that led to the
check and the check's message, not the lines inside cnnkit, which do not help to fix
the answer. It is still an `AssertionError`: the cell fails, Run All stops there and
nbgrader scores the cell 0. Outside IPython it is an ordinary exception.
"""

from __future__ import annotations

import traceback
from pathlib import Path

import IPython

PACKAGE = Path(__file__).resolve().parents[1]
"""cnnkit's folder: frames inside it are left out of the notebook's traceback."""
_HIDDEN = (str(PACKAGE), str(Path(IPython.__file__).resolve().parent))
_RED, _GREEN, _RESET = "\x1b[0;31m", "\x1b[0;32m", "\x1b[0m"


def _location(filename: str, lineno: int) -> str:
    """`Cell In[7], line 3` for a notebook cell (as IPython writes it), else `file, line 3`."""
    shell = IPython.get_ipython()
    label = shell.compile.format_code_name(filename) if shell is not None else None
    where = f"{label[0]} {_GREEN}{label[1]}, line {lineno}" if label else (
        f"File {_GREEN}{filename}:{lineno}")
    return where + _RESET


class CheckFailed(AssertionError):
    """A visible check found a mistake; the message says what is wrong and how to fix it."""

    def _render_traceback_(self) -> list[str]:
        """The lines IPython shows: where the notebook called the check, then the message."""
        lines = []
        for frame in traceback.extract_tb(self.__traceback__):
            if frame.filename.startswith(_HIDDEN):
                continue
            lines.append(_location(frame.filename, frame.lineno))
            lines.append(f"{_GREEN}---->{_RESET} {frame.line}")
        lines.append(f"{_RED}{type(self).__name__}{_RESET}: {self}")
        return lines


def _fail(message: str) -> None:
    """Fail the check with `message`."""
    raise CheckFailed(message)
