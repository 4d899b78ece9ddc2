"""Which weights the kit's training helpers produced: a log for the hidden tests.

`cnnkit.train` and `cnnkit.experiments.train_steps` (and so every experiment built on
them) add one entry to this log when they return: the fingerprint of the model's
weights before and after training, and the number of weight updates the optimizer has
made, and the fingerprint of the training data. A hidden test that scores a trained model
checks that the model's weights are exactly weights that training produced here, so a
model swapped in after training, or weights set by hand, earn no accuracy points; where a
notebook prescribes the training data, it also checks that the run trained on it.

    before = cnnkit.provenance.fingerprint(model)   # a short hex string
    ...
    cnnkit.provenance.training_log()[-1]
    # {'helper': 'cnnkit.train', 'before': '3f1c...', 'after': '9a07...', 'steps': 860,
    #  'data': '5be2...'}
"""

from __future__ import annotations

import copy
import hashlib

import keras
import numpy as np

_LOG: list[dict] = []


def fingerprint(model: keras.Model) -> str:
    """A short hash of all of `model`'s weights (trainable and not), in the model's order.

    Equal weights give equal fingerprints, also after `model.save` and
    `keras.saving.load_model`; any change to any weight gives another one.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"expected a keras.Model, got {type(model).__name__}")
    digest = hashlib.sha256()
    for weights in model.get_weights():
        weights = np.ascontiguousarray(weights)
        digest.update(f"{weights.dtype.str}{weights.shape}".encode())
        digest.update(weights.tobytes())
    return digest.hexdigest()[:32]


def data_fingerprint(x, y) -> str:
    """A short hash of training data: images `x` and labels `y`, their shapes, types and values.

    The same arrays give the same fingerprint in any process: the grader computes the
    fingerprint of the training set a notebook prescribes, and compares it with the runs'.
    """
    digest = hashlib.sha256()
    for array in (x, y):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.data)
    return digest.hexdigest()[:32]


def record_training(model: keras.Model, before: str, helper: str, data: str | None = None) -> dict:
    """Add to the log that `helper` trained `model`, whose fingerprint was `before`, on the
    training data whose `data_fingerprint` is `data`."""
    optimizer = getattr(model, "optimizer", None)
    entry = {
        "helper": helper,
        "before": before,
        "after": fingerprint(model),
        "steps": int(optimizer.iterations) if optimizer is not None else 0,
        "data": data,
    }
    _LOG.append(entry)
    return dict(entry)


def training_log() -> list[dict]:
    """A copy of the log: one dict per training run, oldest first."""
    return copy.deepcopy(_LOG)
