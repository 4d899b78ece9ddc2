"""Build Gradescope's autograder.zip for one assignment.

The zip holds, at its root (Gradescope's specification): `setup.sh`, `run_autograder`,
`gradescope.json` (the assignment, the limits, the total's visibility) and `kit/`: the
kit's package (`cnnkit`, `autograder`, `pyproject.toml`), `nbgrader_config.py` and the
course's `source/` (every assignment: a notebook of another one is recognised and
rejected). Gradescope unpacks it into /autograder/source.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from autograder import REPO
from autograder.gradescope import MAX_MINUTES, MEMORY_MB
from autograder.gradescope.results import VISIBILITIES
from autograder.hidden import assignments, load_assignment

HERE = Path(__file__).resolve().parent
KIT_FILES = ["pyproject.toml", "README.md", "nbgrader_config.py"]
KIT_PACKAGES = ["cnnkit", "autograder"]
RESERVE_SECONDS = 180  # making the scratch course, starting, recording the result


def limits(minutes: int = MAX_MINUTES, memory_mb: int = MEMORY_MB) -> dict:
    """The grader's limits inside Gradescope's: {timeout, cell_timeout, replay_timeout,
    memory_gib}, so that the notebook, the clean room and the rest fit in `minutes`."""
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValueError(f"Gradescope allows 1 to {MAX_MINUTES} minutes, not {minutes}")
    if memory_mb < 256:
        raise ValueError(f"{memory_mb} MB is too little memory to run TensorFlow")
    total = minutes * 60 - RESERVE_SECONDS
    if total < 120:
        raise ValueError(f"{minutes} minutes leave no time to grade: give at least 5")
    replay = min(600, total // 4)
    notebook = total - replay
    return {"timeout": notebook, "cell_timeout": min(900, notebook), "replay_timeout": replay,
            "memory_gib": round(memory_mb / 1024, 3)}


def _files(folder: Path):
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if path.is_file() and not any(p == "__pycache__" or p.startswith(".") for p in parts):
            yield path


def build(assignment: str, out: Path, source: Path = REPO / "source",
          minutes: int = MAX_MINUTES, memory_mb: int = MEMORY_MB,
          visibility: str = "after_published") -> Path:
    """Write the package of `assignment` (of the course `source`) to `out`; returns `out`."""
    source = Path(source).resolve()
    if assignment not in assignments(source):
        raise ValueError(f"unknown assignment {assignment!r}; choose one of "
                         f"{assignments(source)}")
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}")
    config = {"assignment": assignment,
              "notebook": load_assignment(source, assignment).notebook.name,
              "visibility": visibility, "minutes": minutes, "memory_mb": memory_mb,
              **limits(minutes, memory_mb)}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for script in ("setup.sh", "run_autograder"):
            info = zipfile.ZipInfo(script)
            info.external_attr = 0o100755 << 16  # executable, as Gradescope runs them
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, (HERE / script).read_text())
        package.writestr("gradescope.json", json.dumps(config, indent=2) + "\n")
        for name in KIT_FILES:
            package.write(REPO / name, f"kit/{name}")
        for name in KIT_PACKAGES:
            for path in _files(REPO / name):
                package.write(path, f"kit/{name}/{path.relative_to(REPO / name)}")
        for name in assignments(source):
            for path in _files(source / name):
                package.write(path, f"kit/source/{name}/{path.relative_to(source / name)}")
    return out
