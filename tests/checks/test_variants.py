"""Assignment 02's checks: single-factor variants of a baseline (cnnkit.checks.variants)."""

import keras
import pytest

from cnnkit import checks, models

BASE02 = dict(models.SIMPLE_CNN_CONFIG, epochs=2)
METRICS = ("loss", "accuracy", "val_loss", "val_accuracy")
GOOD_VARIANTS = [
    dict(BASE02, optimizer="adam"),
    dict(BASE02, conv_blocks=2),
    dict(BASE02, activation="tanh"),
    dict(BASE02, epochs=3),
    dict(BASE02, batch_size=256),
]


def _results(variants, accuracies):
    from cnnkit.experiments import describe_change

    rows = []
    for index, (config, accuracy) in enumerate(zip([BASE02, *variants], accuracies)):
        aspect, value = describe_change(BASE02, config)
        epochs = config["epochs"]
        rows.append({
            "name": "baseline" if index == 0 else f"variant {index}", "aspect": aspect,
            "value": value, "test_accuracy": accuracy, "seconds": 1.5,
            "params": models.cnn_from_config(config).count_params(), "epochs": epochs,
            "history": {metric: [0.5] * epochs for metric in METRICS},
            "config": config,
        })
    return rows


def test_variant_checks_accept_five_single_changes(capsys):
    checks.check_variant_configs(GOOD_VARIANTS, minimum=5)
    checks.check_one_change_each(BASE02, GOOD_VARIANTS)
    checks.check_distinct_aspects(BASE02, GOOD_VARIANTS, minimum=5)
    out = capsys.readouterr().out
    assert "OK: 5 valid configurations" in out and "OK: 5 different aspects" in out


def test_variant_configs_check_counts_and_names_the_bad_variant():
    with pytest.raises(AssertionError, match="there are 4 variants; make at least 5"):
        checks.check_variant_configs(GOOD_VARIANTS[:4], minimum=5)
    bad = [*GOOD_VARIANTS[:4], dict(BASE02, epoch=3)]
    with pytest.raises(AssertionError, match=r"variant 5: unknown key 'epoch' \(did you mean"):
        checks.check_variant_configs(bad, minimum=5)
    with pytest.raises(AssertionError, match="must be a list"):
        checks.check_variant_configs(GOOD_VARIANTS[0])


def test_one_change_check_names_each_variant_that_changes_more_or_nothing():
    wrong = list(GOOD_VARIANTS)
    wrong[2] = dict(BASE02, epochs=3, optimizer="adam")
    wrong[4] = dict(BASE02)
    with pytest.raises(AssertionError) as error:
        checks.check_one_change_each(BASE02, wrong)
    message = str(error.value)
    assert "variant 3 changes both 'optimizer' and 'epochs'" in message
    assert "variant 5 is the same as the baseline" in message
    wrong[2] = dict(BASE02, epochs=3, optimizer="adam", dropout=0.2)
    with pytest.raises(AssertionError, match="variant 3 changes 3 aspects: 'dropout', "):
        checks.check_one_change_each(BASE02, wrong)


def test_distinct_aspects_check_names_repeats_and_counts():
    repeated = [*GOOD_VARIANTS[:4], dict(BASE02, optimizer="rmsprop")]
    with pytest.raises(AssertionError, match="variants 1 and 5 both change 'optimizer'"):
        checks.check_distinct_aspects(BASE02, repeated)
    with pytest.raises(AssertionError, match="change only 4 different aspects"):
        checks.check_distinct_aspects(BASE02, GOOD_VARIANTS[:4])
    # a variant that changes two aspects still counts both, once each
    two = [*GOOD_VARIANTS[:2], dict(BASE02, activation="tanh", dropout=0.2), *GOOD_VARIANTS[3:]]
    checks.check_distinct_aspects(BASE02, two)


def test_results_table_check_accepts_complete_and_names_gaps():
    table = _results(GOOD_VARIANTS, [0.8, 0.88, 0.79, 0.81, 0.83, 0.78])
    checks.check_results_table(table, BASE02, GOOD_VARIANTS)
    with pytest.raises(AssertionError, match="has 5 rows, expected 6"):
        checks.check_results_table(table[:5], BASE02, GOOD_VARIANTS)
    broken = [dict(row) for row in table]
    broken[3]["params"] = 1
    with pytest.raises(AssertionError, match="parameter count of variant 3"):
        checks.check_results_table(broken, BASE02, GOOD_VARIANTS)
    broken = [dict(row) for row in table]
    del broken[2]["seconds"]
    with pytest.raises(AssertionError, match="the row of variant 2 lacks 'seconds'"):
        checks.check_results_table(broken, BASE02, GOOD_VARIANTS)
    broken = [dict(row) for row in table]
    broken[4]["history"] = {"loss": [1.0]}
    with pytest.raises(AssertionError, match="history of variant 4 needs 3 values of 'loss'"):
        checks.check_results_table(broken, BASE02, GOOD_VARIANTS)
    with pytest.raises(AssertionError, match="row 2 is not variant 1"):
        checks.check_results_table(table, BASE02, GOOD_VARIANTS[::-1])
    broken = [dict(row) for row in table]
    broken[1]["value"] = "sgd"
    with pytest.raises(AssertionError, match="do not edit the table by hand; run run_variants"):
        checks.check_results_table(broken, BASE02, GOOD_VARIANTS)


