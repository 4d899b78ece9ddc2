"""Whether the grader can load a model safely (cnnkit.checks.gradable)."""

import keras
import pytest
from keras import layers

from cnnkit import checks
from tests.checks.helpers import small_convnet


@pytest.mark.parametrize(
    "lambda_layer",
    [lambda: layers.Lambda(lambda x: x * 2), lambda: layers.Lambda(keras.activations.relu)],
    ids=["python lambda", "keras function"],
)
def test_check_gradable_rules_out_lambda_layers(lambda_layer):
    model = small_convnet(lambda_layer(), layers.Conv2D(4, 3))
    with pytest.raises(AssertionError, match="layer 1 of `conv_model` is a Lambda layer"):
        checks.check_convnet(model, 0.995, 0.99)


class _Doubling(layers.Layer):
    def call(self, x):
        return 2 * x


def test_check_gradable_rules_out_layer_classes_of_ones_own(capsys):
    model = small_convnet(_Doubling(), layers.Conv2D(4, 3))
    with pytest.raises(AssertionError, match="not part of Keras|cannot be loaded safely"):
        checks.check_gradable(model, "conv_model")
    checks.check_gradable(small_convnet(layers.Rescaling(2.0), layers.Conv2D(4, 3)))
    assert "can be saved and loaded safely" in capsys.readouterr().out
