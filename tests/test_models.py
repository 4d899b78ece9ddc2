"""Model builders give the reference architectures."""

from cnnkit import models
from cnnkit.architecture import layer_table
from cnnkit.grading import SIMPLE_CNN


def test_simple_cnn_is_the_reference():
    model = models.simple_cnn()
    assert layer_table(model) == SIMPLE_CNN
    assert model.count_params() == 54410
