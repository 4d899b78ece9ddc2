"""Student-facing checks pass on right answers and name the fix on wrong ones."""

import re

import keras
import numpy as np
import pytest
from keras import layers

from cnnkit import checks, models
from cnnkit.grading import SIMPLE_CNN


def test_model_input_accepts_prepared_images(capsys):
    checks.check_model_input(np.zeros((5, 28, 28, 1), dtype="float32"), 5)
    assert "OK" in capsys.readouterr().out


def test_model_input_accepts_images_prepared_as_tensors(capsys):
    import tensorflow as tf

    x = np.random.default_rng(0).integers(0, 256, (5, 28, 28)).astype("uint8")
    prepared = tf.cast(tf.expand_dims(x, -1), tf.float32) / 255
    checks.check_model_input(prepared, 5, original=x)
    assert "OK" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="expected a NumPy array, got str"):
        checks.check_model_input("images", 5)


@pytest.mark.parametrize(
    ("images", "hint"),
    [
        (np.zeros((5, 28, 28), dtype="float32"), "reshape to (N, 28, 28, 1)"),
        (np.zeros((5, 28, 28, 1), dtype="uint8"), "astype('float32')"),
        (np.full((5, 28, 28, 1), 255, dtype="float32"), "divide the pixel values by 255"),
        (np.zeros((4, 28, 28, 1), dtype="float32"), "expected (5, 28, 28, 1)"),
    ],
)
def test_model_input_failures_name_the_fix(images, hint):
    with pytest.raises(AssertionError, match=hint.replace("(", r"\(").replace(")", r"\)")):
        checks.check_model_input(images, 5)


def test_model_input_compares_with_the_original_pixels():
    original = np.random.default_rng(0).integers(0, 200, (5, 28, 28), dtype=np.uint8)
    checks.check_model_input(original.reshape(-1, 28, 28, 1).astype("float32") / 255, 5, original)
    per_image = original / original.max(axis=(1, 2), keepdims=True)
    with pytest.raises(AssertionError, match="not by its own maximum"):
        checks.check_model_input(per_image[..., None].astype("float32"), 5, original)


def test_one_hot():
    labels = np.array([9, 0, 3], dtype="uint8")
    checks.check_one_hot(keras.utils.to_categorical(labels, 10), labels)
    with pytest.raises(AssertionError, match="to_categorical"):
        checks.check_one_hot(labels, labels)
    with pytest.raises(AssertionError, match="column of that image's label"):
        checks.check_one_hot(keras.utils.to_categorical([0, 0, 0], 10), labels)


def test_architecture_hint_for_same_padding():
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    with pytest.raises(AssertionError) as error:
        checks.check_architecture(model, SIMPLE_CNN)
    message = str(error.value)
    assert "shrinks 28 to 26; did you set padding='same'?" in message
    assert "Your model:" in message


def test_architecture_hints_for_softmax_and_flatten():
    model = models.simple_cnn()
    model.layers[-1].activation = keras.activations.linear
    with pytest.raises(AssertionError, match="activation='softmax'"):
        checks.check_architecture(model, SIMPLE_CNN)
    no_flatten = keras.Sequential(
        [keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
         layers.Dense(10, activation="softmax")]
    )
    with pytest.raises(AssertionError, match="add layers.Flatten"):
        checks.check_architecture(no_flatten, SIMPLE_CNN)


def test_architecture_rejects_non_models():
    with pytest.raises(AssertionError, match="assign the model you built to `model`"):
        checks.check_architecture(None, SIMPLE_CNN)
    with pytest.raises(AssertionError, match="`mlp_model` is a NoneType"):
        checks.check_architecture(None, SIMPLE_CNN, name="mlp_model")


