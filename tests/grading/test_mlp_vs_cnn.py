"""Hidden tests of 03: weight decay, the replicated sweep, the CNN (cnnkit.grading.mlp_vs_cnn)."""

import keras
import numpy as np
import pytest

from benchmarks.reference import mlp, mnist_convnet
from cnnkit import grading
from cnnkit.grading.sweeps import SweepPlan


def test_l2_mlp_check_survives_a_capture(monkeypatch, tmp_path):
    monkeypatch.setenv(grading.CAPTURE_ENV, str(tmp_path))
    right, wrong = mlp((500, 300), l2=1e-3), mlp((500, 300))
    string = keras.Sequential([
        keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(),
        keras.layers.Dense(500, activation="relu", kernel_regularizer="l2"),
        keras.layers.Dense(300, activation="relu", kernel_regularizer="l2"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    grading.capture("test_l2_model", right=right, wrong=wrong, string=string)
    loaded = grading.load_capture("test_l2_model", tmp_path)
    grading.check_l2_mlp(loaded["right"], 1e-3)
    with pytest.raises(AssertionError, match="no L2 weight decay"):
        grading.check_l2_mlp(loaded["wrong"], 1e-3)
    with pytest.raises(AssertionError, match="has L2 factor 0.01"):
        grading.check_l2_mlp(loaded["string"], 1e-3)
    with pytest.raises(AssertionError, match="parameters"):
        grading.check_l2_mlp(mlp((500, 200), l2=1e-3), 1e-3)


def test_l2_factor_and_sweep_checks():
    grading.check_l2_factors(np.logspace(-6, -3, 5))
    with pytest.raises(AssertionError, match="linear scale"):
        grading.check_l2_factors(np.linspace(1e-6, 1e-3, 5))
    grading.check_sweep_results(np.full((3, 5), 0.97) + np.arange(3)[:, None] * 1e-3, 0.95)
    with pytest.raises(AssertionError, match="shape"):
        grading.check_sweep_results(np.full((5,), 0.97), 0.95)


def _compiled_mlp(factor: float) -> keras.Model:
    model = mlp((500, 300), l2=factor)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def _fit_data(n):
    """The first `n` MNIST training images and one-hot labels, as the notebooks' x_fit."""
    (x, y), _ = grading.load_dataset("mnist")
    return grading.to_model_input(x[:n]), keras.utils.to_categorical(y, 10)[:n]


def _test_data():
    x_test, y_test = grading.trusted_test_set("mnist")
    return x_test, keras.utils.to_categorical(y_test, 10)


# A small sweep, prescribed as 03's (cnnkit.grading.mlp_vs_cnn.L2_SWEEP) but short
SMALL_SWEEP = SweepPlan(seeds=(1,), values=(1e-4, 1e-3), epochs=1, batch_size=64, n_train=128,
                        value_name="factor")


def _small_sweep(build=None, values=SMALL_SWEEP.values, seeds=SMALL_SWEEP.seeds,
                 epochs=SMALL_SWEEP.epochs, data=None, test_data=None):
    from cnnkit import experiments

    return experiments.replicated_sweep(
        build or _compiled_mlp, values, seeds=seeds, verbose=0, epochs=epochs, batch_size=64,
        training_data=data or _fit_data(128), test_data=test_data or _test_data())


def _measured(sweep, plan=SMALL_SWEEP):
    from cnnkit import experiments, provenance

    grading.check_sweep_measured(experiments.sweep_grid(sweep), sweep["model"], sweep["seed"],
                                 sweep["value"], provenance.training_log(), "mnist", plan=plan)


@pytest.mark.slow  # trains 500-300 MLPs: keeps `make test-fast` under 2 minutes
def test_sweep_measured_checks_every_model_of_the_sweep():
    """03's sweep: every accuracy of the grid is what its own trained 500-300 MLP measures
    (`check_sweep_measured`, built on `cnnkit.grading.sweeps.check_sweep_runs`)."""
    from cnnkit import experiments, provenance

    sweep = _small_sweep()
    grid, log = experiments.sweep_grid(sweep), provenance.training_log()
    columns = sweep["model"], sweep["seed"], sweep["value"], log, "mnist"
    grading.check_sweep_measured(grid, *columns, plan=SMALL_SWEEP)
    with pytest.raises(AssertionError, match="seed 1, factor 0.001 is reported as"):
        grading.check_sweep_measured(grid + [[0.0, 0.01]], *columns, plan=SMALL_SWEEP)
    with pytest.raises(AssertionError, match="the sweep has 2 models for 3 accuracies"):
        grading.check_sweep_measured([[0.5, 0.5, 0.5]], *columns, plan=SMALL_SWEEP)
    with pytest.raises(AssertionError, match="same weights as an earlier one"):
        grading.check_sweep_measured(grid, sweep["model"][:1] * 2, *columns[1:],
                                     plan=SMALL_SWEEP)


def test_sweep_measured_requires_the_prescribed_seeds_and_factors():
    """03's sweep as the notebook prescribes it: seeds 1, 2, 3 and the five factors of
    np.logspace(-6, -3, 5), whatever the models (checked before them)."""
    untrained = [mlp((500, 300)) for _ in range(15)]
    factors = np.logspace(-6, -3, 5)

    def check(seeds, values):
        seed_column = [seed for seed in seeds for _ in values]
        value_column = [value for _ in seeds for value in values]
        grading.check_sweep_measured(np.full((len(seeds), len(values)), 0.9), untrained,
                                     seed_column, value_column, [], "mnist")

    with pytest.raises(AssertionError, match=r"seeds \[7, 8, 9\].*seeds=\[1, 2, 3\]"):
        check([7, 8, 9], factors)
    with pytest.raises(AssertionError, match=r"factors 1, 2, 3, 4, 5.*1e-06, 5\.62e-06"):
        check([1, 2, 3], [1, 2, 3, 4, 5])
    for right in (10.0 ** np.linspace(-6, -3, 5), [1e-6, 5.6e-6, 3.2e-5, 1.8e-4, 1e-3]):
        # the right factors (rounded as test_l2_factors accepts them): on to the runs
        with pytest.raises(AssertionError, match="does not have weights that cnnkit.train"):
            check([1, 2, 3], right)


@pytest.mark.slow  # trains 500-300 MLPs: keeps `make test-fast` under 2 minutes
def test_sweep_measured_requires_fresh_runs_of_the_prescribed_training():
    """Each run of the sweep trains a fresh model the prescribed epochs on x_fit[:n_train]:
    2 epochs instead of 1, other images, a model that starts from trained weights, or
    model.fit instead of the sweep are refused (before any accuracy is measured)."""
    from cnnkit import train

    one_run = SweepPlan(seeds=(1,), values=(1e-4,), epochs=1, batch_size=64, n_train=128)
    x, y = _fit_data(256)

    def sweep(**options):
        return _small_sweep(values=one_run.values, test_data=(x[:10], y[:10]), **options)

    with pytest.raises(AssertionError, match="made 4 steps, but 1 epoch"):
        _measured(sweep(epochs=2), one_run)
    with pytest.raises(AssertionError, match="trained on other data than x_fit"):
        _measured(sweep(data=(x[128:], y[128:])), one_run)
    pretrained = _compiled_mlp(1e-4)
    train(pretrained, x[:128], y[:128], epochs=1, batch_size=64, verbose=0)

    def warm_started(factor):
        model = _compiled_mlp(factor)
        model.set_weights(pretrained.get_weights())
        return model

    with pytest.raises(AssertionError, match="continued from the weights of an earlier"):
        _measured(sweep(build=warm_started), one_run)
    fitted = _compiled_mlp(1e-4)  # trained other than pretrained: weights of its own
    fitted.fit(x[:128], y[:128], epochs=1, batch_size=32, verbose=0)
    own_loop = {"seed": [1], "value": [1e-4], "model": [fitted], "test_accuracy": [0.5]}
    with pytest.raises(AssertionError, match="does not have weights that cnnkit.train"):
        _measured(own_loop, one_run)


@pytest.mark.slow
def test_convnet_check_needs_a_convolution_and_the_accuracy():
    with pytest.raises(AssertionError, match="no convolution layer"):
        grading.check_convnet(mlp(), "mnist", 0.99)
    with pytest.raises(AssertionError, match="below the required 0.9900"):
        grading.check_convnet(mnist_convnet(), "mnist", 0.99)
