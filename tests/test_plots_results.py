"""cnnkit.plots.results: the results tables of cnnkit.experiments as charts."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnkit.plots import results

pytestmark = pytest.mark.usefixtures("figures")


def _variant_table():
    def row(name, aspect, value, accuracy, epochs):
        history = {"loss": list(np.linspace(1, 0.5, epochs)),
                   "val_accuracy": list(np.linspace(0.7, accuracy, epochs))}
        return {"name": name, "aspect": aspect, "value": value, "test_accuracy": accuracy,
                "history": history}

    return [
        row("baseline", "-", "-", 0.81, 5),
        row("variant 1", "optimizer", "adam", 0.88, 5),
        row("variant 2", "epochs", "15", 0.83, 15),
        row("variant 3", "batch_size", "256", 0.79, 5),
    ]


def test_variant_bars_draw_one_bar_per_run_and_a_baseline_line():
    fig, ax = plt.subplots()
    assert results.variant_bars(_variant_table(), ax=ax) is ax
    assert len(ax.patches) == 4
    assert len(ax.lines) == 1 and ax.lines[0].get_ydata()[0] == pytest.approx(81)
    labels = [label.get_text() for label in ax.get_xticklabels()]
    assert labels[0] == "baseline" and labels[1] == "optimizer\n= adam"
    with pytest.raises(ValueError, match="empty"):
        results.variant_bars([])


def test_variant_curves_put_all_runs_on_shared_axes():
    axes = results.variant_curves(_variant_table())
    assert len(axes) == 2
    assert all(len(ax.lines) == 4 for ax in axes)
    assert len(axes[0].lines[2].get_xdata()) == 15
    with pytest.raises(ValueError, match="no 'f1' in the history of baseline"):
        results.variant_curves(_variant_table(), metrics=("f1",))


def test_sweep_errorbars_draw_mean_std_runs_and_reference():
    values = np.logspace(-6, -3, 5)
    accuracy = np.array([[0.97, 0.971, 0.972, 0.973, 0.96], [0.975, 0.972, 0.97, 0.971, 0.962]])
    before = dict(matplotlib.rcParams)
    ax = results.sweep_errorbars(values, accuracy, reference=0.9847, reference_label="published")
    assert ax.get_xscale() == "log"
    bars = ax.containers[0]
    assert np.allclose(bars.lines[0].get_ydata(), accuracy.mean(axis=0))
    assert [list(line.get_ydata()) for line in ax.lines[:2]] == accuracy.tolist()
    assert ax.lines[-1].get_ydata()[0] == 0.9847
    assert "published" in [text.get_text() for text in ax.get_legend().get_texts()]
    assert dict(matplotlib.rcParams) == before
    with pytest.raises(ValueError, match=r"shape \(replicates, 5\)"):
        results.sweep_errorbars(values, accuracy.T)


def test_params_vs_accuracy_groups_models_by_name():
    _, ax = plt.subplots()
    names = ["MLP", "sweep", "sweep", "CNN"]
    assert results.params_vs_accuracy(names, [55050, 545810, 545810, 34826],
                                    [0.97, 0.975, 0.976, 0.992], ax=ax) is ax
    assert ax.get_xscale() == "log"
    assert [c.get_offsets().shape[0] for c in ax.collections] == [1, 2, 1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["MLP", "sweep", "CNN"]
    with pytest.raises(ValueError, match="equally long"):
        results.params_vs_accuracy(names, [1, 2], [0.5, 0.6])


def test_learning_curve_plot_uses_a_log_axis_and_a_legend():
    table = {"size": [100, 1000, 60000], "train_accuracy": [1.0, 1.0, 0.99],
             "test_accuracy": [0.8, 0.95, 0.99]}
    ax = results.learning_curve(table)
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "training accuracy", "test accuracy"]
    plt.close("all")
    with pytest.raises(TypeError):
        results.learning_curve([0.8, 0.9])
