"""Hidden-test helpers: trusted test data, model checks, capture and safe reload."""

import json

import keras
import numpy as np
import pytest

from cnnkit import grading, models
from cnnkit.grading.sweeps import SweepPlan


def test_capture_does_nothing_without_the_variable(monkeypatch, tmp_path):
    monkeypatch.delenv(grading.CAPTURE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    grading.capture("test_x", values=np.arange(3))
    assert list(tmp_path.iterdir()) == []


def test_capture_round_trip(monkeypatch, tmp_path):
    monkeypatch.setenv(grading.CAPTURE_ENV, str(tmp_path))
    model = models.simple_cnn()
    history = keras.callbacks.History()
    history.history = {"loss": [1.0, 0.5]}
    grading.capture(
        "test_all", model=model, images=np.ones((2, 3), "float32"), sizes=[100, 250],
        history=history, config={"optimizer": "adam", "epochs": 3},
    )
    assert sorted(p.name for p in (tmp_path / "test_all").iterdir()) == [
        "config.json", "history.json", "images.npy", "model.keras", "sizes.npy"
    ]
    loaded = grading.load_capture("test_all", tmp_path)
    assert isinstance(loaded["model"], keras.Model)
    assert loaded["model"].count_params() == 54410
    assert loaded["images"].dtype == np.float32 and loaded["images"].shape == (2, 3)
    assert loaded["sizes"].tolist() == [100, 250]
    assert loaded["history"] == {"loss": [1.0, 0.5]}
    assert loaded["config"] == {"optimizer": "adam", "epochs": 3}


def test_capture_saves_a_tensor_as_its_array(monkeypatch, tmp_path):
    """One-hot labels from keras.ops.one_hot (a tensor, not an array) are captured too."""
    monkeypatch.setenv(grading.CAPTURE_ENV, str(tmp_path))
    labels = keras.ops.one_hot(np.array([0, 2]), 3)
    grading.capture("test_tensor", labels=labels)
    loaded = grading.load_capture("test_tensor", tmp_path)
    assert loaded["labels"].tolist() == [[1, 0, 0], [0, 0, 1]]


def test_capture_rejects_path_like_names(monkeypatch, tmp_path):
    monkeypatch.setenv(grading.CAPTURE_ENV, str(tmp_path))
    with pytest.raises(ValueError):
        grading.capture("../escape", x=np.zeros(1))
    with pytest.raises(ValueError):
        grading.load_capture("a/b", tmp_path)


def test_missing_capture_loads_empty(tmp_path):
    assert grading.load_capture("test_none", tmp_path) == {}


def test_load_capture_never_unpickles(tmp_path):
    folder = tmp_path / "test_obj"
    folder.mkdir()
    np.save(folder / "evil.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="pickle"):
        grading.load_capture("test_obj", tmp_path)
    (folder / "evil.npy").unlink()
    (folder / "ok.json").write_text(json.dumps([1, 2]))
    assert grading.load_capture("test_obj", tmp_path) == {"ok": [1, 2]}


def test_check_model_accepts_reference_and_rejects_other():
    grading.check_model(models.simple_cnn(), grading.SIMPLE_CNN)
    with pytest.raises(AssertionError):
        grading.check_model(models.simple_cnn(num_classes=5), grading.SIMPLE_CNN)


@pytest.mark.slow
def test_accuracy_is_measured_on_the_trusted_test_set():
    untrained = models.simple_cnn()
    accuracy = grading.measure_test_accuracy(untrained, "fashion_mnist")
    assert 0.0 <= accuracy < 0.3
    with pytest.raises(AssertionError, match="below the required 0.9000"):
        grading.check_min_accuracy(untrained, "fashion_mnist", 0.9)


def test_trusted_preprocessing_check_rejects_tampered_labels():
    (x_train, y_train), (x_test, y_test) = grading.load_dataset("fashion_mnist")
    prepare = lambda x: (x.reshape(-1, 28, 28, 1) / np.float32(255)).astype("float32")  # noqa: E731
    onehot = lambda y: keras.utils.to_categorical(y, 10)  # noqa: E731
    grading.check_preprocessing("fashion_mnist", prepare(x_train), onehot(y_train),
                                prepare(x_test), onehot(y_test))
    with pytest.raises(AssertionError, match="test labels"):
        grading.check_preprocessing("fashion_mnist", prepare(x_train), onehot(y_train),
                                    prepare(x_test), onehot(np.roll(y_test, 1)))
    with pytest.raises(AssertionError, match="divided by 255"):
        grading.check_preprocessing("fashion_mnist", prepare(x_train) * 0.5, onehot(y_train),
                                    prepare(x_test), onehot(y_test))


# --- single-factor variants (assignment 02) -------------------------------------------


def _trained(config, n=50):
    model = models.cnn_from_config(config)
    x = np.zeros((n, 28, 28, 1), "float32")
    y = keras.utils.to_categorical(np.zeros(n), 10)
    model.fit(x, y, epochs=config["epochs"], batch_size=config["batch_size"], verbose=0)
    return model


def test_check_trained_as_counts_steps_and_compares_optimizer_and_layers():
    config = dict(models.SIMPLE_CNN_CONFIG, epochs=2, batch_size=32)
    model = _trained(config)
    grading.check_trained_as(model, config, n_train=50)
    with pytest.raises(AssertionError, match="made 4 training steps, but 3 epoch"):
        grading.check_trained_as(model, dict(config, epochs=3), n_train=50)
    with pytest.raises(AssertionError, match="trained with SGD, its configuration says Adam"):
        grading.check_trained_as(model, dict(config, optimizer="adam"), n_train=50)
    with pytest.raises(AssertionError, match="learning rate 0.01, its configuration says 0.1"):
        grading.check_trained_as(model, dict(config, learning_rate=0.1), n_train=50)
    with pytest.raises(AssertionError, match="does not match its configuration"):
        grading.check_trained_as(model, dict(config, conv_blocks=2), n_train=50)


def test_check_trained_as_works_on_a_captured_model(monkeypatch, tmp_path):
    config = dict(models.SIMPLE_CNN_CONFIG, epochs=1, batch_size=16, optimizer="adam")
    monkeypatch.setenv(grading.CAPTURE_ENV, str(tmp_path))
    grading.capture("test_gain", best_model=_trained(config), best_config=config)
    loaded = grading.load_capture("test_gain", tmp_path)
    assert loaded["best_config"] == config
    grading.check_trained_as(loaded["best_model"], loaded["best_config"], n_train=50)


def _compiled_as(config, optimizer, loss="categorical_crossentropy"):
    """The network of `config`, compiled with another `optimizer` or `loss` than it says."""
    model = models.cnn_from_config(config)
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    return model


def test_check_trained_as_compares_the_whole_optimizer_and_the_loss(monkeypatch, tmp_path):
    """SGD with momentum and Nesterov, or a squared-error loss, is not the configured SGD
    with cross-entropy: refused, live and after the clean room's save-and-load round trip.
    The same optimizer and loss written another way (objects instead of names) pass."""
    config = dict(models.SIMPLE_CNN_CONFIG, epochs=1, batch_size=16)
    x = np.zeros((32, 28, 28, 1), "float32")
    y = keras.utils.to_categorical(np.zeros(32), 10)
    honest = _compiled_as(config, keras.optimizers.SGD(learning_rate=0.01),
                          keras.losses.CategoricalCrossentropy())
    momentum = _compiled_as(config, keras.optimizers.SGD(momentum=0.9, nesterov=True))
    squared = _compiled_as(config, "sgd", loss="mse")
    for model in (honest, momentum, squared):
        model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    monkeypatch.setenv(grading.CAPTURE_ENV, str(tmp_path))
    grading.capture("test_as", honest=honest, momentum=momentum, squared=squared)
    loaded = grading.load_capture("test_as", tmp_path)
    for found in (honest, loaded["honest"]):
        grading.check_trained_as(found, config, n_train=32)
    for found in (momentum, loaded["momentum"]):
        with pytest.raises(AssertionError, match=r"momentum=0\.9, nesterov=True; its "
                                                 r"configuration says momentum=0, nesterov=False"):
            grading.check_trained_as(found, config, n_train=32)
    for found in (squared, loaded["squared"]):
        with pytest.raises(AssertionError, match="loss 'mse', its configuration says "
                                                 "'categorical_crossentropy'"):
            grading.check_trained_as(found, config, n_train=32)


def test_baseline_minimum_comes_from_the_calibrated_baseline_runs():
    """1.5 points below the lowest baseline of benchmarks/calibration/02_variants*.json,
    rounded down to a whole point."""
    import math

    from cnnkit.grading.variants import BASELINE_MINIMUM
    from tests.conftest import REPO

    lowest = min(
        run["test_accuracy"]
        for path in (REPO / "benchmarks" / "calibration").glob("02_variants*.json")
        for seed in json.loads(path.read_text())["seeds"]
        for run in seed["runs"] if run["name"] == "baseline"
    )
    assert BASELINE_MINIMUM == math.floor(100 * lowest - 1.5) / 100 == 0.72


@pytest.mark.slow  # trains several models: keeps `make test-fast` under 2 minutes
def test_variant_gain_refuses_a_sabotaged_baseline():
    """A baseline whose weights were zeroed before an otherwise normal training stays at
    chance: any variant would "gain" many points. It is below what the baseline's
    configuration reaches, so the gain does not count."""
    (x_train, y_train), _ = grading.load_dataset("fashion_mnist")
    x, y = grading.to_model_input(x_train[:1000]), keras.utils.to_categorical(y_train[:1000], 10)
    base = dict(models.SIMPLE_CNN_CONFIG, epochs=1, batch_size=32)
    best_config = dict(base, optimizer="adam")
    sabotaged, best = models.cnn_from_config(base), models.cnn_from_config(best_config)
    sabotaged.set_weights([np.zeros_like(w) for w in sabotaged.get_weights()])
    for model in (sabotaged, best):
        model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    args = (sabotaged, best, best_config, base, [best_config], "fashion_mnist", 5, 1000)
    with pytest.raises(AssertionError, match=r"the baseline reaches 0\.1000 .* below 0\.72.*"
                                             "train the baseline exactly as configured"):
        grading.check_variant_gain(*args)
    grading.check_variant_gain(*args, baseline_minimum=0.0)  # the gain itself is there


def test_variant_gain_needs_a_one_aspect_variant_trained_as_stated():
    base = dict(models.SIMPLE_CNN_CONFIG, epochs=1, batch_size=16)
    single, double = dict(base, optimizer="adam"), dict(base, optimizer="adam", epochs=2)
    baseline_model, best_model = _trained(base), _trained(single)
    args = ("fashion_mnist", 5, 50)
    with pytest.raises(AssertionError, match="not one of the variants"):
        grading.check_variant_gain(baseline_model, best_model, single, base, [double], *args)
    with pytest.raises(AssertionError, match="changes 2 aspects, not one"):
        grading.check_variant_gain(baseline_model, best_model, double, base, [double], *args)
    with pytest.raises(AssertionError, match="training steps"):
        grading.check_variant_gain(
            baseline_model, best_model, single, base, [single], "fashion_mnist", 5, 100
        )
    # both trained as stated, but on blank images: both near chance on the real test set
    with pytest.raises(AssertionError, match=r"below 0\.72"):
        grading.check_variant_gain(
            baseline_model, best_model, single, base, [single], "fashion_mnist", 50, 50
        )
    with pytest.raises(AssertionError, match=r"points, at least 50 required"):
        grading.check_variant_gain(
            baseline_model, best_model, single, base, [single], "fashion_mnist", 50, 50,
            baseline_minimum=0.0,
        )


def test_a_run_counts_only_with_its_configured_steps_on_the_prescribed_data():
    """A baseline trained on shuffled labels would make any variant look good: refused."""
    from cnnkit import provenance, train
    from cnnkit.grading.variants import check_run_of

    config = dict(models.SIMPLE_CNN_CONFIG, epochs=1, batch_size=16)
    rng = np.random.default_rng(0)
    x = rng.random((48, 28, 28, 1), dtype=np.float32)
    y = keras.utils.to_categorical(rng.integers(0, 10, 48), 10)
    honest, shuffled = models.cnn_from_config(config), models.cnn_from_config(config)
    train(honest, x, y, epochs=1, batch_size=16, verbose=0)
    train(shuffled, x, y[::-1], epochs=1, batch_size=16, verbose=0)
    log, data = provenance.training_log(), provenance.data_fingerprint(x, y)
    check_run_of(honest, config, log, 48, data, "the baseline model")
    with pytest.raises(AssertionError, match="trained on other data than x_fit and y_fit"):
        check_run_of(shuffled, config, log, 48, data, "the baseline model")
    with pytest.raises(AssertionError, match="made 3 steps, but 2 epoch"):
        check_run_of(honest, dict(config, epochs=2), log, 48, data, "the baseline model")
    # trained longer in two runs, the optimizer recompiled in between to reset its steps
    honest.compile(optimizer=keras.optimizers.SGD(), loss="categorical_crossentropy")
    train(honest, x, y, epochs=1, batch_size=16, verbose=0)
    with pytest.raises(AssertionError, match="continued from the weights of an earlier"):
        check_run_of(honest, config, provenance.training_log(), 48, data, "the baseline model")


def test_trusted_fit_data_is_what_the_02_notebook_trains_on():
    from cnnkit import to_model_input
    from cnnkit.grading.trained import trusted_fit_data
    from cnnkit.provenance import data_fingerprint

    (x_train, y_train), _ = grading.load_dataset("fashion_mnist")
    x_fit = to_model_input(x_train)[:30000]  # as the 02 notebook's data cell prepares them
    y_fit = keras.utils.to_categorical(y_train, 10)[:30000]
    assert trusted_fit_data("fashion_mnist", 30000) == data_fingerprint(x_fit, y_fit)


# --- fully connected versus convolutional networks (assignment 03) ----------------------


def test_l2_mlp_check_survives_a_capture(monkeypatch, tmp_path):
    monkeypatch.setenv(grading.CAPTURE_ENV, str(tmp_path))
    right, wrong = models.mlp((500, 300), l2=1e-3), models.mlp((500, 300))
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
        grading.check_l2_mlp(models.mlp((500, 200), l2=1e-3), 1e-3)


def test_l2_factor_and_sweep_checks():
    grading.check_l2_factors(np.logspace(-6, -3, 5))
    with pytest.raises(AssertionError, match="linear scale"):
        grading.check_l2_factors(np.linspace(1e-6, 1e-3, 5))
    grading.check_sweep_results(np.full((3, 5), 0.97) + np.arange(3)[:, None] * 1e-3, 0.95)
    with pytest.raises(AssertionError, match="shape"):
        grading.check_sweep_results(np.full((5,), 0.97), 0.95)


def _compiled_mlp(factor: float) -> keras.Model:
    model = models.mlp((500, 300), l2=factor)
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
    untrained = [models.mlp((500, 300)) for _ in range(15)]
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
        grading.check_convnet(models.mlp(), "mnist", 0.99)
    with pytest.raises(AssertionError, match="below the required 0.9900"):
        grading.check_convnet(models.small_convnet(), "mnist", 0.99)


# --- learning curves and standardisation (assignment 04) --------------------------------


def _learning_curve_cnn():
    """A new, compiled CNN from the reference notebook's own `build_cnn`."""
    from benchmarks.calibrate import solution_code

    namespace = {"keras": keras, "layers": keras.layers}
    exec(solution_code("04_learning_curves", "build_cnn"), namespace)
    return namespace["build_cnn"]()


def test_learning_curve_cnn_table_matches_the_notebook_network():
    grading.check_model(_learning_curve_cnn(), grading.LEARNING_CURVE_CNN)
    assert sum(row.params for row in grading.LEARNING_CURVE_CNN) == 18570


@pytest.mark.slow
def test_learning_curve_models_must_be_fresh_and_honestly_reported():
    from cnnkit import experiments, provenance

    (x_train, y_train), _ = grading.load_dataset("mnist")
    x, y = grading.to_model_input(x_train[:200]), y_train[:200]
    sizes = [100, 300, 1000, 3000, 10000, 60000]
    trained = [_learning_curve_cnn() for _ in sizes]
    for model in trained:
        experiments.train_steps(model, x, y, steps=2, batch_size=32)
    measured = [grading.measure_test_accuracy(m, "mnist") for m in trained]
    curve = {"size": sizes, "train_accuracy": [1.0] * 6, "steps": [2] * 6,
             "test_accuracy": measured, "batch_size": [32] * 6, "seconds": [1] * 6}
    log = provenance.training_log()
    made_up = dict(curve, test_accuracy=[measured[0], 0.5, 0.6, 0.7, 0.8, 0.99])
    with pytest.raises(AssertionError, match="reported as"):
        grading.check_learning_curve_models(made_up, trained, "mnist", log)
    untrained = trained[:1] + [_learning_curve_cnn() for _ in sizes[1:-1]] + trained[-1:]
    with pytest.raises(AssertionError, match="cnnkit.train"):
        grading.check_learning_curve_models(made_up, untrained, "mnist", log)
    experiments.train_steps(trained[-1], x, y, steps=2, batch_size=32)  # trained on and on
    with pytest.raises(AssertionError, match="made 4 training steps"):
        grading.check_full_data_model(trained[-1], curve, "mnist", 0.0, provenance.training_log())


def test_confusion_of_is_recomputed_from_the_model():
    model = models.simple_cnn()  # untrained: some fixed, poor predictions on MNIST
    expected = grading.trusted_confusion_matrix(model, "mnist")
    assert expected.shape == (10, 10) and np.allclose(expected.sum(axis=1), 1)
    grading.check_confusion_of(expected, model, "mnist")
    with pytest.raises(AssertionError, match="differs"):
        grading.check_confusion_of(np.full((10, 10), 0.1), model, "mnist")


def test_standardized_data_must_use_training_statistics_only():
    from cnnkit.data import pixel_statistics

    (x_train, _), (x_test, _) = grading.load_dataset("mnist")
    train, test = grading.to_model_input(x_train), grading.to_model_input(x_test)
    mean, std = pixel_statistics(train)
    grading.check_standardized_data(mean, std, 0.01, (test - mean) / (std + 0.01), "mnist")
    grading.check_standardized_data(mean, std, 1e-7, (test - mean) / np.maximum(std, 1e-7),
                                    "mnist")
    all_mean, all_std = pixel_statistics(np.concatenate([train, test]))
    with pytest.raises(AssertionError, match="training images alone"):
        grading.check_standardized_data(all_mean, all_std, 0.01,
                                        (test - all_mean) / (all_std + 0.01), "mnist")
    with np.errstate(divide="ignore", invalid="ignore"):
        trap = (test - mean) / std
    with pytest.raises(AssertionError, match="NaN"):
        grading.check_standardized_data(mean, std, 0.01, trap, "mnist")
    with pytest.raises(AssertionError, match="standardised with the training"):
        grading.check_standardized_data(mean, std, 0.01, (test - mean) / (std + 0.1), "mnist")
