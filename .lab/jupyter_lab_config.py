"""`make lab`: JupyterLab as a student sees it (`jupyter lab --config=.lab/jupyter_lab_config.py`).

Only a launch with this file reads these settings; the instructor's own `jupyter lab`
(nbgrader's menus and all) is unchanged. What the student gets:

* the "python3" kernel of kernels/: TensorFlow's C++ start-up lines go to this terminal,
  not into the notebook, as when the autograder runs it;
* no instructor tools: nbgrader's JupyterLab extension and server extensions are off;
* settings/overrides.json: no "Jupyter news" question, no update check;
* labextensions/cnnkit-student-view: when Run All stops at an error, the error is scrolled
  into view (plain JavaScript, see its static/remoteEntry.js);
* notebooks open trusted and unmodified (see `StudentContentsManager`).
"""

import os
from pathlib import Path

from ipykernel.ipkernel import IPythonKernel
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

HERE = Path(__file__).resolve().parent

c = get_config()  # noqa: F821 (provided by Jupyter)

os.environ["JUPYTER_PATH"] = os.pathsep.join(
    [str(HERE), *filter(None, [os.environ.get("JUPYTER_PATH")])])  # kernels/ comes first

c.ServerApp.jpserver_extensions = {
    f"nbgrader.server_extensions.{name}": False
    for name in ("formgrader", "assignment_list", "course_list", "validate_assignment")
}
c.LabApp.app_settings_dir = str(HERE / "settings")  # overrides.json, page_config.json
c.LabApp.extra_labextensions_path = [str(HERE / "labextensions")]


class StudentContentsManager(AsyncLargeFileManager):
    """Opens a notebook as JupyterLab would save it, so that its tab starts unmodified.

    When a kernel starts, JupyterLab writes the kernel's `language_info` (Python's version
    and more) into the notebook's metadata, and marks the notebook changed if that differs
    from what was saved. Notebooks made by nbgrader carry only `{"name": "python"}`; this
    fills in what the "python3" kernel (this same Python) will report.
    A notebook without outputs has nothing to distrust: it opens trusted.
    """

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if content and model["type"] == "notebook":
            metadata = model["content"]["metadata"]
            if metadata.get("language_info", {}).get("name") == "python":
                metadata["language_info"] = dict(IPythonKernel.language_info)
        return model

    def mark_trusted_cells(self, nb, path=""):
        if any(cell.get("outputs") for cell in nb.cells):
            super().mark_trusted_cells(nb, path)
        else:
            self.notary.mark_cells(nb, True)


c.ServerApp.contents_manager_class = StudentContentsManager
