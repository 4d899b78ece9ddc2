"""The scored model is one the notebook trained, on the prescribed data (cnnkit.grading.trained)."""

import keras

from cnnkit import grading


def test_trusted_fit_data_is_what_the_02_notebook_trains_on():
    from cnnkit import to_model_input
    from cnnkit.grading.trained import trusted_fit_data
    from cnnkit.provenance import data_fingerprint

    (x_train, y_train), _ = grading.load_dataset("fashion_mnist")
    x_fit = to_model_input(x_train)[:30000]  # as the 02 notebook's data cell prepares them
    y_fit = keras.utils.to_categorical(y_train, 10)[:30000]
    assert trusted_fit_data("fashion_mnist", 30000) == data_fingerprint(x_fit, y_fit)
