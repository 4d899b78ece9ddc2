"""cnnkit.plots: every function the notebooks call is there, and is the one its module defines."""

import json
import re

from cnnkit import plots
from cnnkit.plots import curves, images, results
from tests.conftest import REPO


def names_the_notebooks_call() -> set[str]:
    """Every NAME of `cnnkit.plots.NAME` in the code cells of source/ and release/."""
    names = set()
    for notebook in sorted([*REPO.glob("source/*/*.ipynb"), *REPO.glob("release/*/*.ipynb")]):
        for cell in json.loads(notebook.read_text())["cells"]:
            if cell["cell_type"] == "code":
                names.update(re.findall(r"\bcnnkit\.plots\.(\w+)", "".join(cell["source"])))
    return names


def test_every_plot_the_notebooks_call_exists():
    called = names_the_notebooks_call()
    assert {"plot_history", "image_grid", "variant_bars"} <= called  # the search finds them
    assert called <= set(plots.__all__)
    for name in called:
        assert callable(getattr(plots, name))


def test_the_package_gathers_every_plot_of_its_modules():
    defined = {}
    for module in (curves, images, results):
        for name, value in vars(module).items():
            public = not name.startswith("_")
            if public and callable(value) and getattr(value, "__module__", None) == module.__name__:
                defined[name] = value
    assert sorted(plots.__all__) == sorted(defined)
    for name, function in defined.items():
        assert getattr(plots, name) is function
