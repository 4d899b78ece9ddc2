"""The student's first hour in a real browser: `make lab`'s JupyterLab driven by Chromium.

JupyterLab runs as `make lab` starts it (.lab/jupyter_lab_config.py) on a free loopback
port, with a copy of release/ and fresh user settings; Playwright drives Debian's
Chromium (`make system` installs it; nothing is downloaded). Screenshots go to
`$CNNKIT_ARTIFACTS` (default .scratch/lab-screenshots), printed at the end.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from tests.conftest import REPO, notebook_of

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("CNNKIT_ARTIFACTS", REPO / ".scratch" / "lab-screenshots"))
ASSIGNMENTS = sorted(p.name for p in (REPO / "release").iterdir() if p.is_dir())
PLACEHOLDER = "NotImplementedError: replace this line with your answer, then run this cell"
# Chromium's own calls home are refused on a closed network; these flags keep it quiet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
TOKEN = "cnnkit-browser-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def filled(release: Path, source: Path, change: dict[str, str] | None = None):
    """The release notebook with every answer cell holding the source's solution.

    `change` maps an answer's grade_id to (old, new) text replaced in it: a mistake.
    """
    notebook = nbformat.read(release, as_version=4)
    solutions = {cell.metadata["nbgrader"]["grade_id"]: cell.source
                 for cell in nbformat.read(source, as_version=4).cells
                 if cell.metadata.get("nbgrader", {}).get("solution")}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            lines = solutions[grade_id].splitlines()
            cell.source = "\n".join(line for line in lines if "### " not in line)
            for old, new in [(change or {}).get(grade_id, ("", ""))]:
                if old:
                    assert old in cell.source
                    cell.source = cell.source.replace(old, new)
    return notebook


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of release/ (plus filled notebooks); yields its URL."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make system` (apt-get install chromium)")
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(REPO / "release", root / "release")
    source01, release01 = (notebook_of(REPO / d / "01_simple_cnn") for d in ("source", "release"))
    answered = root / "release" / "answered"  # where a student's filled copies would be
    answered.mkdir()
    nbformat.write(filled(release01, source01), answered / "filled.ipynb")
    nbformat.write(filled(release01, source01, {"build_model": (
        'activation="relu"', 'activation="relu", padding="same"')}), answered / "mistake.ipynb")
    env = {key: value for key, value in os.environ.items() if not key.startswith(
        ("JUPYTER", "TF_CPP", "PYTHONWARNINGS"))}  # a student's shell, a first start
    env.update(PYTHONPATH=str(REPO), JUPYTER_CONFIG_DIR=str(root / "config"),
               JUPYTER_DATA_DIR=str(root / "data"), JUPYTER_RUNTIME_DIR=str(root / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(root / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"))
    port = _free_port()
    log = open(root / "lab.log", "w")  # noqa: SIM115 (closed below)
    config = REPO / ".lab" / "jupyter_lab_config.py"
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", f"--config={config}", "--no-browser",
         "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={TOKEN}",
         "--allow-root", "--LabApp.expose_app_in_browser=True",
         f"--ServerApp.root_dir={root / 'release'}"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{(root / 'lab.log').read_text()}")
                time.sleep(0.5)
        yield {"url": url, "root": root / "release"}
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(request):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nscreenshots of the student's view: {ARTIFACTS}")


CELLS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.model.cells;
  const result = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    result.push({type: cell.type, count: cell.executionCount ?? null,
                 state: cell.executionState ?? null, trusted: cell.trusted ?? null,
                 outputs: cell.type === 'code' ? cell.outputs.toJSON() : []});
  }
  return {cells: result, dirty: panel.context.model.dirty,
          kernel: panel.sessionContext.session?.kernel?.status ?? 'none'};
}"""


def open_notebook(browser, lab, path: str):
    """A new tab showing only `path` (a workspace of its own), its kernel started."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    workspace = re.sub(r"\W", "-", path)
    page.goto(f"{lab['url']}/lab/workspaces/{workspace}/tree/{path}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden)", timeout=90_000)
    page.wait_for_function(
        "() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel"
        "?.status === 'idle'", timeout=90_000)
    page.wait_for_timeout(1500)  # let metadata from the kernel's reply arrive
    return page


def close(page):
    """Shut the notebook's kernel down (each holds TensorFlow) and close the tab."""
    page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
    page.close()


