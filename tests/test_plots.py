"""Plots draw on the axes they get, return them, and leave global state alone."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnkit import plots  # noqa: E402
from cnnkit.training import TrainingRecord  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_history_draws_training_and_validation():
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.6, 0.8],
               "val_accuracy": [0.5, 0.7]}
    before = dict(matplotlib.rcParams)
    axes = plots.plot_history(history)
    assert len(axes) == 2
    assert [line.get_label() for line in axes[0].lines] == ["training", "validation"]
    assert list(axes[1].lines[1].get_ydata()) == [0.5, 0.7]
    assert dict(matplotlib.rcParams) == before


def test_history_accepts_a_record_and_given_axes():
    record = TrainingRecord({"loss": [1.0], "accuracy": [0.5]}, 1.0, 10, 1, 32)
    _, axes = plt.subplots(1, 2)
    assert plots.plot_history(record, axes=axes, label="base")[0] is axes[0]
    assert axes[0].lines[0].get_label() == "base training"
    with pytest.raises(ValueError, match="no 'precision'"):
        plots.plot_history(record, metrics=("precision",))


def test_image_grid_with_titles():
    axes = plots.image_grid(np.zeros((10, 28, 28, 1)), titles=list("abcdefghij"))
    assert len(axes) == 10 and axes[9].get_title() == "j"
    with pytest.raises(ValueError, match="height, width"):
        plots.image_grid(np.zeros((10, 784)))


def test_kernel_grid_shows_each_filter():
    kernels = np.random.default_rng(0).normal(size=(3, 3, 1, 32))
    axes = plots.kernel_grid(kernels)
    assert len(axes) == 32
    assert np.array_equal(axes[5].images[0].get_array(), kernels[:, :, 0, 5])
    with pytest.raises(ValueError, match="filters"):
        plots.kernel_grid(np.zeros((3, 3, 32)))
