"""The training log and the trust checks built on it (cnnkit.provenance, grading.trained,
checks.trained): a score counts only for a model the notebook trained, that learned."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from benchmarks.reference import mlp
from cnnkit import checks, experiments, grading, provenance, train
from cnnkit.data import load_dataset, to_model_input


def _tiny_cnn(factor=0.0):
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)), keras.layers.Conv2D(2, 3), keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax",
                           kernel_regularizer=keras.regularizers.L2(factor)),
    ])
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    return model


def _data(n=64):
    (x, y), _ = load_dataset("mnist")
    return to_model_input(x[:n]), keras.utils.to_categorical(y[:n], 10)


def lookup_table(name: str) -> keras.Model:
    """An untrained network of Keras's own layers that stores the test set: each test
    image's nearest stored image (by cosine similarity) is itself, whose label it returns."""
    _, (x_test, y_test) = load_dataset(name)
    keys = to_model_input(x_test).reshape(len(x_test), -1)
    keys /= np.linalg.norm(keys, axis=1, keepdims=True)
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(),
        keras.layers.UnitNormalization(),
        keras.layers.Dense(len(keys), use_bias=False, activation="softmax"),
        keras.layers.Dense(10, use_bias=False),
    ])
    model.layers[2].set_weights([1000 * keys.T])
    model.layers[3].set_weights([np.eye(10, dtype="float32")[y_test]])
    return model


def test_fingerprint_survives_saving_and_changes_with_any_weight(tmp_path):
    model = _tiny_cnn()
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert provenance.fingerprint(loaded) == provenance.fingerprint(model)
    weights = model.get_weights()
    weights[1][0] += 1e-6
    model.set_weights(weights)
    assert provenance.fingerprint(loaded) != provenance.fingerprint(model)


def test_data_fingerprint_tells_the_prescribed_data_from_shuffled_labels():
    x, y = _data()
    assert provenance.data_fingerprint(x, y) == provenance.data_fingerprint(x.copy(), y.copy())
    assert provenance.data_fingerprint(x, y) != provenance.data_fingerprint(x, y[::-1])
    assert provenance.data_fingerprint(x, y) != provenance.data_fingerprint(x[:-1], y[:-1])
    assert provenance.data_fingerprint(x, y) != provenance.data_fingerprint(
        x.astype("float64"), y)


def test_train_logs_the_weights_it_produced_and_the_checks_accept_them():
    x, y = _data()
    model = _tiny_cnn()
    before = provenance.fingerprint(model)
    train(model, x, y, epochs=1, batch_size=32, verbose=0)
    entry = provenance.training_log()[-1]
    assert entry == {"helper": "cnnkit.train", "before": before,
                     "after": provenance.fingerprint(model), "steps": 2,
                     "data": provenance.data_fingerprint(x, y)}
    assert grading.check_trained_by_kit(model, provenance.training_log()) == entry
    steps = _tiny_cnn()
    experiments.train_steps(steps, x, y, steps=3, batch_size=16)
    assert provenance.training_log()[-1]["helper"] == "cnnkit.experiments.train_steps"
    grading.trained.check_distinct([model, steps], provenance.training_log(), "model")


def test_untrained_swapped_or_changed_models_are_refused():
    x, y = _data()
    log = provenance.training_log
    with pytest.raises(AssertionError, match="does not have weights that cnnkit.train"):
        grading.check_trained_by_kit(_tiny_cnn(), log())  # never trained: a lookup table's case
    model = _tiny_cnn()
    train(model, x, y, epochs=1, batch_size=32, verbose=0)
    model.set_weights([w * 0 for w in model.get_weights()])  # changed after training
    with pytest.raises(AssertionError, match="changed after training"):
        grading.check_trained_by_kit(model, log())
    zero_steps = _tiny_cnn()
    train(zero_steps, x[:1], y[:1], epochs=0, batch_size=32, verbose=0)
    with pytest.raises(AssertionError, match="never trained"):
        grading.check_trained_by_kit(zero_steps, log())
    with pytest.raises(AssertionError, match="Train `model` with cnnkit.train"):
        checks.check_trained_here(_tiny_cnn(), "mnist")


