"""cnnkit: small helpers for the CNN exercises.

Load data with `load_dataset`, prepare it with `to_model_input`, train with
`train`, inspect a model with `layer_table` and `receptive_fields`, and plot with `cnnkit.plots`.
Importing cnnkit does no work: call `use_fast_settings()` (the fastest kernels and
precision for this CPU) and `set_seed(0)` yourself in the setup cell.

`import cnnkit` is cheap: each name below loads its module (and TensorFlow or
matplotlib, when that module needs them) the first time it is used.
"""

from __future__ import annotations

import importlib

# Where each public name lives; a submodule maps to itself.
_NAMES = {
    "LayerRow": "cnnkit.architecture",
    "compare": "cnnkit.architecture",
    "format_table": "cnnkit.architecture",
    "layer_table": "cnnkit.architecture",
    "use_fast_settings": "cnnkit.cpu",
    "use_mixed_precision": "cnnkit.cpu",
    "class_names": "cnnkit.loading",
    "load_dataset": "cnnkit.loading",
    "subsample": "cnnkit.preprocessing",
    "to_model_input": "cnnkit.preprocessing",
    "TrainingRecord": "cnnkit.training",
    "set_seed": "cnnkit.training",
    "train": "cnnkit.training",
    "ReceptiveRow": "cnnkit.receptive",
    "format_receptive_fields": "cnnkit.receptive",
    "receptive_fields": "cnnkit.receptive",
}
_SUBMODULES = ("checks", "experiments", "grading", "models", "plots", "provenance")

__all__ = sorted([*_NAMES, *_SUBMODULES])


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"cnnkit.{name}")
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
        globals()[name] = value  # later uses skip this function
        return value
    raise AttributeError(f"module 'cnnkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
