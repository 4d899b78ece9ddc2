"""What a grade was computed from, so that a stale grade can be found and regraded.

Every result records its provenance next to the notebook's `sha256`:

    {"source":   sha256 of what defines the assignment's grading (below),
     "tests":    {grade id: 16-hex digest of that grade cell's source, hidden tests included},
     "grader":   "<package version>+<16-hex digest of the grading code>",
     "packages": {"tensorflow": "2.21.0", "keras": ..., "nbgrader": ..., "numpy": ...,
                  "cnnkit": ...}}

The source digest covers, decided here and nowhere else:
- every file of `source/<assignment>/` (the instructor notebook with its hidden tests and
  solutions, since a submission is rebuilt from the instructor's cells, and any data files);
- `nbgrader_config.py` (how nbgrader executes and scores);
- every `.py` file of the `cnnkit` package the kernel imports: `cnnkit.grading` and
  `cnnkit.checks` hold the accuracy thresholds (calibrated in benchmarks/calibration/, whose
  JSON files are records that grading never reads) and they use the rest of cnnkit (data,
  architecture, training), so all of it counts.
The grader digest covers `autograder/`'s files except what only presents or distributes
results (`PRESENTATION`): editing a report or a command does not make grades stale.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
from pathlib import Path

from autograder import REPO

AUTOGRADER = Path(__file__).resolve().parent
PACKAGES = ("tensorflow", "keras", "nbgrader", "numpy", "cnnkit")
PRESENTATION = {"commands", "report.py", "ci.py", "demo.py", "provenance.py", "plan.py",
                "merge.py", "regrade.py", "github-classroom.yml", "__pycache__"}
PARTS = ("notebook", "source", "grader", "packages")


def _digest_files(files: list[tuple[str, Path]]) -> str:
    """sha256 over (name, content) pairs, in name order."""
    digest = hashlib.sha256()
    for name, path in sorted(files):
        content = path.read_bytes()
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def _tree(root: Path, prefix: str, pattern: str = "*") -> list[tuple[str, Path]]:
    return [(f"{prefix}/{p.relative_to(root).as_posix()}", p) for p in root.rglob(pattern)
            if p.is_file() and "__pycache__" not in p.parts]


def cnnkit_dir() -> Path:
    """The folder of the cnnkit package the grader (and its kernels) import."""
    spec = importlib.util.find_spec("cnnkit")
    if spec is None or spec.origin is None:
        raise RuntimeError("cnnkit is not installed: run `make venv`")
    return Path(spec.origin).parent


def source_digest(source_dir: Path, assignment: str) -> str:
    """The digest of everything that defines how `assignment` is graded (module docstring)."""
    folder = Path(source_dir) / assignment
    if not folder.is_dir():
        raise ValueError(f"no assignment {assignment!r} in {source_dir}")
    files = _tree(folder, "source") + _tree(cnnkit_dir(), "cnnkit", "*.py")
    files.append(("nbgrader_config.py", REPO / "nbgrader_config.py"))
    return _digest_files(files)


def grade_cell_digests(source_dir: Path, assignment: str) -> dict[str, str]:
    """{grade id: 16-hex digest of the grade cell's source} of the instructor notebook."""
    from autograder.hidden import load_assignment

    tests = load_assignment(Path(source_dir), assignment).tests
    return {t.id: hashlib.sha256(t.source.encode()).hexdigest()[:16] for t in tests}


def grader_version() -> str:
    """`<version>+<16 hex>`: the package version and a digest of the grading code."""
    files = [(name, path) for name, path in _tree(AUTOGRADER, "autograder")
             if name.split("/")[1] not in PRESENTATION]
    return f"{_version('cnnkit')}+{_digest_files(files)[:16]}"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def package_versions() -> dict[str, str]:
    """{package: installed version} of the packages grading depends on."""
    return {name: _version(name) for name in PACKAGES}


def current(source_dir: Path, assignment: str) -> dict:
    """The provenance a grade of `assignment` made now would record."""
    return {"source": source_digest(source_dir, assignment),
            "tests": grade_cell_digests(source_dir, assignment),
            "grader": grader_version(), "packages": package_versions()}


def differences(old: dict | None, new: dict) -> dict[str, str]:
    """{part: what changed} between two provenances (parts of `PARTS` but the notebook)."""
    if not old:
        return {"source": "the result records no provenance (graded by an older grader)"}
    changed = {}
    if old.get("source") != new["source"]:
        tests = [i for i in sorted(set(old.get("tests", {})) | set(new["tests"]))
                 if old.get("tests", {}).get(i) != new["tests"].get(i)]
        changed["source"] = (f"{_short(old.get('source'))} -> {_short(new['source'])}; "
                             + (f"tests changed: {', '.join(tests)}" if tests else
                                "no grade cell changed (other cells, cnnkit or nbgrader config)"))
    if old.get("grader") != new["grader"]:
        changed["grader"] = f"{old.get('grader')} -> {new['grader']}"
    packages = [f"{name} {old.get('packages', {}).get(name)} -> {version}"
                for name, version in new["packages"].items()
                if old.get("packages", {}).get(name) != version]
    if packages:
        changed["packages"] = ", ".join(packages)
    return changed


def stale_reasons(result: dict | None, notebook_sha256: str | None, now: dict,
                  retry_errors: bool = True) -> dict[str, str]:
    """{part: why} a stored result no longer stands for a grade made now; {} when current.

    Parts are those of `PARTS`, plus `result` when there is no usable result: none, or
    (with `retry_errors`) one the grader failed on.
    """
    if result is None:
        return {"result": "no result yet"}
    if retry_errors and result.get("status") == "error":
        return {"result": "the grader failed last time"}
    reasons = {}
    if result.get("sha256") != notebook_sha256:
        reasons["notebook"] = f"{_short(result.get('sha256'))} -> {_short(notebook_sha256)}"
    reasons.update(differences(result.get("provenance"), now))
    return reasons


def _short(digest: str | None) -> str:
    return digest[:12] if digest else "none"
