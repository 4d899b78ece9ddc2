"""cnnkit.integrity: the checksum and the checks that tell the real data from anything else."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from cnnkit import integrity
from cnnkit.paths import DATASETS
from tests.conftest import corrupted


def test_checksum_hashes_the_four_arrays_in_order():
    x = np.arange(8, dtype=np.uint8).reshape(2, 4)
    y = np.array([1, 2], np.uint8)
    dataset = (x, y), (x[:, ::2], y[:1])  # a strided view is hashed as its contiguous copy
    expected = hashlib.sha256(x.tobytes() + y.tobytes() + x[:, ::2].tobytes() + y[:1].tobytes())
    assert integrity.checksum(dataset) == expected.hexdigest()
    assert integrity.checksum(((x, y[:1]), (x[:, ::2], y))) != expected.hexdigest()


@pytest.mark.parametrize("name", DATASETS)
def test_the_real_data_passes(real, name):
    assert integrity.verify(name, real[name]) is None
    assert integrity.checksum(real[name]) == integrity.SHA256[name]


@pytest.mark.parametrize("how, message", [
    ("pixel", "sha256 mismatch"),
    ("shape", r"x_test should be uint8 of shape \(10000, 28, 28\)"),
    ("labels", "y_test does not have the expected number of each class"),
])
def test_verify_says_what_is_wrong(real, how, message):
    with pytest.raises(integrity.DataIntegrityError, match=message):
        integrity.verify("mnist", corrupted(real["mnist"], how))


def test_verify_rejects_the_other_dataset(real):
    with pytest.raises(integrity.DataIntegrityError):
        integrity.verify("mnist", real["fashion_mnist"])