@pytest.mark.slow  # trains several models: keeps `make test-fast` under 2 minutes
def test_a_run_on_other_data_than_x_fit_fails_visibly_and_hidden():
    """Trained on test images (and the held-out ones, which hides it from the generalisation
    check): the run's data is not x_fit's."""
    x, y = _data()
    honest = _tiny_cnn()
    train(honest, x, y, epochs=1, batch_size=32, verbose=0)
    checks.check_trained_here(honest, "mnist", "honest", fit_images=64)
    _, (x_test, y_test) = load_dataset("mnist")
    cheat = _tiny_cnn()
    train(cheat, to_model_input(x_test[:64]), keras.utils.to_categorical(y_test[:64], 10),
          epochs=1, batch_size=32, verbose=0)
    with pytest.raises(AssertionError, match=r"other data than x_fit.*cnnkit.train\(cheat, x_fit"):
        checks.check_trained_here(cheat, "mnist", "cheat", fit_images=64)
    log = provenance.training_log()
    grading.check_trained_on_fit(honest, log, "mnist", 64, "honest")
    with pytest.raises(AssertionError, match="other data than x_fit and y_fit"):
        grading.check_trained_on_fit(cheat, log, "mnist", 64, "cheat")
    with pytest.raises(AssertionError, match="other data than x_fit and y_fit"):
        grading.check_learned(cheat, log, "mnist", 0.0, "cheat", fit_images=64)


def test_reported_numbers_must_be_what_the_model_measures():
    model = _tiny_cnn()
    measured = grading.measure_test_accuracy(model, "mnist")
    assert grading.check_measured(measured + 0.001, model, "mnist", "x") == measured
    with pytest.raises(AssertionError, match="reported as 0.9900"):
        grading.check_measured(0.99, model, "mnist", "the accuracy")
    with pytest.raises(AssertionError, match="not a number"):
        grading.check_measured("0.99", model, "mnist", "the accuracy")


def test_parameter_limit_stops_a_dense_lookup_table():
    table = lookup_table("mnist")
    assert table.count_params() > 7_000_000
    with pytest.raises(AssertionError, match="more than the limit of 500,000"):
        grading.check_param_limit(table, grading.CONVNET_PARAM_LIMIT)
    with pytest.raises(AssertionError, match="largest layer"):
        checks.check_param_limit(table, grading.CONVNET_PARAM_LIMIT)
    grading.check_param_limit(_tiny_cnn(), grading.CONVNET_PARAM_LIMIT)


@pytest.mark.slow  # predicting with 7.8 million weights: about a minute
def test_a_model_fitted_to_the_test_set_does_not_generalise():
    table = lookup_table("fashion_mnist")
    test, held_out, allowed = grading.trained.generalisation_gap(table, "fashion_mnist")
    assert test == 1.0 and held_out < 0.9 and 0.005 <= allowed < 0.05
    with pytest.raises(AssertionError, match="fitted to the test set"):
        grading.check_generalises(table, "fashion_mnist")
    grading.check_generalises(_tiny_cnn(), "fashion_mnist")  # chance on both: no gap


def _regularized_mlp(factor):
    """03's build_regularized_mlp: a new, compiled 500-300 MLP with L2 `factor`."""
    model = mlp((500, 300), l2=factor)
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.SGD(0.1),
                  metrics=["accuracy"])
    return model


@pytest.fixture
def small_l2_sweep(monkeypatch):
    """03's prescribed sweep made small (cnnkit.grading.mlp_vs_cnn.L2_SWEEP): seeds 1 and 2,
    one factor, one epoch of 32 on the first 64 training images."""
    from cnnkit.grading import mlp_vs_cnn
    from cnnkit.grading.sweeps import SweepPlan

    plan = SweepPlan(seeds=(1, 2), values=(1e-4,), epochs=1, batch_size=32, n_train=64,
                     value_name="factor")
    monkeypatch.setattr(mlp_vs_cnn, "L2_SWEEP", plan)
    return plan


def _test_data():
    _, (x_test, y_test) = load_dataset("mnist")
    return to_model_input(x_test), keras.utils.to_categorical(y_test, 10)


def test_sweep_models_check_measures_every_model_on_the_test_set(small_l2_sweep):
    """A sweep measured on other images than the test set fails visibly, as hidden."""
    x, y = _data()
    on_test = experiments.replicated_sweep(
        _regularized_mlp, [1e-4], seeds=[1, 2], training_data=(x, y), test_data=_test_data(),
        epochs=1, batch_size=32, verbose=0)
    checks.check_sweep_models(on_test, experiments.sweep_grid(on_test), "mnist")
    # measured on one training image: 0 or 1, never what a model measures on the test set
    on_training = experiments.replicated_sweep(
        _regularized_mlp, [1e-4], seeds=[1, 2], training_data=(x, y), test_data=(x[:1], y[:1]),
        epochs=1, batch_size=32, verbose=0)
    with pytest.raises(AssertionError, match="never the validation images"):
        checks.check_sweep_models(on_training, experiments.sweep_grid(on_training), "mnist")
    with pytest.raises(AssertionError, match="never the validation images"):
        checks.check_measured_accuracy(on_training["test_accuracy"][0], on_training["model"][0],
                                       "mnist", "the accuracy")


