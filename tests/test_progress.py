"""`cnnkit.train`'s progress: a line per epoch, and a bar that a saved notebook keeps short."""

import json

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from cnnkit.progress import Progress, epoch_line, in_notebook
from tests.conftest import lab_kernel_manager


def test_epoch_line_names_the_epoch_time_and_metrics():
    line = epoch_line(1, 3, 11.84, {"loss": 0.42071, "accuracy": 0.85123})
    assert line == "Epoch 2/3 - 11.8 s - accuracy 0.8512 - loss 0.4207"


def test_a_program_that_imports_ipykernel_is_not_a_notebook():
    import ipykernel.zmqshell  # noqa: F401  (tqdm.auto takes this import for a notebook)

    assert not in_notebook()


def test_outside_a_notebook_only_epoch_lines_are_printed(capsys):
    assert not in_notebook()
    progress = Progress(epochs=2, examples=100, batch_size=32)
    assert progress.steps == 4 and not progress.bar
    for epoch in range(2):
        progress.on_epoch_begin(epoch)
        progress.on_train_batch_end(3)
        progress.on_epoch_end(epoch, {"loss": 1.0})
    progress.on_train_end()
    captured = capsys.readouterr()
    assert captured.out.splitlines()[1].startswith("Epoch 2/2 - ")
    assert captured.err == ""


CELL = """\
import keras, numpy as np
from keras import layers
import cnnkit
cnnkit.set_seed(0)
x, y = np.zeros((300, 4), "float32"), np.zeros((300, 2), "float32")
model = keras.Sequential([keras.Input((4,)), layers.Dense(2, activation="softmax")])
model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
record = cnnkit.train(model, x, y, epochs=3, batch_size=10, validation_data=(x, y))
"""


@pytest.mark.slow  # runs a real kernel or trains: keeps `make test-fast` under 2 minutes
def test_in_a_notebook_the_bar_is_a_widget_saved_as_one_short_line(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    NotebookClient(notebook, timeout=120, km=lab_kernel_manager(),
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = notebook.cells[0].outputs
    bars = [o for o in outputs if o.output_type == "display_data"]
    lines = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert len(bars) == 1
    assert "application/vnd.jupyter.widget-view+json" in bars[0].data
    saved = bars[0].data["text/plain"]
    assert "90/90" in saved and "\r" not in saved and len(saved.splitlines()) == 1
    assert [line.split(" - ")[0] for line in lines.splitlines()] == [
        "Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    assert "val_accuracy" in lines and "\r" not in json.dumps(outputs)
    assert np.isfinite(float(lines.split("loss ")[1].split()[0]))
