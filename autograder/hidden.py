"""The tests of an assignment, read from its instructor notebook in `source/`.

Each autograded test is a grade cell: visible checks, then one hidden region
(`### BEGIN HIDDEN TESTS` ... `### END HIDDEN TESTS`) whose first statement is
`cnnkit.grading.capture("<grade_id>", name=obj, ...)`. The rest of the region may
use only the captured names, `cnnkit`, `keras`, `np` and names it defines itself:
that is what lets the autograder replay it in a clean kernel (`autograder.replay`).
`python -m autograder check` runs `contract_problems` on every assignment.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.contract import BEGIN, END, ContractError, split_hidden

__all__ = ["BEGIN", "END", "Assignment", "Test", "assignments", "contract_problems",
           "hidden_lines", "load_assignment", "parse_hidden", "split_hidden"]
REPLAY_GLOBALS = {"cnnkit", "keras", "np"}


@dataclass
class Test:
    """One grade cell of the instructor notebook."""

    id: str
    points: float
    manual: bool
    source: str = ""
    hidden: str = ""  # the hidden region without its markers
    captured: list[str] = field(default_factory=list)  # names the capture call saves
    replay: str = ""  # the hidden region after the capture call
    problem: str | None = None  # why the hidden region cannot be replayed


@dataclass
class Assignment:
    """An assignment of the course: its folder in `source/` and its tests."""

    name: str
    folder: Path
    notebook: Path
    tests: list[Test]
    cell_ids: list[str]  # every nbgrader cell id (solutions and tests), in order
    texts: set[str]  # sources of the cells a student does not edit, to recognise the notebook
    metadata: dict[str, tuple[str, dict]] = field(default_factory=dict)  # id: (type, nbgrader)
    kernelspec: dict = field(default_factory=dict)

    @property
    def autograded(self) -> list[Test]:
        return [t for t in self.tests if not t.manual]

    @property
    def manual(self) -> list[Test]:
        return [t for t in self.tests if t.manual]

    def test(self, test_id: str) -> Test:
        return next(t for t in self.tests if t.id == test_id)


def _is_capture(node: ast.stmt) -> bool:
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    func = node.value.func
    return isinstance(func, ast.Attribute) and func.attr == "capture"


def _free_names(tree: ast.Module) -> set[str]:
    """Names a block of code reads from its globals without defining them (via `symtable`)."""
    top = symtable.symtable(ast.unparse(tree), "<hidden test>", "exec")
    defined = {s.get_name() for s in top.get_symbols()
               if s.is_assigned() or s.is_imported() or s.is_namespace()}
    used = set()

    def visit(table: symtable.SymbolTable) -> None:
        for symbol in table.get_symbols():
            if symbol.is_referenced() and (table is top or symbol.is_global()):
                used.add(symbol.get_name())
        for child in table.get_children():
            visit(child)

    visit(top)
    return used - defined - set(dir(builtins))


def parse_hidden(test: Test) -> None:
    """Fill `captured`, `replay` and `problem` of a code grade cell from its hidden region."""
    test.problem = None
    if not test.hidden.strip():
        test.problem = "the grade cell has no hidden region to replay"
        return
    try:
        tree = ast.parse(test.hidden)
    except SyntaxError as error:
        test.problem = f"the hidden region is not valid Python: {error}"
        return
    if not tree.body or not _is_capture(tree.body[0]):
        test.problem = "the hidden region does not start with cnnkit.grading.capture(...)"
        return
    call = tree.body[0].value
    first = call.args[0] if call.args else None
    if not (isinstance(first, ast.Constant) and first.value == test.id):
        test.problem = f'the capture call must be capture("{test.id}", ...)'
        return
    if any(k.arg is None for k in call.keywords):
        test.problem = "the capture call must name every object (no **kwargs)"
        return
    renamed = [k.arg for k in call.keywords
               if not (isinstance(k.value, ast.Name) and k.value.id == k.arg)]
    if renamed:
        test.problem = (f"capture every object under its own name ({renamed[0]}={renamed[0]}): "
                        "the hidden code after the capture runs in the student's kernel too")
        return
    test.captured = [k.arg for k in call.keywords]
    rest = ast.Module(body=tree.body[1:], type_ignores=[])
    test.replay = "\n".join(test.hidden.splitlines()[tree.body[0].end_lineno:])
    unknown = _free_names(rest) - set(test.captured) - REPLAY_GLOBALS
    if unknown:
        test.problem = ("the hidden region uses names it does not capture: "
                        + ", ".join(sorted(unknown)))


def load_assignment(source_dir: Path, name: str) -> Assignment:
    """Read assignment `name` from `source_dir/name/` (one notebook)."""
    folder = Path(source_dir) / name
    notebooks = sorted(folder.glob("*.ipynb"))
    if len(notebooks) != 1:
        raise ValueError(f"expected one notebook in {folder}, found {len(notebooks)}")
    nb = nbformat.read(notebooks[0], as_version=4)
    tests, ids, texts, metadata = [], [], set(), {}
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        try:
            split_hidden(cell.source)
        except ContractError as error:
            raise ValueError(f"{notebooks[0]}, cell {index} "
                             f"({meta.get('grade_id') or 'no grade id'}): {error}") from None
        if meta.get("grade_id"):
            ids.append(meta["grade_id"])
            metadata[meta["grade_id"]] = (cell.cell_type, dict(meta))
        if not meta.get("solution") and cell.source.strip():
            texts.add(split_hidden(cell.source)[0].strip())
        if not meta.get("grade"):
            continue
        manual = cell.cell_type != "code" or bool(meta.get("solution"))
        test = Test(id=meta["grade_id"], points=float(meta.get("points", 0)), manual=manual,
                    source=cell.source)
        if not manual:
            test.hidden = split_hidden(cell.source)[1] or ""
            parse_hidden(test)
        tests.append(test)
    return Assignment(name=name, folder=folder, notebook=notebooks[0], tests=tests,
                      cell_ids=ids, texts=texts - {""}, metadata=metadata,
                      kernelspec=dict(nb.metadata.get("kernelspec", {})))


def assignments(source_dir: Path) -> list[str]:
    """The assignments of a course: the folders of its `source/` holding a notebook."""
    return sorted(p.name for p in Path(source_dir).iterdir()
                  if p.is_dir() and any(p.glob("*.ipynb")))


def contract_problems(assignment: Assignment) -> list[str]:
    """Every way the assignment breaks the hidden-region contract (empty when none)."""
    problems = []
    for test in assignment.autograded:
        if test.problem:
            problems.append(f"{assignment.name}/{test.id}: {test.problem}")
        if test.source.count(BEGIN) > 1:
            problems.append(f"{assignment.name}/{test.id}: more than one hidden region")
    if not assignment.autograded:
        problems.append(f"{assignment.name}: no autograded tests")
    return problems


def hidden_lines(assignment: Assignment, minimum: int = 12) -> list[str]:
    """Lines of hidden-test code long enough to recognise when they leak into outputs."""
    lines = {line.strip() for t in assignment.autograded for line in t.hidden.splitlines()}
    return sorted((line for line in lines if len(line) >= minimum), key=len, reverse=True)
