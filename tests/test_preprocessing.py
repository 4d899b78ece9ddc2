"""cnnkit.preprocessing: subsets that keep class shares, model input, per-pixel standardisation."""

from __future__ import annotations

import numpy as np
import pytest

from cnnkit import preprocessing

IMBALANCED = np.repeat(np.arange(4), [500, 300, 150, 50])  # 1000 labels, shares .5 .3 .15 .05


def test_subsample_keeps_class_proportions():
    x = np.arange(len(IMBALANCED))
    x_sub, y_sub = preprocessing.subsample(x, IMBALANCED, 100, seed=1)
    assert np.bincount(y_sub).tolist() == [50, 30, 15, 5]
    assert np.array_equal(IMBALANCED[x_sub], y_sub)  # images stay with their labels
    assert np.all(np.diff(x_sub) > 0)  # original order, no duplicates


@pytest.mark.parametrize("n", [4, 5, 7, 13, 99, 101, 333, 999, 1000])
def test_subsample_sizes_are_exact_and_every_class_is_present(n):
    _, y_sub = preprocessing.subsample(np.zeros((1000, 2, 2)), IMBALANCED, n)
    counts = np.bincount(y_sub, minlength=4)
    assert counts.sum() == n and counts.min() >= 1
    if n >= 10:  # below that, keeping every class present outweighs the proportions
        assert np.all(np.abs(counts - np.array([500, 300, 150, 50]) * n / 1000) < 1)


def test_subsample_keeps_a_tiny_class():
    labels = np.array([0] * 990 + [1] * 5 + [2] * 5)
    _, y_sub = preprocessing.subsample(labels, labels, 3)
    assert sorted(y_sub.tolist()) == [0, 1, 2]


def test_subsample_is_seeded():
    x = np.arange(len(IMBALANCED))
    first, _ = preprocessing.subsample(x, IMBALANCED, 50, seed=3)
    again, _ = preprocessing.subsample(x, IMBALANCED, 50, seed=3)
    other, _ = preprocessing.subsample(x, IMBALANCED, 50, seed=4)
    assert np.array_equal(first, again) and not np.array_equal(first, other)


def test_subsample_accepts_one_hot_labels():
    one_hot = np.eye(4, dtype=np.float32)[IMBALANCED]
    x = np.arange(len(IMBALANCED))
    x_sub, y_sub = preprocessing.subsample(x, one_hot, 20, seed=0)
    assert y_sub.shape == (20, 4)
    assert np.bincount(y_sub.argmax(axis=1)).tolist() == [10, 6, 3, 1]
    assert np.array_equal(x_sub, preprocessing.subsample(x, IMBALANCED, 20, seed=0)[0])


def test_subsample_rejects_bad_arguments():
    x = np.arange(len(IMBALANCED))
    with pytest.raises(ValueError, match="between"):
        preprocessing.subsample(x, IMBALANCED, 1001)
    with pytest.raises(ValueError, match="between"):
        preprocessing.subsample(x, IMBALANCED, 3)
    with pytest.raises(ValueError, match="same length"):
        preprocessing.subsample(x[:10], IMBALANCED, 5)
    with pytest.raises(TypeError, match="integer"):
        preprocessing.subsample(x, IMBALANCED, 10.0)


def test_to_model_input_shape_dtype_and_range():
    images = np.zeros((3, 28, 28), np.uint8)
    images[0, 0, 0], images[1, 5, 5] = 255, 51
    out = preprocessing.to_model_input(images)
    assert out.shape == (3, 28, 28, 1) and out.dtype == np.float32
    assert out.min() == 0.0 and out.max() == 1.0 and out[1, 5, 5, 0] == pytest.approx(0.2)
    assert np.array_equal(preprocessing.to_model_input(images[..., np.newaxis]), out)


@pytest.mark.parametrize("bad, error, text", [
    ([[0] * 28] * 28, TypeError, "NumPy array"),
    (np.zeros((2, 28, 28), np.float32), TypeError, "already scaled"),
    (np.zeros((2, 784), np.uint8), ValueError, "28, 28"),
    (np.zeros((2, 28, 28, 3), np.uint8), ValueError, "28, 28"),
    (np.zeros((28, 28), np.uint8), ValueError, "np.newaxis"),
])
def test_to_model_input_rejects_wrong_input(bad, error, text):
    with pytest.raises(error, match=text):
        preprocessing.to_model_input(bad)


# --- per-pixel standardisation (assignment 04) ------------------------------------------


def test_pixel_statistics_match_numpy_and_keep_the_image_shape():
    rng = np.random.default_rng(0)
    x = rng.random((25_001, 4, 4, 1)).astype(np.float32)  # more than one chunk
    mean, std = preprocessing.pixel_statistics(x)
    assert mean.shape == std.shape == (4, 4, 1) and mean.dtype == np.float32
    assert np.allclose(mean, x.astype(np.float64).mean(axis=0), atol=1e-6)
    assert np.allclose(std, x.astype(np.float64).std(axis=0), atol=1e-6)
    with pytest.raises(ValueError):
        preprocessing.pixel_statistics(np.zeros((1, 4, 4, 1)))

