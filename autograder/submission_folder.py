"""Finding the submissions in a folder, and the student id each one is graded under.

Two layouts: nbgrader's, `DIR/<student>/<assignment>/*.ipynb` (what `nbgrader collect`
makes in `submitted/`), and a flat folder of notebooks named after students,
`DIR/<student>.ipynb`. Folders and files starting with a dot are ignored.
"""

from __future__ import annotations

import re
from pathlib import Path

STUDENT = re.compile(r"[^A-Za-z0-9_.@+-]")


def student_id(name: str) -> str:
    """A safe student id (file and nbgrader name) made from a folder or file name."""
    cleaned = STUDENT.sub("_", name).lstrip(".") or "student"
    return cleaned[:100]


def discover(folder: Path, assignment: str, notebook_name: str) -> dict[str, Path]:
    """{student: notebook} for both supported layouts; raises ValueError on clashes."""
    found: dict[str, Path] = {}

    def add(name: str, path: Path) -> None:
        student = student_id(name)
        if student in found:
            raise ValueError(f"two submissions for student {student!r}: {found[student]}, {path}")
        found[student] = path

    for entry in sorted(Path(folder).iterdir()):
        if entry.is_file() and entry.suffix == ".ipynb" and not entry.name.startswith("."):
            add(entry.stem, entry)
        elif entry.is_dir() and not entry.name.startswith("."):
            inner = entry / assignment if (entry / assignment).is_dir() else entry
            notebooks = sorted(inner.glob("*.ipynb"))
            if not notebooks:
                continue
            named = [p for p in notebooks if p.name == notebook_name]
            add(entry.name, (named or notebooks)[0])
    return found
