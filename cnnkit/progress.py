"""Training progress a student can watch: a bar while an epoch runs, a line when it ends.

Keras's own progress bar (`verbose=1`) redraws itself with carriage returns, which a
saved notebook keeps as hundreds of lines; `verbose=2` stays silent until an epoch ends.
`Progress` prints one line per epoch, and in a notebook also shows a progress bar made by
tqdm: a live widget in JupyterLab, and one short line of text in the saved file.
Outside a notebook (a script, the tests) it prints the epoch lines only.
"""

from __future__ import annotations

import math
import sys
import time

import keras


def in_notebook() -> bool:
    """Whether code runs in a Jupyter kernel, where tqdm's widget can show.

    tqdm's own guess (`tqdm.auto`) only asks whether ipykernel was imported, which any
    program that starts kernels also does; this asks the running IPython itself.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and "IPKernelApp" in shell.config


def epoch_line(epoch: int, epochs: int, seconds: float, logs: dict) -> str:
    """`Epoch 2/3 - 11.8 s - accuracy 0.8512 - loss 0.4207 - val_accuracy ...`."""
    metrics = " - ".join(f"{name} {value:.4f}" for name, value in sorted(logs.items()))
    return f"Epoch {epoch + 1}/{epochs} - {seconds:.1f} s" + (f" - {metrics}" if metrics else "")


class Progress(keras.callbacks.Callback):
    """Shows the progress of `model.fit` over `epochs` epochs of `ceil(examples / batch_size)`
    batches each: one bar for the whole training (in a notebook), one line per epoch.

    Keras calls `on_train_batch_end` once per call into TensorFlow (every
    `steps_per_execution` batches), so the bar moves a few times per epoch.
    """

    def __init__(self, epochs: int, examples: int, batch_size: int, bar: bool | None = None):
        super().__init__()
        self.epochs = epochs
        self.steps = math.ceil(examples / batch_size)
        self.bar = in_notebook() if bar is None else bar
        self._tqdm = None

    def on_train_begin(self, logs=None):
        if self.bar:
            from IPython.display import display
            from tqdm.notebook import tqdm

            self._tqdm = tqdm(total=self.epochs * self.steps, desc="Training", unit="batch",
                              display=False)
            # Shown with an id, so that the end can update the text a saved notebook keeps.
            self._display = display(self._tqdm.container, display_id=True)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.start = epoch, time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if self._tqdm is not None:
            done = self.epoch * self.steps + min(batch + 1, self.steps)
            self._tqdm.update(done - self._tqdm.n)

    def on_epoch_end(self, epoch, logs=None):
        line = epoch_line(epoch, self.epochs, time.perf_counter() - self.start, logs or {})
        if self._tqdm is not None:
            self._tqdm.set_description(f"Epoch {epoch + 1}/{self.epochs} done", refresh=True)
        print(line, flush=True)

    def on_train_end(self, logs=None):
        if self._tqdm is not None:
            self._tqdm.set_description("Training", refresh=False)
            self._tqdm.close()
            self._display.update(self._tqdm.container)
            self._tqdm = None
