"""Is a dataset exactly the real MNIST or Fashion-MNIST? `verify` answers, or raises.

    verify("mnist", load_dataset("mnist"))  # silent: these are the real arrays

The facts it checks were measured once from the original files: the shapes and dtypes
Keras gives, the number of images of each class, and a sha256 `checksum` of all the pixels
and labels. `cnnkit.loading` verifies every source it reads and its cache.
"""

from __future__ import annotations

import hashlib

import numpy as np

from cnnkit.sources import Dataset

# `checksum` of the real data, measured once from the original files (they match the published
# md5 sums of the uncompressed IDX files), and the number of images of each class.
SHA256 = {
    "mnist": "06b0d1f124c4e5fa796686ade41a9b778edacc8622f2195a352ef479ad44fc16",
    "fashion_mnist": "ca3ab2a37f845e1b8ae23cab1b51749a3011ba3bf1d9016176d75cbaabac376f",
}
TRAIN_COUNTS = {
    "mnist": [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    "fashion_mnist": [6000] * 10,
}
TEST_COUNTS = {
    "mnist": [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
    "fashion_mnist": [1000] * 10,
}


class DataIntegrityError(ValueError):
    """Arrays that are not exactly the real dataset: a corrupt cache or a bad source."""


def checksum(dataset: Dataset) -> str:
    """sha256 of the bytes of x_train, y_train, x_test and y_test, in that order."""
    digest = hashlib.sha256()
    for pair in dataset:
        for array in pair:
            digest.update(np.ascontiguousarray(array).data)
    return digest.hexdigest()


def verify(name: str, dataset: Dataset) -> None:
    """Raise DataIntegrityError unless `dataset` is exactly the real dataset `name`."""
    (x_train, y_train), (x_test, y_test) = dataset
    n_train, n_test = sum(TRAIN_COUNTS[name]), sum(TEST_COUNTS[name])
    expected = {"x_train": (x_train, (n_train, 28, 28)), "y_train": (y_train, (n_train,)),
                "x_test": (x_test, (n_test, 28, 28)), "y_test": (y_test, (n_test,))}
    for key, (array, shape) in expected.items():
        if array.dtype != np.uint8 or array.shape != shape:
            raise DataIntegrityError(
                f"{key} should be uint8 of shape {shape}, got {array.dtype} {array.shape}")
    for key, labels, counts in (("y_train", y_train, TRAIN_COUNTS[name]),
                                ("y_test", y_test, TEST_COUNTS[name])):
        if np.bincount(labels, minlength=10).tolist() != counts:
            raise DataIntegrityError(f"{key} does not have the expected number of each class")
    if checksum(dataset) != SHA256[name]:
        raise DataIntegrityError("the arrays differ from the real data (sha256 mismatch)")
