"""autograder.commands.batch: finding the submissions of a folder."""

import pytest

from autograder.commands.batch import discover, student_id


def test_batch_finds_both_layouts(tmp_path):
    (tmp_path / "ann" / "00_fixture").mkdir(parents=True)
    (tmp_path / "ann" / "00_fixture" / "fixture.ipynb").write_text("{}")
    (tmp_path / "ann" / "00_fixture" / "scratch.ipynb").write_text("{}")
    (tmp_path / "bob.ipynb").write_text("{}")
    (tmp_path / "c d").mkdir()
    (tmp_path / "c d" / "mine.ipynb").write_text("{}")
    (tmp_path / ".hidden").mkdir()
    found = discover(tmp_path, "00_fixture", "fixture.ipynb")
    assert {s: p.relative_to(tmp_path).as_posix() for s, p in found.items()} == {
        "ann": "ann/00_fixture/fixture.ipynb", "bob": "bob.ipynb", "c_d": "c d/mine.ipynb"}
    assert student_id("../../etc") == "_.._etc" and student_id("") == "student"
    (tmp_path / "ann.ipynb").write_text("{}")
    with pytest.raises(ValueError, match="two submissions for student 'ann'"):
        discover(tmp_path, "00_fixture", "fixture.ipynb")
