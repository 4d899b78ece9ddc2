"""The student's view: `make lab`'s kernel and JupyterLab settings (.lab/)."""

from __future__ import annotations

import json

import nbformat
import pytest
from jupyterlab_server.config import get_page_config
from nbclient import NotebookClient
from traitlets.config.loader import PyFileConfigLoader

from autograder.sandbox import QUIET_KERNEL_ENV
from tests.conftest import REPO, lab_kernel_manager, notebook_of

ASSIGNMENTS = sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir())


def test_lab_kernel_is_as_quiet_as_the_graders():
    spec = json.loads((REPO / ".lab" / "kernels" / "python3" / "kernel.json").read_text())
    assert "--IPKernelApp.capture_fd_output=False" in spec["argv"]  # C++ lines to the terminal
    assert spec["env"] == QUIET_KERNEL_ENV
    assert spec["argv"][0] == "python"  # Jupyter runs it with its own interpreter


def test_lab_serves_the_extension_that_shows_a_failed_cell(monkeypatch):
    """`make lab`'s JupyterLab loads .lab/labextensions/ (what it does: test_lab_browser)."""
    monkeypatch.setenv("JUPYTER_PATH", "")  # the config file prepends .lab/ to it
    config = PyFileConfigLoader("jupyter_lab_config.py", path=str(REPO / ".lab")).load_config()
    page_config = get_page_config(config.LabApp.extra_labextensions_path)
    [extension] = [extension for extension in page_config["federated_extensions"]
                   if extension["name"] == "cnnkit-student-view"]
    root = REPO / ".lab" / "labextensions" / "cnnkit-student-view"
    assert (root / extension["load"]).is_file()
    assert extension["extension"] == "./extension"


@pytest.mark.slow  # a real kernel per notebook
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_setup_cell_prints_nothing(assignment, monkeypatch):
    """The first code cell runs without TensorFlow's start-up lines or an echoed value."""
    for name in ("TF_CPP_MIN_LOG_LEVEL", "PYTHONWARNINGS"):
        monkeypatch.delenv(name, raising=False)  # as in a student's shell
    path = notebook_of(REPO / "release" / assignment)
    notebook = nbformat.read(path, as_version=4)
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    notebook.cells = [setup]
    client = NotebookClient(notebook, km=lab_kernel_manager(), timeout=120,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    assert setup.outputs == [], f"{assignment}'s setup cell printed {setup.outputs}"
