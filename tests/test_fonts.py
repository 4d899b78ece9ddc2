"""Printed digits rendered MNIST-style from fonts that are always there (matplotlib's)."""

from __future__ import annotations

import numpy as np
import pytest

from cnnkit import fonts


def test_bundled_fonts_exist_and_some_draw_digits():
    paths = fonts.bundled_fonts()
    assert paths and all(path.is_file() for path in paths)
    usable = [path for path in paths if fonts.has_digits(path)]
    assert any(path.stem == "DejaVuSans" for path in usable)
    assert not any(path.stem in ("cmex10", "cmsy10") for path in usable)  # symbol fonts


def test_render_digits_looks_like_mnist():
    images, labels, names = fonts.render_digits()
    assert images.dtype == np.uint8 and images.shape[1:] == (28, 28)
    assert labels.dtype == np.uint8 and len(labels) == len(images) == len(names)
    assert np.bincount(labels, minlength=10).min() == np.bincount(labels).max()  # all digits
    assert len(set(names)) >= 10
    for image in images:
        rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
        assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 <= 20  # fits the 20x20 box
        weights = image.astype(float) / image.sum()
        centre = (weights.sum(axis=1) @ np.arange(28), weights.sum(axis=0) @ np.arange(28))
        assert np.allclose(centre, 13.5, atol=1.0)  # centre of mass in the middle


def test_render_digits_selects_fonts_and_digits():
    dejavu = [p for p in fonts.bundled_fonts() if p.stem == "DejaVuSans"]
    images, labels, names = fonts.render_digits(dejavu, digits=[3, 7])
    assert labels.tolist() == [3, 7] and names == ["DejaVuSans", "DejaVuSans"]
    with pytest.raises(ValueError, match="between 0 and 9"):
        fonts.render_digits(dejavu, digits=[10])
    with pytest.raises(ValueError, match="no font file"):
        fonts.render_digits(["/nonexistent/font.ttf"])
    symbols = [p for p in fonts.bundled_fonts() if p.stem == "cmsy10"]
    with pytest.raises(ValueError, match="none of the fonts"):
        fonts.render_digits(symbols)


def test_mnist_style_rejects_an_empty_glyph():
    with pytest.raises(ValueError, match="empty"):
        fonts.mnist_style(np.zeros((50, 50)))
    image = fonts.mnist_style(np.pad(np.ones((40, 10)) * 255, 30))
    assert image.shape == (28, 28) and image.max() > 200
