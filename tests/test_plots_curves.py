"""cnnkit.plots.curves: training curves per epoch, on the axes they get."""

import matplotlib
import matplotlib.pyplot as plt
import pytest

from cnnkit.plots import curves
from cnnkit.training import TrainingRecord

pytestmark = pytest.mark.usefixtures("figures")


def test_history_draws_training_and_validation():
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.6, 0.8],
               "val_accuracy": [0.5, 0.7]}
    before = dict(matplotlib.rcParams)
    axes = curves.plot_history(history)
    assert len(axes) == 2
    assert [line.get_label() for line in axes[0].lines] == ["training", "validation"]
    assert list(axes[1].lines[1].get_ydata()) == [0.5, 0.7]
    assert dict(matplotlib.rcParams) == before


def test_history_accepts_a_record_and_given_axes():
    record = TrainingRecord({"loss": [1.0], "accuracy": [0.5]}, 1.0, 10, 1, 32)
    _, axes = plt.subplots(1, 2)
    assert curves.plot_history(record, axes=axes, label="base")[0] is axes[0]
    assert axes[0].lines[0].get_label() == "base training"
    with pytest.raises(ValueError, match="no 'precision'"):
        curves.plot_history(record, metrics=("precision",))


def test_runs_side_by_side_draws_one_panel_per_run_on_a_shared_y_axis():
    runs = {"1 filter": {"history": {"loss": [1.0, 0.8], "val_loss": [1.1, 0.9]}},
            "4 filters": {"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]}}  # a run, or its history
    axes = curves.runs_side_by_side(runs)
    assert [ax.get_title() for ax in axes] == ["1 filter", "4 filters"]
    assert [len(ax.lines) for ax in axes] == [2, 2]  # training and validation
    assert list(axes[1].lines[0].get_ydata()) == [0.9, 0.5]
    assert axes[0].get_shared_y_axes().joined(axes[0], axes[1])
    assert axes[0].get_ylabel() == "loss" and axes[1].get_ylabel() == ""
    with pytest.raises(TypeError, match="non-empty dict"):
        curves.runs_side_by_side({})
    _, two = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="3 runs need 3 axes"):
        curves.runs_side_by_side({**runs, "again": runs["4 filters"]}, axes=two)
