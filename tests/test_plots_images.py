"""cnnkit.plots.images: image grids, kernels and confusion matrices."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnkit.plots import images

pytestmark = pytest.mark.usefixtures("figures")


def test_image_grid_with_titles():
    axes = images.image_grid(np.zeros((10, 28, 28, 1)), titles=list("abcdefghij"))
    assert len(axes) == 10 and axes[9].get_title() == "j"
    with pytest.raises(ValueError, match="height, width"):
        images.image_grid(np.zeros((10, 784)))


def test_kernel_grid_shows_each_filter():
    kernels = np.random.default_rng(0).normal(size=(3, 3, 1, 32))
    axes = images.kernel_grid(kernels)
    assert len(axes) == 32
    assert np.array_equal(axes[5].images[0].get_array(), kernels[:, :, 0, 5])
    assert axes[5].get_title() == "5"
    with pytest.raises(ValueError, match="filters"):
        images.kernel_grid(np.zeros((3, 3, 32)))


def test_confusion_matrix_plot_writes_every_value():
    matrix = np.eye(3) * 0.9 + 0.05
    ax = images.confusion_matrix(matrix, ["a", "b", "c"])
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 9 and texts[0] == "0.95" and texts[1] == "0.05"
    counts = images.confusion_matrix(np.array([[5, 1], [0, 7]]))
    assert [t.get_text() for t in counts.texts] == ["5", "1", "0", "7"]
    plt.close("all")
    with pytest.raises(ValueError):
        images.confusion_matrix(np.ones((2, 3)))