def run_all(page, timeout: float) -> dict:
    """Run > Run All Cells, as a student clicks it; returns the notebook's state at the end."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    deadline = time.monotonic() + timeout
    page.wait_for_timeout(1000)
    while time.monotonic() < deadline:
        state = page.evaluate(CELLS)
        if state["kernel"] == "idle" and not any(c["state"] == "running" for c in state["cells"]):
            return state
        page.wait_for_timeout(1000)
    pytest.fail(f"Run All did not finish in {timeout} s")


def errors(state: dict) -> list[tuple[int, dict]]:
    return [(i, out) for i, cell in enumerate(state["cells"]) for out in cell["outputs"]
            if out["output_type"] == "error"]


def error_text(output: dict) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(output["traceback"]))


SHOWN = """(text) => {
  const scroller = window.jupyterapp.shell.currentWidget.content.node;
  const view = scroller.getBoundingClientRect();
  for (const output of scroller.querySelectorAll('.jp-OutputArea-output')) {
    const walker = document.createTreeWalker(output, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(text);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + text.length);
      const line = range.getBoundingClientRect();
      if (line.height > 0 && line.top >= Math.max(view.top, 0)
          && line.bottom <= Math.min(view.bottom, window.innerHeight)) return true;
    }
  }
  return false;
}"""


def assert_shown(page, text: str, name: str):
    """`text`, in an output, is on screen in the notebook's view: the student need not scroll.

    The screenshot `name` shows the view (taken also when the text is off-screen).
    """
    deadline = time.monotonic() + 10  # the view settles after the kernel is idle
    while not page.evaluate(SHOWN, text) and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    page.screenshot(path=ARTIFACTS / name)
    assert page.evaluate(SHOWN, text), f"{text!r} is off-screen after Run All: {ARTIFACTS / name}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_notebook_opens_clean_and_run_all_stops_at_the_first_answer(
        assignment, lab, browser):
    path = f"{assignment}/{notebook_of(REPO / 'release' / assignment).name}"
    page = open_notebook(browser, lab, path)
    state = page.evaluate(CELLS)
    page.screenshot(path=ARTIFACTS / f"{assignment}-opened.png")
    assert not state["dirty"], "the notebook shows unsaved changes right after opening"
    assert page.locator(".jp-mod-dirty").count() == 0
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert "Nbgrader" not in menus, f"instructor tools in the student's view: {menus}"
    assert page.get_by_text("Jupyter news").count() == 0
    assert all(cell["trusted"] for cell in state["cells"] if cell["type"] == "code"), \
        "the notebook opens untrusted"
    state = run_all(page, timeout=300)
    assert_shown(page, PLACEHOLDER.split(": ")[1], f"{assignment}-run-all-untouched.png")
    [(index, error)] = errors(state)
    first_answer = next(i for i, cell in enumerate(state["cells"]) if cell["type"] == "code"
                        and "raise NotImplementedError(" in "".join(
                            nbformat.read(lab["root"] / path, 4)
                            .cells[i].source))
    assert index == first_answer
    assert PLACEHOLDER in error_text(error)
    assert not any(cell["count"] for cell in state["cells"][index + 1:])
    setup = next(cell for cell in state["cells"] if cell["type"] == "code")
    assert setup["outputs"] == [], "the setup cell printed something"
    close(page)


def test_a_failed_check_shows_its_message_first(lab, browser):
    page = open_notebook(browser, lab, "answered/mistake.ipynb")
    state = run_all(page, timeout=300)
    assert_shown(page, "padding='same'", "01_simple_cnn-check-failure.png")
    [(_, error)] = errors(state)
    lines = error_text(error).splitlines()
    assert error["ename"] == "CheckFailed"
    assert "padding='same'" in "\n".join(lines[:4]), lines[:6]
    assert not any("cnnkit/checks" in line for line in lines)
    close(page)


def test_filled_notebook_runs_with_every_check_ok(lab, browser):
    page = open_notebook(browser, lab, "answered/filled.ipynb")
    started = time.monotonic()
    state = run_all(page, timeout=900)
    seconds = time.monotonic() - started
    page.screenshot(path=ARTIFACTS / "01_simple_cnn-filled-run-all-end.png")
    print(f"filled 01 Run All in the browser: {seconds:.0f} s")
    (ARTIFACTS / "01_simple_cnn-filled-seconds.txt").write_text(f"{seconds:.1f}\n")
    assert errors(state) == []
    notebook = nbformat.read(lab["root"] / "answered" / "filled.ipynb", 4)
    checks = [i for i, cell in enumerate(notebook.cells)
              if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code"]
    assert checks
    for i in checks:
        text = "".join(out.get("text", "") for out in state["cells"][i]["outputs"])
        assert text and all(line.startswith("OK") for line in text.splitlines()), (i, text)
    assert all(cell["count"] for cell in state["cells"] if cell["type"] == "code")
    training = next(i for i, cell in enumerate(notebook.cells)
                    if cell.cell_type == "code" and "cnnkit.train(" in cell.source)
    outputs = state["cells"][training]["outputs"]
    print("".join(out.get("text", "") for out in outputs))
    assert any("application/vnd.jupyter.widget-view+json" in out.get("data", {})
               for out in outputs), "no progress bar while training"
    page.locator(".jp-Cell").nth(training).scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "01_simple_cnn-filled-training.png")
    close(page)
