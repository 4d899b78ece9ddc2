"""autograder.files: atomic writes."""

from __future__ import annotations

import json

from autograder import files


def test_write_atomic_replaces_whole_files(tmp_path):
    path = tmp_path / "a" / "r.json"
    files.write_json(path, {"a": 1})
    files.write_json(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2}
    assert [p.name for p in path.parent.iterdir()] == ["r.json"]
