"""The in-kernel side of the hidden tests.

Hidden tests never trust data from the student's notebook for scoring: they load
the test set themselves and measure the model on it. They also `capture` the
objects they check, so that the autograder can run the same trusted test code
again in a clean kernel on exactly those objects.

The hidden tests call them as `cnnkit.grading.<name>`. They live in one module per job:

- `common`: the trusted test set, a model's accuracy on it, and its layers;
- `captures`: `capture` and `load_capture`, for the autograder's clean-room replay;
- `simple_cnn`: assignment 01, the reference CNN and the prepared data;
- `variants`: assignment 02, single-factor variants trained as configured;
- `mlp_vs_cnn`: assignment 03, fully connected versus convolutional networks;
- `learning_curves`: assignment 04, learning curves and standardisation;
- `fitting`: assignment 04, the labels underfit, good and overfit against the models;
- `compact_cnn`: assignment 05, the compact CNN's rules, budget and accuracy tiers;
- `kernel_sizes`: assignment 05, the kernel-size sweep, measured again run by run;
- `sweeps`: the runs of a replicated sweep, each a model the notebook trained;
- `leaderboard`: values a hidden test measured, for platforms that rank submissions.
- `trained`: the scored model is one the notebook trained, that learned (not a lookup
  table, an untrained model or a model fitted to the test set), and reported numbers
  are what the models measure.

`load_dataset` and `to_model_input` (from `cnnkit.data`) are here too: the trusted
data, as hidden tests load it.
"""

from cnnkit.checks.compact_cnn import check_scheduled_training
from cnnkit.checks.receptive_table import check_receptive_table
from cnnkit.data import load_dataset, to_model_input
from cnnkit.grading import leaderboard
from cnnkit.grading.captures import CAPTURE_ENV, capture, load_capture
from cnnkit.grading.common import (
    check_min_accuracy,
    check_model,
    measure_test_accuracy,
    trusted_test_set,
)
from cnnkit.grading.compact_cnn import (
    ACCURACY_FLOOR,
    COMPACT_MINIMUM,
    EXTRA_CREDIT,
    MAIN_TIER_POINTS,
    PARTIAL_CREDIT_FROM,
    SECOND_TIER,
    check_compact_accuracy,
    check_compact_budget,
    check_compact_model,
    check_extra_credit,
    compact_accuracy_points,
)
from cnnkit.grading.fitting import check_fit_labels_of, measured_fits
from cnnkit.grading.kernel_sizes import check_kernel_sweep
from cnnkit.grading.learning_curves import (
    LEARNING_CURVE_CNN,
    check_confusion_of,
    check_full_data_model,
    check_learning_curve_models,
    check_standardized_data,
    check_stratified_subsets,
    trusted_confusion_matrix,
)
from cnnkit.grading.mlp_vs_cnn import (
    CONVNET_PARAM_LIMIT,
    MLP_64_64,
    MLP_500_300,
    check_convnet,
    check_l2_factors,
    check_l2_mlp,
    check_sweep_measured,
    check_sweep_results,
)
from cnnkit.grading.simple_cnn import SIMPLE_CNN, check_preprocessing
from cnnkit.grading.trained import (
    check_generalises,
    check_learned,
    check_measured,
    check_param_limit,
    check_trained_by_kit,
    check_trained_on_fit,
)
from cnnkit.grading.variants import check_results_measured, check_trained_as, check_variant_gain

__all__ = [
    "CAPTURE_ENV",
    "ACCURACY_FLOOR",
    "COMPACT_MINIMUM",
    "EXTRA_CREDIT",
    "MAIN_TIER_POINTS",
    "PARTIAL_CREDIT_FROM",
    "CONVNET_PARAM_LIMIT",
    "check_generalises",
    "check_learned",
    "check_measured",
    "check_param_limit",
    "check_results_measured",
    "check_sweep_measured",
    "check_trained_by_kit",
    "check_trained_on_fit",
    "LEARNING_CURVE_CNN",
    "MLP_500_300",
    "MLP_64_64",
    "SECOND_TIER",
    "SIMPLE_CNN",
    "capture",
    "check_compact_accuracy",
    "compact_accuracy_points",
    "check_compact_budget",
    "check_compact_model",
    "check_confusion_of",
    "check_convnet",
    "check_fit_labels_of",
    "check_full_data_model",
    "check_extra_credit",
    "check_kernel_sweep",
    "check_l2_factors",
    "check_l2_mlp",
    "check_learning_curve_models",
    "check_min_accuracy",
    "check_model",
    "check_preprocessing",
    "check_receptive_table",
    "check_scheduled_training",
    "check_standardized_data",
    "check_stratified_subsets",
    "check_sweep_results",
    "check_trained_as",
    "check_variant_gain",
    "load_capture",
    "leaderboard",
    "load_dataset",
    "measure_test_accuracy",
    "measured_fits",
    "to_model_input",
    "trusted_confusion_matrix",
    "trusted_test_set",
]
