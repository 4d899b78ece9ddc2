"""`python -m autograder classroom-template ASSIGNMENT --out DIR`: a Classroom template repo.

Lays out what GitHub Classroom copies into every student repository of ASSIGNMENT:

    DIR/<name>.ipynb                     the student notebook, from release/
    DIR/.github/workflows/classroom.yml  autograder/github-classroom.yml
    DIR/.kit/cnnkit-<version>-py3-none-any.whl   the kit (cnnkit and autograder packages)

and refuses (exit 1, nothing left half-made) if any of it holds a hidden test: the code
of a hidden region of `source/`, a hidden-test marker in a notebook, or a file of
`source/`. Push DIR as the assignment's template repository. Run it in the kit's
checkout (it builds the wheel from there).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from autograder import REPO

WORKFLOW = Path(__file__).resolve().parent.parent / "github-classroom.yml"
KIT_FILES = ["pyproject.toml", "README.md", "cnnkit", "autograder"]


def register(commands) -> None:
    """Add this command's parser to the subparsers `commands` of `python -m autograder`."""
    parser = commands.add_parser("classroom-template", help="lay out a GitHub Classroom "
                                 "template repository for an assignment")
    parser.add_argument("assignment")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--release", type=Path, default=REPO / "release",
                        help="the student notebooks (default: the repository's release/)")
    parser.add_argument("--source", type=Path, default=REPO / "source",
                        help="the instructor notebooks whose hidden tests must not leak")


def hidden_content(folder: Path, hidden: list[str]) -> list[str]:
    """Files under `folder` (wheels opened) that hold a hidden region's code (`hidden`),
    a hidden-test marker in a notebook, or a file of `source/`."""
    from autograder.contract import BEGIN

    regions = [region.strip().encode() for region in hidden if region.strip()]

    def leaks(data: bytes, notebook: bool) -> bool:
        return (notebook and BEGIN.encode() in data) or any(r in data for r in regions)

    found = []
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        if path.suffix == ".whl":
            with zipfile.ZipFile(path) as wheel:
                found += [f"{path.name}:{name}" for name in wheel.namelist()
                          if name.startswith("source/")
                          or leaks(wheel.read(name), name.endswith(".ipynb"))]
        elif leaks(path.read_bytes(), path.suffix == ".ipynb"):
            found.append(str(path.relative_to(folder)))
    return found


def build_wheel(scratch: Path, target: Path) -> str | None:
    """Build the kit's wheel into `target` from a fresh copy of its files in `scratch`
    (no stale build folder, nothing but `KIT_FILES`); the error output, or None."""
    scratch.mkdir(parents=True)
    for name in KIT_FILES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, scratch / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(REPO / name, scratch / name)
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "--no-build-isolation", "-q", str(scratch), "-w", str(target)],
                           capture_output=True, text=True)
    return build.stderr[-2000:] if build.returncode != 0 else None


def main(assignment: str, out: Path, release: Path, source: Path) -> int:
    """Make the template in `out`; see the module docstring."""
    from autograder.hidden import load_assignment

    hidden = [test.hidden for test in load_assignment(source, assignment).tests]
    notebooks = sorted((Path(release) / assignment).glob("*.ipynb"))
    if len(notebooks) != 1:
        print(f"error: expected one student notebook in {Path(release) / assignment}, found "
              f"{len(notebooks)}: run `make release` (assignments: "
              f"{', '.join(sorted(p.name for p in Path(release).iterdir() if p.is_dir()))})")
        return 1
    with tempfile.TemporaryDirectory(prefix="classroom-template-") as scratch:
        made = Path(scratch) / "template"
        (made / ".github" / "workflows").mkdir(parents=True)
        shutil.copy(notebooks[0], made / notebooks[0].name)
        shutil.copy(WORKFLOW, made / ".github" / "workflows" / "classroom.yml")
        problem = build_wheel(Path(scratch) / "kit", made / ".kit")
        if problem:
            print(f"error: building the kit's wheel failed:\n{problem}")
            return 1
        leaks = hidden_content(made, hidden)
        if leaks:
            print("error: hidden tests would reach students: " + ", ".join(leaks))
            return 1
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(made, out)
    print(f"template of {assignment} in {out}: {notebooks[0].name}, "
          ".github/workflows/classroom.yml, .kit/ (the kit's wheel); push it as the "
          "assignment's template repository")
    return 0
