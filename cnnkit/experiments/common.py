"""What the experiments of several assignments share.

`_pair` unpacks and checks a `(images, labels)` pair given as an argument;
`_accuracy` measures the fraction of images that a model classifies correctly.
"""

from __future__ import annotations

import keras
import numpy as np

from cnnkit.training import no_retracing_warning


def _pair(data, what: str) -> tuple:
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{what} must be a pair (images, labels), e.g. {what}=(x, y), with "
                        "the labels as the notebook prepared them (integers or one-hot rows)")
    return data[0], data[1]


def _accuracy(model: keras.Model, x, y) -> float:
    """Fraction of the images `x` classified correctly; `y` holds labels or one-hot rows."""
    y = np.asarray(y)
    labels = y.argmax(axis=1) if y.ndim == 2 else y
    with no_retracing_warning():
        predicted = np.asarray(model.predict(x, batch_size=1000, verbose=0)).argmax(axis=1)
    return float(np.mean(predicted == labels))