def _bn_cnn(relu_after_bn=True, bias=True, pool_last=False):
    """04's CNN; with `relu_after_bn=False` the ReLU sits in the convolutions, before BN;
    with `pool_last` each block pools after its ReLU (the same layers in another order)."""
    def block(filters):
        if pool_last:
            return [layers.Conv2D(filters, 5), layers.BatchNormalization(), layers.ReLU(),
                    layers.MaxPooling2D()]
        if relu_after_bn:
            return [layers.Conv2D(filters, 5, use_bias=bias), layers.MaxPooling2D(),
                    layers.BatchNormalization(), layers.Activation("relu")]
        return [layers.Conv2D(filters, 5, activation="relu"), layers.MaxPooling2D(),
                layers.BatchNormalization()]
    return keras.Sequential([keras.Input((28, 28, 1)), *block(16), *block(32), layers.Flatten(),
                             layers.Dense(10, activation="softmax")])


def test_architecture_hints_for_batch_normalization_models():
    from cnnkit.grading import LEARNING_CURVE_CNN

    checks.check_architecture(_bn_cnn(), LEARNING_CURVE_CNN)
    with pytest.raises(AssertionError, match="the activation comes after BatchNormalization"):
        checks.check_architecture(_bn_cnn(relu_after_bn=False), LEARNING_CURVE_CNN)
    with pytest.raises(AssertionError, match="leave use_bias at its default"):
        checks.check_architecture(_bn_cnn(bias=False), LEARNING_CURVE_CNN)
    with pytest.raises(AssertionError, match="the right layers in another order"):
        checks.check_architecture(_bn_cnn(pool_last=True), LEARNING_CURVE_CNN)


def test_architecture_check_refuses_an_activation_the_grader_cannot_load():
    """`tf.nn.softmax` gives the right layers, but is saved as code: the clean room refuses it."""
    import tensorflow as tf

    from cnnkit.grading import LEARNING_CURVE_CNN, check_model

    model = _bn_cnn()
    model.layers[-1].activation = tf.nn.softmax
    with pytest.raises(AssertionError, match='builtins.function.*\n.*activation="softmax"'):
        checks.check_architecture(model, LEARNING_CURVE_CNN, name="build_cnn()")
    check_model(model, LEARNING_CURVE_CNN)  # the clean room, not this, refuses it


def test_accuracy_check():
    checks.check_accuracy(0.9, 0.8)
    with pytest.raises(AssertionError, match="below the required 0.8000"):
        checks.check_accuracy(0.5, 0.8)
    with pytest.raises(AssertionError, match="0.8000: increase the budget$"):
        checks.check_accuracy(0.5, 0.8, hint="increase the budget")
    with pytest.raises(AssertionError, match="not a fraction"):
        checks.check_accuracy(85.0, 0.8)


# --- single-factor variants (assignment 02) -------------------------------------------

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
    table, trained = run(y_fit, test_data=(x_fit, y_fit))
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


# --- weight decay and replicated sweeps (assignment 03) ---------------------------------


def _wide_mlp(regularizers):
    stack = [keras.Input(shape=(28, 28, 1)), layers.Flatten()]
    for units, regularizer in zip((500, 300), regularizers):
        stack.append(layers.Dense(units, activation="relu", kernel_regularizer=regularizer))
    return keras.Sequential(stack + [layers.Dense(10, activation="softmax")])


@pytest.mark.parametrize(
    "regularizer",
    [
        lambda: keras.regularizers.L2(1e-4),
        lambda: keras.regularizers.l2(1e-4),
        lambda: keras.regularizers.L1L2(l2=1e-4),
    ],
)
def test_hidden_l2_accepts_equivalent_formulations(regularizer, capsys):
    checks.check_hidden_l2(_wide_mlp([regularizer(), regularizer()]), 1e-4)
    assert "OK: L2 factor 0.0001 on the 2 hidden layers" in capsys.readouterr().out


