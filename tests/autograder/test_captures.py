"""autograder.sandbox.captures: the hand-off of captures from the kernel to the clean room."""

from __future__ import annotations

import os

from autograder.sandbox.captures import clear_capture, seal_capture


def test_seal_moves_regular_files_whole_and_drops_links(tmp_path):
    (tmp_path / "sealed").mkdir()
    folder = tmp_path / "capture" / "test_a"
    folder.mkdir(parents=True)
    (folder / "model.keras").write_text("weights")
    os.symlink("/etc/passwd", folder / "log.json")
    seal_capture(tmp_path, "test_a")
    assert sorted(p.name for p in (tmp_path / "sealed").iterdir()) == ["test_a"]  # no partial
    assert [p.name for p in (tmp_path / "sealed" / "test_a").iterdir()] == ["model.keras"]
    assert not folder.exists()


def test_seal_without_a_capture_leaves_nothing_and_clear_empties(tmp_path):
    (tmp_path / "sealed").mkdir()
    seal_capture(tmp_path, "test_b")
    assert list((tmp_path / "sealed").iterdir()) == []
    (tmp_path / "capture" / "test_b").mkdir(parents=True)
    clear_capture(tmp_path, "test_b")
    assert not (tmp_path / "capture" / "test_b").exists()
