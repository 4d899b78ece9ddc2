"""Plots for the notebooks.

Every function draws on the `Axes` it is given (or makes a new figure), returns
what it drew on, and leaves matplotlib's global settings alone.

The notebooks call them as `cnnkit.plots.<name>`. They live in one module per job:

- `curves`: training curves per epoch, of one run or of several side by side;
- `images`: images, the kernels of a convolution layer, and a confusion matrix;
- `results`: the results tables of `cnnkit.experiments`, as bars, points and curves.

`import cnnkit` does not import this package: matplotlib loads the first time
`cnnkit.plots` is used.
"""

from cnnkit.plots.curves import plot_history, runs_side_by_side
from cnnkit.plots.images import confusion_matrix, image_grid, kernel_grid
from cnnkit.plots.results import (
    learning_curve,
    params_vs_accuracy,
    sweep_errorbars,
    variant_bars,
    variant_curves,
)

__all__ = [
    "plot_history",
    "runs_side_by_side",
    "confusion_matrix",
    "image_grid",
    "kernel_grid",
    "learning_curve",
    "params_vs_accuracy",
    "sweep_errorbars",
    "variant_bars",
    "variant_curves",
]
