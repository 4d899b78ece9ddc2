"""set_seed makes runs repeatable; train is a thin record-keeping layer over model.fit."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from keras import layers

from cnnkit.training import TrainingRecord, set_seed, train


def tiny_model():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    return model


def tiny_data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, 3, size=n), 3)
    return x, y


def test_train_records_history_time_and_params():
    set_seed(0)
    x, y = tiny_data()
    record = train(tiny_model(), x, y, epochs=3, batch_size=16, validation_data=(x, y), verbose=0)
    assert isinstance(record, TrainingRecord)
    assert set(record.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 3 for values in record.history.values())
    assert record.params == 15 and record.epochs == 3 and record.batch_size == 16
    assert record.seconds > 0
    assert record.final("loss") == record.history["loss"][-1]
    with pytest.raises(KeyError, match="recorded"):
        record.final("precision")


def test_set_seed_makes_training_repeatable():
    x, y = tiny_data()
    losses = []
    for _ in range(2):
        set_seed(7)
        losses.append(train(tiny_model(), x, y, epochs=2, batch_size=16, verbose=0).history["loss"])
    assert losses[0] == losses[1]


def test_bad_arguments_raise_clear_errors():
    x, y = tiny_data()
    with pytest.raises(ValueError, match="compile"):
        train(keras.Sequential([keras.Input((4,)), layers.Dense(3)]), x, y, epochs=1, batch_size=8)
    with pytest.raises(ValueError, match="64 examples but y has 10"):
        train(tiny_model(), x, y[:10], epochs=1, batch_size=8)
    with pytest.raises(TypeError):
        train("model", x, y, epochs=1, batch_size=8)
    with pytest.raises(TypeError):
        set_seed("0")


def test_train_gives_exactly_what_model_fit_gives():
    # train runs many batches per call into TensorFlow; the training must not change
    x, y = tiny_data(200)  # 200 / 16: 12 full batches and a partial one
    runs = []
    for use_train in (True, False):
        set_seed(3)
        model = tiny_model()
        kwargs = dict(epochs=3, batch_size=16, validation_data=(x[:50], y[:50]), verbose=0)
        if use_train:
            history = train(model, x, y, **kwargs).history
        else:
            history = model.fit(x, y, **kwargs).history
        runs.append((history, [w.tolist() for w in model.get_weights()]))
    assert runs[0] == runs[1]


def test_train_restores_the_model_and_records_epoch_times():
    x, y = tiny_data()
    model = tiny_model()
    record = train(model, x, y, epochs=2, batch_size=16, verbose=0)
    assert len(record.epoch_seconds) == 2 and all(s > 0 for s in record.epoch_seconds)
    assert model.steps_per_execution == 1
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)  # still usable as compiled
    assert int(model.optimizer.iterations) == 3 * 4


def test_train_keeps_a_steps_per_execution_chosen_at_compile_time():
    x, y = tiny_data()
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="sgd", steps_per_execution=2)
    train(model, x, y, epochs=1, batch_size=16, verbose=0)
    assert model.steps_per_execution == 2



COUNT_RETRACING_WARNINGS = """
import logging, sys
import keras, numpy as np
from keras import layers
from cnnkit.training import RETRACING_WARNING, train

warnings = []
class Count(logging.Handler):
    def emit(self, record):
        warnings.append(RETRACING_WARNING in record.getMessage())
logging.getLogger("tensorflow").addHandler(Count())
x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
y = keras.utils.to_categorical(np.arange(32) % 3, 3)
def fresh():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="sgd")
    return model
for _ in range(7):
    if sys.argv[1] == "train":
        train(fresh(), x, y, epochs=1, batch_size=16, validation_data=(x, y), verbose=0)
    else:
        fresh().fit(x, y, epochs=1, batch_size=16, validation_data=(x, y), verbose=0)
print(sum(warnings))
"""


def retracing_warnings(how: str) -> int:
    """The retracing warnings of seven fresh models trained by `how` ("train" or "fit") in a
    new process (TensorFlow warns at most twice per process, so each count needs its own)."""
    done = subprocess.run([sys.executable, "-c", COUNT_RETRACING_WARNINGS, how], text=True,
                          capture_output=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.split()[-1])


@pytest.mark.slow  # starts TensorFlow in two new processes
def test_fresh_models_trained_by_train_raise_no_retracing_warning():
    """Seven fresh models in a row, as an experiment with one model per setting trains
    them: `train` shows no retracing warning, where plain `model.fit` does."""
    assert retracing_warnings("fit") > 0, "model.fit no longer warns: this test proves nothing"
    assert retracing_warnings("train") == 0
