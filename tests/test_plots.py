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


# --- single-factor variants (assignment 02) -------------------------------------------


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
    assert plots.variant_bars(_variant_table(), ax=ax) is ax
    assert len(ax.patches) == 4
    assert len(ax.lines) == 1 and ax.lines[0].get_ydata()[0] == pytest.approx(81)
    labels = [label.get_text() for label in ax.get_xticklabels()]
    assert labels[0] == "baseline" and labels[1] == "optimizer\n= adam"
    with pytest.raises(ValueError, match="empty"):
        plots.variant_bars([])


def test_variant_curves_put_all_runs_on_shared_axes():
    axes = plots.variant_curves(_variant_table())
    assert len(axes) == 2
    assert all(len(ax.lines) == 4 for ax in axes)
    assert len(axes[0].lines[2].get_xdata()) == 15
    with pytest.raises(ValueError, match="no 'f1' in the history of baseline"):
        plots.variant_curves(_variant_table(), metrics=("f1",))


def test_sweep_errorbars_draw_mean_std_runs_and_reference():
    values = np.logspace(-6, -3, 5)
    results = np.array([[0.97, 0.971, 0.972, 0.973, 0.96], [0.975, 0.972, 0.97, 0.971, 0.962]])
    before = dict(matplotlib.rcParams)
    ax = plots.sweep_errorbars(values, results, reference=0.9847, reference_label="published")
    assert ax.get_xscale() == "log"
    bars = ax.containers[0]
    assert np.allclose(bars.lines[0].get_ydata(), results.mean(axis=0))
    assert [list(line.get_ydata()) for line in ax.lines[:2]] == results.tolist()
    assert ax.lines[-1].get_ydata()[0] == 0.9847
    assert "published" in [text.get_text() for text in ax.get_legend().get_texts()]
    assert dict(matplotlib.rcParams) == before
    with pytest.raises(ValueError, match=r"shape \(replicates, 5\)"):
        plots.sweep_errorbars(values, results.T)


def test_params_vs_accuracy_groups_models_by_name():
    _, ax = plt.subplots()
    names = ["MLP", "sweep", "sweep", "CNN"]
    assert plots.params_vs_accuracy(names, [55050, 545810, 545810, 34826],
                                    [0.97, 0.975, 0.976, 0.992], ax=ax) is ax
    assert ax.get_xscale() == "log"
    assert [c.get_offsets().shape[0] for c in ax.collections] == [1, 2, 1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["MLP", "sweep", "CNN"]
    with pytest.raises(ValueError, match="equally long"):
        plots.params_vs_accuracy(names, [1, 2], [0.5, 0.6])


def test_learning_curve_plot_uses_a_log_axis_and_a_legend():
    table = {"size": [100, 1000, 60000], "train_accuracy": [1.0, 1.0, 0.99],
             "test_accuracy": [0.8, 0.95, 0.99]}
    ax = plots.learning_curve(table)
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "training accuracy", "test accuracy"]
    plt.close("all")
    with pytest.raises(TypeError):
        plots.learning_curve([0.8, 0.9])


def test_confusion_matrix_plot_writes_every_value():
    matrix = np.eye(3) * 0.9 + 0.05
    ax = plots.confusion_matrix(matrix, ["a", "b", "c"])
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 9 and texts[0] == "0.95" and texts[1] == "0.05"
    counts = plots.confusion_matrix(np.array([[5, 1], [0, 7]]))
    assert [t.get_text() for t in counts.texts] == ["5", "1", "0", "7"]
    plt.close("all")
    with pytest.raises(ValueError):
        plots.confusion_matrix(np.ones((2, 3)))
