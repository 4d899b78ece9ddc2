"""The autograder's modules import each other without a cycle (module-level imports)."""

import ast
import graphlib

from tests.conftest import REPO


def module_name(path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: str = "autograder") -> dict[str, set[str]]:
    """{module: the modules of `package` it imports at module level}."""
    modules = {module_name(p): p for p in (REPO / package).rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        imported = set()
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
                imported.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {m for m in imported if m in modules and m != name}
    return graph


def test_the_autograder_has_no_import_cycle():
    graph = import_graph()
    assert "autograder.pipeline" in graph and "autograder.sandbox.bwrap" in graph
    order = list(graphlib.TopologicalSorter(graph).static_order())  # raises CycleError
    assert order.index("autograder.course") < order.index("autograder.pipeline")


def test_main_does_not_import_batch_and_launch_imports_nothing_of_the_grader():
    graph = import_graph()
    assert graph["autograder.__main__"] <= {"autograder", "autograder.options"}
    assert graph["autograder.sandbox.launch"] == set()
    assert graph["autograder.replay.child"] == set()