@pytest.mark.slow  # trains several models: keeps `make test-fast` under 2 minutes
def test_sweep_models_check_applies_the_hidden_rules_of_the_sweep(small_l2_sweep):
    """What the hidden check_sweep_measured refuses, the visible check refuses first, and
    says how to run the sweep: models trained with model.fit in an own loop, models of
    another builder, other seeds."""
    from cnnkit.training import set_seed

    x, y = _data()
    x_test, y_test = _test_data()
    own_loop = {"seed": [], "value": [], "test_accuracy": [], "model": []}
    for seed in small_l2_sweep.seeds:
        set_seed(seed)
        model = _regularized_mlp(1e-4)
        # batch 16, not the plan's 32: no cnnkit.train run of another test made these weights
        model.fit(x, y, epochs=1, batch_size=16, verbose=0)
        accuracy = grading.measure_test_accuracy(model, "mnist")
        for key, item in zip(own_loop, (seed, 1e-4, accuracy, model)):
            own_loop[key].append(item)
    fix = r"[\s\S]*Run the sweep as the text says: .*replicated_sweep\(build_regularized_mlp"
    with pytest.raises(AssertionError, match="does not have weights that cnnkit.train" + fix):
        checks.check_sweep_models(own_loop, experiments.sweep_grid(own_loop), "mnist")

    other = experiments.replicated_sweep(
        _tiny_cnn, [1e-4], seeds=[1, 2], training_data=(x, y), test_data=(x_test, y_test),
        epochs=1, batch_size=32, verbose=0)
    with pytest.raises(AssertionError, match="is not the 500-300 MLP" + fix):
        checks.check_sweep_models(other, experiments.sweep_grid(other), "mnist")
    seeds = experiments.replicated_sweep(
        _regularized_mlp, [1e-4], seeds=[7, 8], training_data=(x, y), test_data=(x_test, y_test),
        epochs=1, batch_size=32, verbose=0)
    with pytest.raises(AssertionError, match=r"seeds \[7, 8\]" + fix):
        checks.check_sweep_models(seeds, experiments.sweep_grid(seeds), "mnist")


def test_sweep_models_check_needs_the_models_behind_the_grid():
    x, y = _data()
    sweep = experiments.replicated_sweep(
        _tiny_cnn, [1e-4, 1e-3], seeds=[1, 2], training_data=(x, y),
        test_data=(x, y), epochs=1, batch_size=32, verbose=0)
    grid = experiments.sweep_grid(sweep)
    checks.check_sweep_models(sweep, grid)
    with pytest.raises(AssertionError, match="is not cnnkit.experiments.sweep_grid"):
        checks.check_sweep_models(sweep, grid + 0.01)
    with pytest.raises(AssertionError, match="with its trained models"):
        checks.check_sweep_models({k: v for k, v in sweep.items() if k != "model"}, grid)
    grading.trained.check_distinct(sweep["model"], provenance.training_log(), "sweep model")


def test_capture_saves_a_list_of_models_and_loads_it_in_order(monkeypatch, tmp_path):
    monkeypatch.setenv(grading.CAPTURE_ENV, str(tmp_path))
    first, second = _tiny_cnn(), _tiny_cnn()
    grading.capture("test_list", models=[first, second])
    assert sorted(p.name for p in (tmp_path / "test_list").iterdir()) == [
        "models.0.keras", "models.1.keras"]
    loaded = grading.load_capture("test_list", tmp_path)["models"]
    assert [provenance.fingerprint(m) for m in loaded] == [
        provenance.fingerprint(first), provenance.fingerprint(second)]


def test_two_runs_that_train_alike_give_two_distinct_models_but_one_model_twice_is_refused():
    """A sweep whose value has no effect trains equal models, each in its own run."""
    x, y = _data()
    start = len(provenance.training_log())
    twins = []
    for _ in range(2):
        keras.utils.set_random_seed(0)
        model = _tiny_cnn()
        train(model, x, y, epochs=1, batch_size=32, verbose=0)
        twins.append(model)
    assert provenance.fingerprint(twins[0]) == provenance.fingerprint(twins[1])
    log = provenance.training_log()[start:]  # only these two runs
    grading.trained.check_distinct(twins, log, "sweep model")
    with pytest.raises(AssertionError, match="no training run of its own"):
        grading.trained.check_distinct([twins[0], twins[1], twins[0]], log, "sweep model")
