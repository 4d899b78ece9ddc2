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


def test_batch_refuses_a_bad_index_or_a_stale_plan_before_grading(tmp_path, capsys,
                                                                  monkeypatch):
    from autograder.__main__ import main
    from tests.autograder.test_provenance import SOURCE, raised_threshold

    subs, plan = tmp_path / "subs", tmp_path / "plan.json"
    subs.mkdir()
    for student in ("ann", "bob"):
        (subs / f"{student}.ipynb").write_text("{}")
    common = ["00_fixture", str(subs), "--out", str(tmp_path / "out"), "--source", str(SOURCE)]
    assert main(["batch", *common, "--index", "0"]) == 1
    assert "--index and --of need --plan" in capsys.readouterr().err
    assert main(["plan", "00_fixture", str(subs), "--out", str(plan), "--source",
                 str(SOURCE)]) == 0
    for variable in ("JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"):
        monkeypatch.delenv(variable, raising=False)
    assert main(["batch", *common, "--plan", str(plan)]) == 1
    assert "refusing to grade: no index: pass --index K" in capsys.readouterr().err
    monkeypatch.setenv("SLURM_ARRAY_TASK_ID", "2")
    assert main(["batch", *common, "--plan", str(plan)]) == 1
    assert "index 2 is outside 0..1" in capsys.readouterr().err
    (subs / "bob.ipynb").write_text("{ }")
    assert main(["batch", *common, "--plan", str(plan), "--index", "1"]) == 1
    assert "the notebook of bob (bob.ipynb) changed since the plan" in capsys.readouterr().err
    changed = raised_threshold(tmp_path)
    common[-1] = str(changed)
    assert main(["batch", *common, "--plan", str(plan), "--index", "0"]) == 1
    assert "the plan is stale: source changed" in capsys.readouterr().err
    assert main(["merge", str(plan), str(tmp_path / "out"), "--out", str(tmp_path / "final"),
                 "--source", str(SOURCE)]) == 1
    assert "is not a folder of results" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() and not (tmp_path / "final").exists()
