"""Can the grader load this model? The same safe round trip that grading makes.

The grader checks a model again in a clean Python where no code from the notebook ever
runs: it saves the model to a `.keras` file and loads it back with Keras's
`safe_mode=True`, using only Keras's own layers. A `Lambda` layer stores a Python
function, and a layer class of your own is code too: neither can be loaded that way, so a
model with one cannot be graded. `check_gradable` finds this out before you submit.
"""

from __future__ import annotations

import json
import tempfile
import warnings
import zipfile
from pathlib import Path

import keras

from cnnkit.architecture import layer_table
from cnnkit.checks.failure import _fail
from cnnkit.safe_load import foreign_classes

_ADVICE = (
    "Build the model from Keras's own layers only: instead of a Lambda layer use a "
    "built-in layer that does the same (layers.Rescaling, layers.Reshape, "
    "layers.Activation, layers.ZeroPadding2D, ...), and instead of a layer class of your "
    "own the Keras layers it is made of."
)

_FUNCTION_ADVICE = (
    "A function given as a layer's activation (or initializer, regularizer, ...) is "
    "stored as code when it is not Keras's own, e.g. activation=tf.nn.softmax: give it by "
    "name, activation=\"softmax\", or as Keras's function, keras.activations.softmax."
)


def check_gradable(model: keras.Model, name: str = "model") -> None:
    """Check that `model` survives the grader's safe save-and-load round trip."""
    if not isinstance(model, keras.Model):
        _fail(f"`{name}` is a {type(model).__name__}, not a keras.Model")
    lambdas = [index for index, row in enumerate(layer_table(model), 1) if row.type == "Lambda"]
    if lambdas:
        _fail(f"layer {lambdas[0]} of `{name}` is a Lambda layer: it stores a Python function, "
              f"which the grader never runs, so `{name}` could not be graded.\n{_ADVICE}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.save(path)
        except Exception as error:  # Keras raises many kinds here
            _fail(f"`{name}` cannot be saved, so it cannot be graded: {error}\n{_ADVICE}")
        with zipfile.ZipFile(path) as archive:
            foreign = foreign_classes(json.loads(archive.read("config.json")))
        if foreign:
            _fail(f"`{name}` uses {', '.join(sorted(set(foreign)))}, which is not part of "
                  f"Keras: the grader loads only Keras's own layers.\n"
                  f"{_FUNCTION_ADVICE if 'builtins.function' in foreign else _ADVICE}")
        try:
            with warnings.catch_warnings():  # e.g. about optimizer variables not restored
                warnings.simplefilter("ignore")
                keras.saving.load_model(path, safe_mode=True)
        except Exception as error:
            _fail(f"`{name}` cannot be loaded safely, so the grader cannot check it: "
                  f"{str(error)[:200]}\n{_ADVICE}")
    print(f"OK: `{name}` can be saved and loaded safely for grading")