def test_hidden_l2_accepts_the_l2_string_only_for_its_default_factor():
    model = _wide_mlp(["l2", "l2"])
    checks.check_hidden_l2(model, 0.01)
    with pytest.raises(AssertionError, match='the string "l2" means the default factor 0.01'):
        checks.check_hidden_l2(model, 1e-4)


@pytest.mark.parametrize(
    ("regularizers", "message"),
    [
        ([None, None], "hidden layer 1 (500 units) has no L2 weight decay"),
        ([keras.regularizers.L2(1e-4), None], "hidden layer 2 (300 units) has no L2"),
        ([keras.regularizers.L1(1e-4)] * 2, "has no L2 weight decay"),
        ([keras.regularizers.L1L2(l1=1e-5, l2=1e-4)] * 2, "also has an L1 penalty"),
        ([keras.regularizers.L2(1e-3)] * 2, "has L2 factor 0.001, expected 0.0001"),
    ],
)
def test_hidden_l2_names_the_layer_and_the_problem(regularizers, message):
    with pytest.raises(AssertionError, match=re.escape(message)):
        checks.check_hidden_l2(_wide_mlp(regularizers), 1e-4)


def test_hidden_l2_ignores_the_output_layer():
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(500, activation="relu", kernel_regularizer=keras.regularizers.L2(1e-5)),
        layers.Dense(10, activation="softmax", kernel_regularizer=keras.regularizers.L2(1e-2)),
    ])
    checks.check_hidden_l2(model, 1e-5)


def test_log_spaced_check_explains_linear_spacing(capsys):
    checks.check_log_spaced(np.logspace(-6, -3, 5), 1e-6, 1e-3, 5)
    checks.check_log_spaced([1e-6, 10 ** -5.25, 10 ** -4.5, 10 ** -3.75, 1e-3], 1e-6, 1e-3, 5)
    checks.check_log_spaced([1e-6, 5.6e-6, 3.2e-5, 1.8e-4, 1e-3], 1e-6, 1e-3, 5)  # the text's
    with pytest.raises(AssertionError, match="np.logspace"):
        checks.check_log_spaced([1e-6, 5e-6, 3e-5, 2e-4, 1e-3], 1e-6, 1e-3, 5)
    assert capsys.readouterr().out.count("OK") == 3
    with pytest.raises(AssertionError, match="linear scale"):
        checks.check_log_spaced(np.linspace(1e-6, 1e-3, 5), 1e-6, 1e-3, 5)
    with pytest.raises(AssertionError, match="there are 4 values"):
        checks.check_log_spaced(np.logspace(-6, -3, 4), 1e-6, 1e-3, 5)
    with pytest.raises(AssertionError, match="expected 1e-06, 5.62e-06"):
        checks.check_log_spaced(np.logspace(-5, -2, 5), 1e-6, 1e-3, 5)


def test_replicates_check():
    good = 0.97 + 0.001 * np.arange(15).reshape(3, 5)
    checks.check_replicates(good, (3, 5), 0.95)
    for results, message in [
        (good.T, "transpose it"),
        (100 * good, "fractions"),
        (np.where(good > 0.98, np.nan, good), "NaN"),
        (good - 0.5, "below the expected minimum 0.95"),
        (np.tile(good[0], (3, 1)), "its own seed"),
    ]:
        with pytest.raises(AssertionError, match=message):
            checks.check_replicates(results, (3, 5), 0.95)


# --- learning curves and standardisation (assignment 04) --------------------------------

LC_SIZES = [100, 300, 1000, 3000, 10000, 60000]


def _labels(n=60000):
    return (np.arange(n) * 7 % 10).astype(np.uint8)  # every class, in a mixed order


def _stratified(labels, n, seed=0):
    from cnnkit.data import subsample

    return subsample(np.arange(len(labels)), labels, n, seed=seed)[0]


