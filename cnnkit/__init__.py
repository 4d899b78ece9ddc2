"""cnnkit: small helpers for the CNN exercises.

Load data with `load_dataset`, prepare it with `to_model_input`, train with
`train`, inspect a model with `layer_table`, and plot with `cnnkit.plots`.
Importing cnnkit does no work: call `use_fast_settings()` (the fastest kernels and
precision for this CPU) and `set_seed(0)` yourself in the setup cell.
"""

from cnnkit import checks, experiments, grading, models, plots, provenance
from cnnkit.architecture import LayerRow, compare, format_table, layer_table
from cnnkit.cpu import use_fast_settings, use_mixed_precision
from cnnkit.data import class_names, load_dataset, subsample, to_model_input
from cnnkit.training import TrainingRecord, set_seed, train

__all__ = [
    "LayerRow",
    "TrainingRecord",
    "checks",
    "class_names",
    "compare",
    "experiments",
    "format_table",
    "grading",
    "layer_table",
    "load_dataset",
    "models",
    "plots",
    "provenance",
    "set_seed",
    "subsample",
    "to_model_input",
    "train",
    "use_fast_settings",
    "use_mixed_precision",
]
