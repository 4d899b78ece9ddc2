"""Load what a notebook saved without running any of its code: the grader's one loader.

A `.keras` file holds a model's config and weights. Loading it with
`safe_mode=True` refuses Python lambdas, but a config can still name a layer class from
any module. `load_model` refuses every class that is not Keras's own, and archives
that unpack to more than `MAX_UNPACKED` bytes. Arrays load without pickle. The
clean room (`autograder/replay/child.py`), `cnnkit.grading.load_capture` and the
visible `cnnkit.checks.check_gradable` all use these functions, so the three agree on
what can be graded.
"""

from __future__ import annotations

import json
import os
import zipfile

MAX_UNPACKED = 4 * 1024**3
"""Largest total size (bytes) a captured model's archive may unpack to."""
MAX_MODELS = 100
"""Most models one name may hold when a list of models was captured."""


KERAS_FUNCTION_MODULES = ("activations", "constraints", "initializers", "losses", "metrics",
                          "optimizers", "regularizers")
"""Where Keras looks up a function saved by name, e.g. `loss=keras.losses.categorical_crossentropy`
(saved as module `builtins`, class `function`): `keras.<module>.<name>`."""


def keras_function(name) -> bool:
    """Whether a function saved by `name` is Keras's own, as Keras resolves it on loading."""
    import keras

    return isinstance(name, str) and not name.startswith("_") and any(
        callable(getattr(getattr(keras, module), name, None)) for module in KERAS_FUNCTION_MODULES)


def foreign_classes(config) -> list[str]:
    """The classes a saved model's config (a parsed `config.json`) names that are not
    Keras's own: layers or objects from other modules, registered custom objects, or
    functions Keras does not have (e.g. `tf.nn.softmax`, saved as `softmax_v2`)."""
    found = []
    if isinstance(config, dict):
        module = str(config.get("module") or "keras")
        registered = config.get("registered_name")
        if (module, config.get("class_name")) == ("builtins", "function") and keras_function(
                config.get("config")):
            pass
        elif not (module == "keras" or module.startswith("keras.")):
            found.append(f"{module}.{config.get('class_name')}")
        elif registered not in (None, config.get("class_name")) and not str(
                registered).startswith("keras"):
            found.append(str(registered))
        for value in config.values():
            found.extend(foreign_classes(value))
    elif isinstance(config, list):
        for value in config:
            found.extend(foreign_classes(value))
    return found


def load_model(path: str | os.PathLike, name: str):
    """The Keras model saved at `path`, refused (ValueError) if it is too large or names a
    class that is not Keras's own; `name` is how messages call it."""
    import keras

    with zipfile.ZipFile(path) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
            raise ValueError(f"the captured model {name} is too large")
        foreign = foreign_classes(json.loads(archive.read("config.json")))
    if foreign:
        raise ValueError(f"the captured model {name} uses {', '.join(sorted(set(foreign)))}, "
                         "which is not part of Keras; only models made of Keras's own layers "
                         "can be graded")
    return keras.saving.load_model(path, safe_mode=True, compile=True)


def load_captured(folder: str | os.PathLike, name: str):
    """The object captured as `name` in `folder`: a model (`name.keras`), an array
    (`name.npy`), JSON (`name.json`), or a list of models (`name.0.keras`, `name.1.keras`,
    ...). Raises LookupError when nothing was captured under `name`."""
    import numpy as np

    folder = os.fspath(folder)
    for suffix in (".keras", ".npy", ".json"):
        path = os.path.join(folder, name + suffix)
        if os.path.isfile(path):
            if suffix == ".keras":
                return load_model(path, name)
            if suffix == ".npy":
                return np.load(path, allow_pickle=False)
            with open(path) as handle:
                return json.load(handle)
    files = os.listdir(folder) if os.path.isdir(folder) else []
    numbered = sorted((int(f[len(name) + 1:-6]), f) for f in files if f.startswith(
        name + ".") and f.endswith(".keras") and f[len(name) + 1:-6].isdigit())
    if not numbered:
        raise LookupError(name)
    if len(numbered) > MAX_MODELS:
        raise ValueError(f"more than {MAX_MODELS} models were captured as {name}")
    return [load_model(os.path.join(folder, f), f"{name}[{i}]") for i, f in numbered]
