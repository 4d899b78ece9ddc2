"""`import cnnkit` is cheap: TensorFlow and matplotlib load only when a name needs them."""

import os
import subprocess
import sys

import pytest

import cnnkit
from cnnkit import paths

HEAVY = ("tensorflow", "keras", "matplotlib")
REPORT = f"import sys; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"


def _heavy_modules_after(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", f"{code}\n{REPORT}"], capture_output=True,
                         text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip().splitlines()[-1]


def test_import_cnnkit_loads_neither_tensorflow_nor_matplotlib():
    assert _heavy_modules_after("import cnnkit; cnnkit.use_fast_settings") == "[]"


def test_a_name_that_needs_keras_loads_it():
    assert "'tensorflow'" in _heavy_modules_after("import cnnkit; cnnkit.set_seed")


@pytest.mark.skipif(not all(paths.cache_path(n).is_file() for n in paths.DATASETS),
                    reason="the dataset caches are not built (make data)")
def test_data_fetch_never_imports_tensorflow():
    code = ("import runpy, sys\nsys.argv = ['cnnkit.data', 'fetch']\n"
            "try:\n    runpy.run_module('cnnkit.data', run_name='__main__')\n"
            "except SystemExit as stop:\n    assert not stop.code, stop.code")
    assert _heavy_modules_after(code) == "[]"


def test_every_public_name_resolves():
    for name in cnnkit.__all__:
        assert getattr(cnnkit, name) is not None
    assert set(cnnkit.__all__) <= set(dir(cnnkit))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        cnnkit.nope  # noqa: B018
