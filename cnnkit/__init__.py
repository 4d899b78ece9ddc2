"""cnnkit: small helpers for the CNN exercises.

Load data with `load_dataset`, prepare it with `to_model_input`, train with
`train`, inspect a model with `layer_table` and `receptive_fields`, and plot with `cnnkit.plots`.
Importing cnnkit does no work: call `use_fast_settings()` (the fastest kernels and
precision for this CPU) and `set_seed(0)` yourself in the setup cell.
"""

from cnnkit import checks, experiments, grading, models, plots, provenance
from cnnkit.architecture import LayerRow, compare, format_table, layer_table
from cnnkit.cpu import use_fast_settings, use_mixed_precision
from cnnkit.data import class_names, load_dataset, subsample, to_model_input
from cnnkit.receptive import ReceptiveRow, format_receptive_fields, receptive_fields
from cnnkit.training import TrainingRecord, set_seed, train

__all__ = [
    "LayerRow",
    "ReceptiveRow",
    "TrainingRecord",
    "checks",
    "class_names",
    "compare",
    "experiments",
    "format_receptive_fields",
    "format_table",
    "grading",
    "layer_table",
    "load_dataset",
    "models",
    "plots",
    "receptive_fields",
    "provenance",
    "set_seed",
    "subsample",
    "to_model_input",
    "train",
    "use_fast_settings",
    "use_mixed_precision",
]