def test_check_sizes_wants_six_log_spaced_sizes_from_100_to_60000(capsys):
    checks.check_sizes(LC_SIZES)
    checks.check_sizes([100, 250, 500, 1000, 5000, 60000])
    for bad, message in [
        ([100, 1000, 10000, 60000], "at least 6"),
        ([100, 300, 300, 3000, 10000, 60000], "increase"),
        ([200, 300, 1000, 3000, 10000, 60000], "from 200"),
        ([100, 12080, 24060, 36040, 48020, 60000], "not log-spaced"),
    ]:
        with pytest.raises(AssertionError, match=message):
            checks.check_sizes(bad)


def test_the_geomspace_hint_gives_sizes_that_subsample_accepts():
    from cnnkit.data import subsample

    with pytest.raises(AssertionError, match=re.escape(
            "np.geomspace(100, 60000, 6).round().astype(int)")):
        checks.check_sizes([100, 12080, 24060, 36040, 48020, 60000])
    sizes = np.geomspace(100, 60000, 6).round().astype(int)
    checks.check_sizes(sizes)
    labels = _labels()
    assert len(subsample(np.arange(len(labels)), labels, sizes[1])[0]) == sizes[1]
    with pytest.raises(TypeError, match=re.escape(".round().astype(int)")):
        subsample(np.arange(len(labels)), labels, np.geomspace(100, 60000, 6)[1])


def test_check_subsets_accepts_stratified_and_rejects_first_n():
    labels = np.sort(_labels())  # sorted by class: the first n images are all zeros
    checks.check_subsets([_stratified(labels, n) for n in LC_SIZES], labels)
    with pytest.raises(AssertionError, match="not stratified"):
        checks.check_subsets([np.arange(n) for n in LC_SIZES], labels)
    with pytest.raises(AssertionError, match="positions"):
        checks.check_subsets([np.linspace(0, 1, n) for n in LC_SIZES], labels)
    twice = [_stratified(labels, n) for n in LC_SIZES]
    twice[0][1] = twice[0][0]
    with pytest.raises(AssertionError, match="twice"):
        checks.check_subsets(twice, labels)


def _curve(**changes):
    table = {"size": LC_SIZES, "train_accuracy": [1.0] * 5 + [0.99],
             "test_accuracy": [0.83, 0.92, 0.96, 0.975, 0.987, 0.991], "steps": [1000] * 6,
             "batch_size": [128] * 6, "seconds": [20.0] * 6}
    table.update(changes)
    return table


def test_check_learning_curve_wants_one_budget_and_a_rising_curve():
    checks.check_learning_curve(_curve(), minimum=0.97)
    # the largest drop of the calibration runs (AVX2 kernels, seed 1): 0.9719 -> 0.9605
    checks.check_learning_curve(
        _curve(test_accuracy=[0.7916, 0.9027, 0.9551, 0.9668, 0.9719, 0.9605]))
    with pytest.raises(AssertionError, match="different budgets"):
        checks.check_learning_curve(_curve(steps=[1000] * 5 + [2000]))
    with pytest.raises(AssertionError, match="drops"):
        checks.check_learning_curve(_curve(test_accuracy=[0.83, 0.92, 0.96, 0.9, 0.98, 0.99]))
    with pytest.raises(AssertionError, match="hardly changes"):
        checks.check_learning_curve(_curve(test_accuracy=[0.98] * 6))
    with pytest.raises(AssertionError, match="below"):
        checks.check_learning_curve(_curve(), minimum=0.995)
    with pytest.raises(AssertionError, match="keys"):
        checks.check_learning_curve({"size": LC_SIZES})


def test_check_confusion_matrix_wants_rows_summing_to_one():
    counts = np.eye(10) * 95 + 0.5
    checks.check_confusion_matrix(counts / counts.sum(axis=1, keepdims=True))
    with pytest.raises(AssertionError, match="counts"):
        checks.check_confusion_matrix(counts)
    with pytest.raises(AssertionError, match="sum to 1"):
        checks.check_confusion_matrix(counts / counts.sum())
    with pytest.raises(AssertionError, match="shape"):
        checks.check_confusion_matrix(np.eye(9))


