"""Experiment runners return complete tables (small synthetic data where possible)."""

# --- single-factor variants (assignment 02) -------------------------------------------

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from benchmarks.reference import mlp  # noqa: E402
from cnnkit import experiments, models, set_seed  # noqa: E402
from cnnkit.experiments.learning_curves import batch_order  # noqa: E402

BASE = dict(models.SIMPLE_CNN_CONFIG, epochs=1)


def _tiny_data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 28, 28, 1), dtype=np.float32)
    y = keras.utils.to_categorical(rng.integers(0, 10, n), 10)
    return x, y


def test_changed_aspects_lists_differing_keys_in_baseline_order():
    assert experiments.changed_aspects(BASE, dict(BASE)) == []
    changed = experiments.changed_aspects(BASE, dict(BASE, epochs=3, optimizer="adam"))
    assert changed == ["optimizer", "epochs"]
    assert experiments.describe_change(BASE, dict(BASE, batch_size=64)) == ("batch_size", "64")
    assert experiments.describe_change(BASE, BASE) == ("-", "-")


def test_changed_aspects_compares_the_rate_each_optimizer_trains_with():
    """BASE trains SGD at its default rate (None = 0.01); Adam's default is 0.001."""
    assert experiments.changed_aspects(BASE, dict(BASE, optimizer="adam", learning_rate=0.001)) \
        == ["optimizer"]
    assert experiments.changed_aspects(BASE, dict(BASE, optimizer="adam", learning_rate=0.01)) \
        == ["optimizer", "learning_rate"]
    assert experiments.changed_aspects(BASE, dict(BASE, learning_rate=0.01)) == []
    assert experiments.changed_aspects(BASE, dict(BASE, learning_rate=0.1)) == ["learning_rate"]


def test_changed_aspects_rejects_unknown_keys():
    with pytest.raises(ValueError, match="unknown key 'optimiser'"):
        experiments.changed_aspects(BASE, dict(BASE, optimiser="adam"))


@pytest.fixture(scope="module")
def tiny_run():
    x, y = _tiny_data()
    variants = [dict(BASE, optimizer="adam"), dict(BASE, epochs=2, batch_size=32)]
    table, trained = experiments.run_variants(
        BASE, variants, training_data=(x[:64], y[:64]), validation_data=(x[64:80], y[64:80]),
        test_data=(x[80:], y[80:]), verbose=0,
    )
    return variants, table, trained


def test_run_variants_returns_one_complete_row_per_run(tiny_run):
    variants, table, trained = tiny_run
    assert [row["name"] for row in table] == ["baseline", "variant 1", "variant 2"]
    assert len(trained) == 3 and all(isinstance(m, keras.Model) for m in trained)
    for row, config in zip(table, [BASE, *variants]):
        assert set(row) == set(experiments.RESULT_KEYS)
        assert row["config"] == config
        assert 0 <= row["test_accuracy"] <= 1 and row["seconds"] > 0 and row["params"] == 54410
        assert len(row["history"]["val_accuracy"]) == config["epochs"] == row["epochs"]
    assert (table[0]["aspect"], table[1]["value"]) == ("-", "adam")
    assert (table[2]["aspect"], table[2]["value"]) == ("epochs, batch_size", "2, 32")
    assert int(trained[2].optimizer.iterations) == 4  # 2 epochs x ceil(64 / 32) steps


def test_format_results_shows_every_run(tiny_run):
    _, table, _ = tiny_run
    text = experiments.format_results(table)
    assert len(text.splitlines()) == 4
    assert "epochs, batch_size" in text and "vs base" in text


def test_run_variants_names_the_bad_variant_before_training():
    x, y = _tiny_data(4)
    with pytest.raises(ValueError, match="variant 2: unknown key 'epoch'"):
        experiments.run_variants(
            BASE, [dict(BASE), dict(BASE, epoch=3)],
            training_data=(x, y), validation_data=(x, y), test_data=(x, y), verbose=0,
        )
    with pytest.raises(TypeError, match="training_data must be a pair"):
        experiments.run_variants(
            BASE, [], training_data=x, validation_data=(x, y), test_data=(x, y), verbose=0
        )


# --- replicated sweeps (assignment 03) ------------------------------------------------


def _tiny_mlp(factor):
    model = mlp((8,), l2=factor)
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.SGD(0.1),
                  metrics=["accuracy"])
    return model


def test_replicated_sweep_trains_every_seed_and_value(capsys):
    x, y = _tiny_data(n=64)
    table = experiments.replicated_sweep(
        _tiny_mlp, [1e-4, 1e-2], seeds=[1, 2, 3], training_data=(x[:48], y[:48]),
        test_data=(x[48:], y[48:].argmax(axis=1)), epochs=1, batch_size=16,
    )
    assert table["seed"] == [1, 1, 2, 2, 3, 3]
    assert table["value"] == [1e-4, 1e-2] * 3
    assert all(0 <= a <= 1 for a in table["test_accuracy"])
    assert table["params"] == [mlp((8,)).count_params()] * 6
    assert len(capsys.readouterr().out.splitlines()) == 6
    grid = experiments.sweep_grid(table)
    assert grid.shape == (3, 2)
    assert grid[2, 1] == table["test_accuracy"][5]


