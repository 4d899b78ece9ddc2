"""cnnkit.loading against the real MNIST and Fashion-MNIST files, offline."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from cnnkit import integrity, loading, sources
from cnnkit.paths import DATASETS, data_dir
from tests.conftest import corrupted, write_cache, write_idx_folder

# --- the real data ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", DATASETS)
def test_real_data_has_keras_shapes_dtypes_counts_and_checksum(real, name):
    (x_train, y_train), (x_test, y_test) = real[name]
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert x_train.min() == 0 and x_train.max() == 255
    assert np.bincount(y_train).tolist() == integrity.TRAIN_COUNTS[name]
    assert np.bincount(y_test).tolist() == integrity.TEST_COUNTS[name]
    assert integrity.checksum(real[name]) == integrity.SHA256[name]


def test_first_labels_are_the_original_order(real):
    (_, fashion_train), _ = real["fashion_mnist"]
    (_, mnist_train), (_, mnist_test) = real["mnist"]
    assert fashion_train[0] == 9
    assert mnist_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(mnist_train)[:2].tolist() == [5923, 6742]
    assert mnist_train[:5].tolist() == [5, 0, 4, 1, 9]


@pytest.mark.parametrize("name", DATASETS)
def test_cached_load_takes_at_most_half_a_second(real, name):
    first, again = [], []
    for _ in range(3):  # best of three: the machine may be busy with other work
        loading._verified.clear()
        start = time.perf_counter()
        loading.load_dataset(name)  # reads and verifies (sha256) the cache
        first.append(time.perf_counter() - start)
        start = time.perf_counter()
        loading.load_dataset(name)  # reads it only
        again.append(time.perf_counter() - start)
    assert min(first) <= 0.5, f"first cached load took {min(first):.2f} s"
    assert min(again) <= 0.5, f"repeated cached load took {min(again):.2f} s"


def test_repeated_loads_hash_the_cache_only_once(real, monkeypatch):
    calls = []
    monkeypatch.setattr(integrity, "checksum",
                        lambda dataset: calls.append(1) or integrity.SHA256["mnist"])
    loading._verified.clear()
    for _ in range(3):
        loading.load_dataset("mnist")
    assert len(calls) == 1


def test_loaded_arrays_are_writable_copies(real):
    (x_train, _), _ = loading.load_dataset("fashion_mnist")
    x_train[0, 0, 0] += 1  # a student's in-place edit changes only their copy
    (again, _), _ = loading.load_dataset("fashion_mnist")
    assert again[0, 0, 0] == real["fashion_mnist"][0][0][0, 0, 0]


# --- sources, corruption and errors --------------------------------------------------------------

def test_builds_cache_from_keras_layout_files(real, offline):
    write_idx_folder(offline / "fashion-mnist", real["fashion_mnist"])
    write_cache(offline / "mnist.npz", real["mnist"])  # Keras's mnist.npz has the same four keys
    for name in DATASETS:
        dataset, origin = loading._load(name)
        assert str(offline) in origin and integrity.checksum(dataset) == integrity.SHA256[name]
        assert loading.cache_path(name).is_file()
        assert loading._load(name)[1].startswith("cache ")


@pytest.mark.parametrize("how", ["pixel", "shape", "labels", "garbage"])
def test_corrupt_cache_without_sources_says_what_to_do(real, offline, how):
    path = loading.cache_path("fashion_mnist")
    if how == "garbage":
        path.parent.mkdir(parents=True)
        path.write_bytes(os.urandom(1000))
    else:
        write_cache(path, corrupted(real["fashion_mnist"], how))
    with pytest.raises(integrity.DataIntegrityError) as error:
        loading.load_dataset("fashion_mnist")
    message = str(error.value)
    assert str(path) in message and "corrupt" in message and "make data" in message


def test_corrupt_cache_is_rebuilt_from_raw_files(real, offline):
    write_idx_folder(offline / "fashion-mnist", real["fashion_mnist"])
    path = loading.cache_path("fashion_mnist")
    write_cache(path, corrupted(real["fashion_mnist"], "pixel"))
    expected = integrity.SHA256["fashion_mnist"]
    assert integrity.checksum(loading.load_dataset("fashion_mnist")) == expected
    loading._verified.clear()
    assert integrity.checksum(loading._read_cache("fashion_mnist", path)) == expected


def test_source_with_wrong_data_is_rejected(real, offline):
    write_cache(offline / "mnist.npz", corrupted(real["mnist"], "pixel"))
    with pytest.raises(loading.DatasetNotFoundError, match="sha256 mismatch"):
        loading.load_dataset("mnist")
    assert not loading.cache_path("mnist").exists()


@pytest.mark.parametrize("name", DATASETS)
def test_no_source_error_lists_every_source_and_the_command(offline, name):
    with pytest.raises(FileNotFoundError) as error:
        loading.load_dataset(name)
    message = str(error.value)
    for source in sources.sources(name, offline):
        assert source.description in message
    assert str(loading.cache_path(name)) in message
    assert "make data" in message and "python -m cnnkit.data fetch" in message


# --- helpers that need no real data --------------------------------------------------------------

def test_data_dir_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNKIT_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path
    assert loading.cache_path("mnist") == tmp_path / "cnnkit" / "mnist.npz"
    monkeypatch.delenv("CNNKIT_DATA_DIR")
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data_dir() == tmp_path / ".keras" / "datasets"


def test_class_names():
    assert loading.class_names("fashion_mnist") == [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    assert loading.class_names("mnist") == [str(i) for i in range(10)]
    loading.class_names("mnist").append("oops")  # a caller's list is their own
    assert len(loading.class_names("mnist")) == 10


def test_unknown_dataset_name_is_a_value_error():
    with pytest.raises(ValueError, match="fashion_mnist"):
        loading.load_dataset("cifar10")
    with pytest.raises(ValueError):
        loading.class_names("fashion-mnist")
