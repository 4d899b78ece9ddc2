"""Checks for the visible test cells of the notebooks.

Each check raises `CheckFailed` (an `AssertionError` that a notebook shows as its
message alone) saying what is wrong and the likely fix, and prints a short confirmation
when everything is right.

The notebooks call them as `cnnkit.checks.<name>`. They live in one module per job:

- `common`: what several notebooks use, the layers of a model and a test accuracy;
- `simple_cnn`: assignment 01, images and labels prepared for a CNN;
- `variants`: assignment 02, single-factor variants of a baseline;
- `mlp_vs_cnn`: assignment 03, weight decay and replicated sweeps;
- `learning_curves`: assignment 04, learning curves and standardisation.
"""

from cnnkit.checks.common import check_accuracy, check_architecture
from cnnkit.checks.failure import CheckFailed
from cnnkit.checks.learning_curves import (
    check_confusion_matrix,
    check_fresh_builder,
    check_learning_curve,
    check_sizes,
    check_standardization,
    check_subsets,
)
from cnnkit.checks.mlp_vs_cnn import (
    check_hidden_l2,
    check_log_spaced,
    check_replicates,
    kernel_l2_factor,
)
from cnnkit.checks.simple_cnn import check_model_input, check_one_hot
from cnnkit.checks.variants import (
    check_distinct_aspects,
    check_improvement,
    check_one_change_each,
    check_results_table,
    check_variant_configs,
)

__all__ = [
    "CheckFailed",
    "check_accuracy",
    "check_architecture",
    "check_confusion_matrix",
    "check_distinct_aspects",
    "check_fresh_builder",
    "check_hidden_l2",
    "check_improvement",
    "check_learning_curve",
    "check_log_spaced",
    "check_model_input",
    "check_one_change_each",
    "check_one_hot",
    "check_replicates",
    "check_results_table",
    "check_sizes",
    "check_standardization",
    "check_subsets",
    "check_variant_configs",
    "kernel_l2_factor",
]