def test_replicated_sweep_is_repeatable_per_seed():
    x, y = _tiny_data(n=64)
    run = lambda seeds: experiments.replicated_sweep(  # noqa: E731
        _tiny_mlp, [1e-3], seeds=seeds, training_data=(x[:48], y[:48]),
        test_data=(x[48:], y[48:]), epochs=1, batch_size=16, verbose=0,
    )
    first, again = run([5]), run([5])
    assert first["test_accuracy"] == again["test_accuracy"]


def test_replicated_sweep_rejects_repeated_seeds_and_non_models():
    x, y = _tiny_data(n=32)
    common = dict(training_data=(x, y), test_data=(x, y), epochs=1, batch_size=16, verbose=0)
    with pytest.raises(ValueError, match="seeds must differ"):
        experiments.replicated_sweep(_tiny_mlp, [1e-3], seeds=[1, 1], **common)
    with pytest.raises(TypeError, match="not a keras.Model"):
        experiments.replicated_sweep(lambda f: None, [1e-3], seeds=[1], **common)


def test_sweep_grid_needs_every_run():
    table = {"seed": [1, 1, 2], "value": [0.1, 0.2, 0.1], "test_accuracy": [0.5, 0.6, 0.7]}
    with pytest.raises(ValueError, match="lacks some"):
        experiments.sweep_grid(table)
    with pytest.raises(ValueError, match="no column 'loss'"):
        experiments.sweep_grid(table, key="loss")


# --- learning curves (assignment 04) ----------------------------------------------------


def _small_classifier():
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _digits(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 28, 28, 1), dtype=np.float32), np.arange(n, dtype=np.uint8) % 10


def test_train_steps_makes_exactly_the_budget_of_updates():
    x, y = _digits(30)
    for steps in (1, 7):
        model = _small_classifier()
        history = experiments.train_steps(model, x, y, steps=steps, batch_size=64)
        assert int(model.optimizer.iterations) == steps
        assert set(history) == {"loss", "accuracy"}


def test_train_steps_makes_the_updates_of_a_plain_fit_over_its_batches():
    # train_steps runs many batches per call into TensorFlow, in chunks of copied images;
    # 130 steps are 2 calls of 64 and a remainder of 2. The updates must be those of a plain
    # model.fit over the same batches.
    x, y = _digits(40)
    weights = []
    for fast in (True, False):
        set_seed(0)
        model = _small_classifier()
        if fast:
            experiments.train_steps(model, x, y, steps=130, batch_size=16, seed=3)
        else:
            order = batch_order(len(x), 130, 16, seed=3).ravel()
            model.fit(x[order], y[order], batch_size=16, shuffle=False, epochs=1, verbose=0)
        assert int(model.optimizer.iterations) == 130
        assert model.steps_per_execution == 1  # restored
        weights.append(model.get_weights())
    for fast, plain in zip(*weights):
        np.testing.assert_array_equal(fast, plain)


def test_train_steps_rejects_bad_budgets_and_uncompiled_models():
    x, y = _digits(10)
    with pytest.raises(ValueError, match="steps"):
        experiments.train_steps(_small_classifier(), x, y, steps=0, batch_size=4)
    with pytest.raises(TypeError, match="batch_size"):
        experiments.train_steps(_small_classifier(), x, y, steps=2, batch_size=4.5)
    uncompiled = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Flatten()])
    with pytest.raises(ValueError, match="compile"):
        experiments.train_steps(uncompiled, x, y, steps=2, batch_size=4)


def test_learning_curve_trains_a_fresh_model_per_subset(capsys):
    x, y = _digits(60)
    x_test, y_test = _digits(20, seed=1)
    subsets = [np.arange(10), np.arange(30), np.arange(60)]
    table, trained = experiments.learning_curve(
        _small_classifier, subsets, training_data=(x, y), test_data=(x_test, y_test),
        steps=3, batch_size=8,
    )
    assert tuple(table) == experiments.LEARNING_CURVE_KEYS
    assert table["size"] == [10, 30, 60] and table["steps"] == [3, 3, 3]
    assert len({id(model) for model in trained}) == 3
    assert [int(model.optimizer.iterations) for model in trained] == [3, 3, 3]
    assert all(0 <= a <= 1 for a in table["train_accuracy"] + table["test_accuracy"])
    assert capsys.readouterr().out.count("steps in") == 3
    assert "60" in experiments.format_learning_curve(table).splitlines()[-1]


def test_learning_curve_refuses_one_model_trained_on_and_on():
    x, y = _digits(20)
    shared = _small_classifier()
    with pytest.raises(ValueError, match="new keras.Model"):
        experiments.learning_curve(
            lambda: shared, [np.arange(10), np.arange(20)], training_data=(x, y),
            test_data=(x, y), steps=1, batch_size=4, verbose=0,
        )
    with pytest.raises(ValueError, match="integer positions"):
        experiments.learning_curve(
            _small_classifier, [np.ones(3)], training_data=(x, y), test_data=(x, y),
            steps=1, batch_size=4, verbose=0,
        )
