"""autograder.regrade: the dry run says whose result is stale, why, and the points at stake."""

import shutil

from autograder import provenance, results_folder
from autograder.regrade import describe, find_stale
from autograder.result import sha256
from tests.autograder.test_provenance import SOURCE, raised_threshold

FIXTURE = SOURCE / "00_fixture" / "fixture.ipynb"


def test_the_dry_run_names_the_changed_test_and_the_points_on_it(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    for student in ("ann", "bob", "cid"):
        shutil.copy(FIXTURE, subs / f"{student}.ipynb")
    now = provenance.current(SOURCE, "00_fixture")
    tests = [{"id": "test_trained", "points": 2.0, "max_points": 2.0, "status": "passed",
              "message": ""}]
    for student in ("ann", "bob"):
        results_folder.save(out, student, {
            "student": student, "status": "graded", "score": 5.0, "max_score": 5.0,
            "tests": tests, "sha256": sha256(FIXTURE), "provenance": now})
    assert list(find_stale(SOURCE, "00_fixture", subs, out)) == ["cid"]
    (subs / "bob.ipynb").write_text(FIXTURE.read_text() + " ")
    stale = find_stale(raised_threshold(tmp_path), "00_fixture", subs, out)
    assert sorted(stale) == ["ann", "bob", "cid"]
    assert list(stale["bob"].reasons) == ["notebook", "source"]
    report = describe(stale).splitlines()
    assert report[0].startswith("ann                  5/5 graded       score may change: source: ")
    assert report[0].endswith("tests changed: test_trained [now: test_trained 2/2]")
    assert report[2].startswith("cid                  no result        score may change: result:")


def test_the_dry_run_command_changes_nothing(tmp_path, capsys):
    from autograder.__main__ import main

    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    out.mkdir()
    shutil.copy(FIXTURE, subs / "ann.ipynb")
    assert main(["regrade", "00_fixture", str(subs), "--out", str(out), "--source", str(SOURCE),
                 "--dry-run"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"1 stale result(s) of 00_fixture in {out}"
    assert printed[1].startswith("ann                  no result")
    assert printed[-1] == "dry run: nothing was graded or changed"
    assert list(out.iterdir()) == []