def _tiny_variants():
    """02's baseline and an Adam variant for 1 epoch of 32, x_fit and y_fit the first 64
    Fashion-MNIST training images, and the test set: (base, variants, x_fit, y_fit, test)."""
    from cnnkit.data import load_dataset, to_model_input

    base = dict(models.SIMPLE_CNN_CONFIG, epochs=1, batch_size=32)
    (x_train, y_train), (x_test, y_test) = load_dataset("fashion_mnist")
    x_fit = to_model_input(x_train)[:64]
    y_fit = keras.utils.to_categorical(y_train, 10)[:64]
    test = (to_model_input(x_test), keras.utils.to_categorical(y_test, 10))
    return base, [dict(base, optimizer="adam")], x_fit, y_fit, test


@pytest.mark.slow  # six short trainings and six measurements on 10,000 images: about 13 s
def test_results_models_check_catches_the_wrong_training_data_before_the_hidden_test():
    """The visible check applies the hidden rules: the prescribed x_fit, y_fit (here the
    first 64 training images) and accuracies measured on the test set."""
    from cnnkit import experiments

    base, variants, x_fit, y_fit, test = _tiny_variants()

    def run(y, test_data=test):
        return experiments.run_variants(base, variants, training_data=(x_fit, y),
                                        validation_data=(x_fit, y), test_data=test_data,
                                        verbose=0)

    table, trained = run(y_fit)
    checks.check_results_models(table, trained, base, variants, "fashion_mnist", 64)
    table, trained = run(y_fit[::-1])
    with pytest.raises(AssertionError, match="trained on other data than x_fit and y_fit"):
        checks.check_results_models(table, trained, base, variants, "fashion_mnist", 64)
    # measured on one training image: 0 or 1, never what a model measures on the test set
    table, trained = run(y_fit, test_data=(x_fit[:1], y_fit[:1]))
    with pytest.raises(AssertionError, match="test accuracy of the baseline is reported"):
        checks.check_results_models(table, trained, base, variants, "fashion_mnist", 64)


@pytest.mark.slow  # trains several models: keeps `make test-fast` under 2 minutes
def test_results_models_check_catches_an_optimizer_or_loss_other_than_configured():
    """The visible check applies the hidden rule first: a model of the table compiled with
    SGD with momentum and Nesterov and a squared-error loss, trained the configured steps
    on x_fit, is not trained as its configuration says."""
    from cnnkit import experiments, train
    from cnnkit.grading import measure_test_accuracy

    base, variants, x_fit, y_fit, test = _tiny_variants()
    table, trained = experiments.run_variants(base, variants, training_data=(x_fit, y_fit),
                                              validation_data=(x_fit, y_fit), test_data=test,
                                              verbose=0)
    other = models.cnn_from_config(base)
    other.compile(loss="mse", optimizer=keras.optimizers.SGD(momentum=0.9, nesterov=True),
                  metrics=["accuracy"])
    train(other, x_fit, y_fit, epochs=1, batch_size=32, verbose=0)
    trained[0] = other
    table[0]["test_accuracy"] = measure_test_accuracy(other, "fashion_mnist")
    with pytest.raises(AssertionError, match="the model of the baseline was trained with SGD "
                                             "momentum=0.9, nesterov=True"):
        checks.check_results_models(table, trained, base, variants, "fashion_mnist", 64)


def test_improvement_check_refuses_a_baseline_below_what_its_configuration_reaches():
    """A sabotaged baseline (weights zeroed before training: 0.10) makes any variant look
    good. The visible check applies the hidden test's floor and says how to fix it."""
    table = _results(GOOD_VARIANTS, [0.10, 0.70, 0.69, 0.71, 0.72, 0.68])
    with pytest.raises(AssertionError, match=r"the baseline reaches 0\.1000 .* below 0\.72.*"
                                             r"train the baseline exactly as configured.*"
                                             r"run_variants"):
        checks.check_improvement(table, points=5)


def test_improvement_check_returns_best_single_change_variant():
    table = _results(GOOD_VARIANTS, [0.80, 0.86, 0.79, 0.81, 0.83, 0.78])
    assert checks.check_improvement(table, points=5) == 1
    table = _results(GOOD_VARIANTS, [0.80, 0.84, 0.79, 0.81, 0.83, 0.78])
    expected = r"variant 1 \(optimizer = adam\), reaches 0.8400: \+4.0 points"
    with pytest.raises(AssertionError, match=expected):
        checks.check_improvement(table, points=5)
    with pytest.raises(AssertionError, match="makes each weight update go further"):
        checks.check_improvement(table, points=5)
    double = [dict(BASE02, optimizer="adam", epochs=3), *GOOD_VARIANTS[1:]]
    table = _results(double, [0.80, 0.90, 0.79, 0.81, 0.86, 0.78])
    assert checks.check_improvement(table, points=5) == 4  # variant 1 changes two aspects


def test_a_gain_of_exactly_the_required_points_passes():
    """0.7905 - 0.7405 is 4.99999... in floating point: still 5 points."""
    table = _results(GOOD_VARIANTS, [0.7405, 0.7905, 0.74, 0.74, 0.74, 0.74])
    assert checks.check_improvement(table, points=5) == 1


def test_one_change_check_notices_an_edited_baseline():
    original = dict(models.SIMPLE_CNN_CONFIG)
    baseline = dict(original)
    variant = baseline  # the aliasing mistake: editing the "copy" edits the baseline
    variant["epochs"] = 6
    with pytest.raises(AssertionError, match=r"`baseline` has been changed \('epochs'\)"):
        checks.check_one_change_each(baseline, [variant], original=original)
