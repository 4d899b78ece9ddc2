"""Experiments that train several models and return a plain results table.

Each function returns a list of records (dicts) or a dict of lists: no pandas.

The notebooks call them as `cnnkit.experiments.<name>`. They live in one module per job:

- `common`: what several experiments use, checking a data pair and measuring an accuracy;
- `variants`: assignment 02, single-factor variants of a baseline configuration;
- `sweeps`: assignment 03, replicated sweeps of one setting over several seeds;
- `learning_curves`: assignment 04, learning curves over training-set sizes;
- `fitting`: assignment 04, runs in several settings side by side, and the rule that labels
  a run underfit, good or overfit.
"""

from cnnkit.experiments.fitting import (
    FIT_LABELS,
    OVERFIT_GAP,
    UNDERFIT_BELOW,
    VALIDATION_IMAGES,
    compare_runs,
    fit_label,
    fit_rule,
    format_runs,
    measure_fit,
)
from cnnkit.experiments.learning_curves import (
    LEARNING_CURVE_KEYS,
    format_learning_curve,
    learning_curve,
    train_steps,
)
from cnnkit.experiments.sweeps import replicated_sweep, sweep_grid
from cnnkit.experiments.variants import (
    RESULT_KEYS,
    changed_aspects,
    describe_change,
    format_results,
    run_variants,
)

__all__ = [
    "FIT_LABELS",
    "OVERFIT_GAP",
    "UNDERFIT_BELOW",
    "VALIDATION_IMAGES",
    "compare_runs",
    "fit_label",
    "fit_rule",
    "format_runs",
    "measure_fit",
    "LEARNING_CURVE_KEYS",
    "RESULT_KEYS",
    "changed_aspects",
    "describe_change",
    "format_learning_curve",
    "format_results",
    "learning_curve",
    "replicated_sweep",
    "run_variants",
    "sweep_grid",
    "train_steps",
]
