"""MNIST and Fashion-MNIST exactly as `keras.datasets` returns them, without internet.

    (x_train, y_train), (x_test, y_test) = load_dataset("fashion_mnist")
    x_train = to_model_input(x_train)  # (60000, 28, 28, 1) float32 in [0, 1]

This module is the command line, and one place to import the data functions from. They live
in `cnnkit.loading` (load, cache, fetch), `cnnkit.integrity` (checksum, verify) and
`cnnkit.preprocessing` (subsample, to_model_input, pixel_statistics).

The first load reads the raw files (see `cnnkit.sources`) and writes a fast cache,
`data_dir()/cnnkit/<name>.npz`. Later loads read the cache in a fraction of a second and check
it, once per process, against checksums of the real data. `make data` (that is,
`python -m cnnkit.data fetch`) puts the raw files in place; `python -m cnnkit.data info` shows
what is where.
"""

from __future__ import annotations

import argparse
import sys

from cnnkit import sources
from cnnkit.integrity import (
    SHA256,
    TEST_COUNTS,
    TRAIN_COUNTS,
    DataIntegrityError,
    checksum,
    verify,
)
from cnnkit.loading import (
    CLASS_NAMES,
    FETCH_HINT,
    DatasetNotFoundError,
    _read_cache,
    cache_path,
    class_names,
    fetch,
    load_dataset,
)
from cnnkit.paths import DATASETS, data_dir
from cnnkit.preprocessing import pixel_statistics, subsample, to_model_input
from cnnkit.sources import Dataset

__all__ = [
    "CLASS_NAMES", "DATASETS", "FETCH_HINT", "SHA256", "TEST_COUNTS", "TRAIN_COUNTS",
    "DataIntegrityError", "Dataset", "DatasetNotFoundError", "cache_path", "checksum",
    "class_names", "data_dir", "fetch", "info", "load_dataset", "main", "pixel_statistics",
    "subsample", "to_model_input", "verify",
]


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


if __name__ == "__main__":
    sys.exit(main())