def test_check_standardization_catches_the_zero_std_trap():
    rng = np.random.default_rng(0)
    x_train = rng.random((200, 28, 28, 1), dtype=np.float32)
    x_train[:, 0, :, :] = 0  # a black border row: standard deviation 0
    x_test = rng.random((50, 28, 28, 1), dtype=np.float32)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    good = [(x - mean) / (std + 0.01) for x in (x_train, x_test)]
    checks.check_standardization(x_train, x_test, *good, mean, std, 0.01)
    checks.check_standardization(x_train, x_test, *good, mean, std, np.float32(0.01))
    with np.errstate(divide="ignore", invalid="ignore"):
        trap = [(x - mean) / std for x in (x_train, x_test)]
    with pytest.raises(AssertionError, match="NaN"):
        checks.check_standardization(x_train, x_test, *trap, mean, std, 0.01)
    both = np.concatenate([x_train, x_test])
    with pytest.raises(AssertionError, match="never on the test set"):
        checks.check_standardization(x_train, x_test, *good, both.mean(axis=0), std, 0.01)
    with pytest.raises(AssertionError, match="EPSILON"):
        checks.check_standardization(x_train, x_test, *good, mean, std, 0)
    with pytest.raises(AssertionError, match="axis=0"):
        checks.check_standardization(x_train, x_test, *good, mean.mean(), std, 0.01)


def test_check_standardization_catches_test_set_statistics():
    rng = np.random.default_rng(1)
    x_train = rng.random((200, 28, 28, 1), dtype=np.float32)
    x_train[:, 0, :, :] = 0
    x_test = rng.random((50, 28, 28, 1), dtype=np.float32) * 0.8  # another distribution
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    train_std = (x_train - mean) / (std + 0.01)
    floored = [(x - mean) / np.maximum(std, 0.01) for x in (x_train, x_test)]
    checks.check_standardization(x_train, x_test, *floored, mean, std, 0.01)
    own = (x_test - x_test.mean(axis=0)) / (x_test.std(axis=0) + 0.01)
    with pytest.raises(AssertionError, match="the test set's own statistics"):
        checks.check_standardization(x_train, x_test, train_std, own, mean, std, 0.01)
    with pytest.raises(AssertionError, match=re.escape(
            "x_test_std is not (x_test_prepared - pixel_mean) / (pixel_std + EPSILON)")):
        checks.check_standardization(x_train, x_test, train_std, (x_test - mean) / (std + 0.1),
                                     mean, std, 0.01)
    with pytest.raises(AssertionError, match="subtract pixel_mean"):
        checks.check_standardization(x_train, x_test, x_train / (std + 0.01),
                                     (x_test - mean) / (std + 0.01), mean, std, 0.01)


def test_check_fresh_builder_refuses_a_shared_model():
    model = models.simple_cnn()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(AssertionError, match="same model twice"):
        checks.check_fresh_builder(lambda: model, SIMPLE_CNN)

    def fresh():
        built = models.simple_cnn()
        built.compile(optimizer="sgd", loss="categorical_crossentropy")
        return built

    assert checks.check_fresh_builder(fresh, SIMPLE_CNN) is not None
    with pytest.raises(AssertionError, match="not compiled"):
        checks.check_fresh_builder(models.simple_cnn, SIMPLE_CNN)


# --- your own CNN (assignment 03) ------------------------------------------------------


def _small_convnet(*first):
    return keras.Sequential([keras.Input((28, 28, 1)), *first, layers.MaxPooling2D(),
                             layers.Flatten(), layers.Dense(10, activation="softmax")])


