"""Checks for the visible test cells of the notebooks.

Each check raises `CheckFailed` (an `AssertionError` that a notebook shows as its
message alone) saying what is wrong and the likely fix, and prints a short confirmation
when everything is right.

The notebooks call them as `cnnkit.checks.<name>`. They live in one module per job:

- `common`: what several notebooks use, the layers of a model and a test accuracy;
- `simple_cnn`: assignment 01, images and labels prepared for a CNN;
- `variants`: assignment 02, single-factor variants of a baseline;
- `mlp_vs_cnn`: assignment 03, weight decay, replicated sweeps and your own CNN;
- `gradable`: whether the grader can load a model safely;
- `learning_curves`: assignment 04, learning curves and standardisation;
- `fitting`: assignment 04, the labels underfit, good and overfit of a set of runs;
- `compact_cnn`: assignment 05, the parameter budget, layer rules and accuracy tiers;
- `receptive_table`: assignment 05, the table of output shapes and receptive fields;
- `kernel_sizes`: assignment 05, the kernel-size sweep and its trained models;
- `trained`: a scored model is the one the notebook trained, within its parameter limit.
"""

from cnnkit.checks.common import check_accuracy, check_architecture
from cnnkit.checks.compact_cnn import (
    budget_problem,
    check_compact_test_accuracy,
    check_layer_rules,
    check_parameter_budget,
    check_partial_credit,
    check_scheduled_training,
    layer_rule_problems,
)
from cnnkit.checks.failure import CheckFailed
from cnnkit.checks.fitting import check_fit_labels, check_fit_runs
from cnnkit.checks.gradable import check_gradable
from cnnkit.checks.kernel_sizes import check_kernel_sizes
from cnnkit.checks.learning_curves import (
    check_confusion_matrix,
    check_fresh_builder,
    check_learning_curve,
    check_sizes,
    check_standardization,
    check_subsets,
)
from cnnkit.checks.mlp_vs_cnn import (
    check_convnet,
    check_hidden_l2,
    check_log_spaced,
    check_replicates,
    kernel_l2_factor,
)
from cnnkit.checks.receptive_table import check_receptive_table
from cnnkit.checks.simple_cnn import check_model_input, check_one_hot
from cnnkit.checks.trained import (
    check_measured_accuracy,
    check_param_limit,
    check_sweep_models,
    check_trained_here,
)
from cnnkit.checks.variants import (
    check_distinct_aspects,
    check_improvement,
    check_one_change_each,
    check_results_models,
    check_results_table,
    check_variant_configs,
)

__all__ = [
    "budget_problem",
    "check_measured_accuracy",
    "check_param_limit",
    "check_sweep_models",
    "check_trained_here",
    "CheckFailed",
    "check_accuracy",
    "check_architecture",
    "check_compact_test_accuracy",
    "check_confusion_matrix",
    "check_convnet",
    "check_distinct_aspects",
    "check_fit_labels",
    "check_fit_runs",
    "check_fresh_builder",
    "check_gradable",
    "check_hidden_l2",
    "check_improvement",
    "check_kernel_sizes",
    "check_layer_rules",
    "check_learning_curve",
    "check_log_spaced",
    "check_model_input",
    "check_one_change_each",
    "check_one_hot",
    "check_parameter_budget",
    "check_partial_credit",
    "check_receptive_table",
    "check_replicates",
    "check_results_models",
    "check_results_table",
    "check_scheduled_training",
    "check_sizes",
    "check_standardization",
    "check_subsets",
    "check_variant_configs",
    "layer_rule_problems",
    "kernel_l2_factor",
]