@pytest.mark.parametrize(
    "convolution",
    [lambda: layers.Conv2D(4, 3), lambda: layers.SeparableConv2D(4, 3),
     lambda: layers.DepthwiseConv2D(3, depth_multiplier=4)],
    ids=["Conv2D", "SeparableConv2D", "DepthwiseConv2D"],
)
def test_check_convnet_accepts_any_convolution(convolution, capsys):
    checks.check_convnet(_small_convnet(convolution()), 0.995, 0.99)
    assert "OK: test accuracy 0.9950" in capsys.readouterr().out


def test_check_convnet_names_the_mistakes(capsys):
    with pytest.raises(AssertionError, match="has no convolution layer"):
        checks.check_convnet(_small_convnet(), 0.995, 0.99)
    with pytest.raises(AssertionError, match="`conv_model` is a NoneType"):
        checks.check_convnet(None, 0.995, 0.99)
    with pytest.raises(AssertionError, match="train for more epochs"):
        checks.check_convnet(_small_convnet(layers.Conv2D(4, 3)), 0.985, 0.99)
    checks.check_convnet(_small_convnet(layers.Conv2D(4, 3)), 0.9905, 0.99)
    assert "Warning: 0.9905 is within 0.15 points" in capsys.readouterr().out


@pytest.mark.parametrize(
    "lambda_layer",
    [lambda: layers.Lambda(lambda x: x * 2), lambda: layers.Lambda(keras.activations.relu)],
    ids=["python lambda", "keras function"],
)
def test_check_gradable_rules_out_lambda_layers(lambda_layer):
    model = _small_convnet(lambda_layer(), layers.Conv2D(4, 3))
    with pytest.raises(AssertionError, match="layer 1 of `conv_model` is a Lambda layer"):
        checks.check_convnet(model, 0.995, 0.99)


class _Doubling(layers.Layer):
    def call(self, x):
        return 2 * x


def test_check_gradable_rules_out_layer_classes_of_ones_own(capsys):
    model = _small_convnet(_Doubling(), layers.Conv2D(4, 3))
    with pytest.raises(AssertionError, match="not part of Keras|cannot be loaded safely"):
        checks.check_gradable(model, "conv_model")
    checks.check_gradable(_small_convnet(layers.Rescaling(2.0), layers.Conv2D(4, 3)))
    assert "can be saved and loaded safely" in capsys.readouterr().out


def test_one_change_check_notices_an_edited_baseline():
    original = dict(models.SIMPLE_CNN_CONFIG)
    baseline = dict(original)
    variant = baseline  # the aliasing mistake: editing the "copy" edits the baseline
    variant["epochs"] = 6
    with pytest.raises(AssertionError, match=r"`baseline` has been changed \('epochs'\)"):
        checks.check_one_change_each(baseline, [variant], original=original)


class _FixedPredictions:
    """Stands in for a model: `predict` gives one-hot rows of the given predictions."""

    def __init__(self, predicted):
        self.predicted = predicted

    def predict(self, images, batch_size=None, verbose=0):
        return np.eye(10)[self.predicted[: len(images)]]


def test_check_confusion_matrix_compares_with_the_model(capsys):
    rng = np.random.default_rng(2)
    labels = np.repeat(np.arange(10), 50)
    predicted = np.where(rng.random(500) < 0.7, labels, rng.integers(0, 10, 500))
    model, images = _FixedPredictions(predicted), np.zeros((500, 28, 28, 1), np.float32)
    counts = np.bincount(labels * 10 + predicted, minlength=100).reshape(10, 10)
    right = counts / counts.sum(axis=1, keepdims=True)
    checks.check_confusion_matrix(right, model=model, images=images, labels=labels)
    assert "OK" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="not full_model's confusion matrix"):
        checks.check_confusion_matrix(right[::-1], model=model, images=images, labels=labels)
    swapped = counts.T / counts.T.sum(axis=1, keepdims=True)
    with pytest.raises(AssertionError, match="rows and columns are swapped"):
        checks.check_confusion_matrix(swapped, model=model, images=images, labels=labels)
