"""autograder.provenance: what a grade was computed from, and when a result is stale."""

import shutil

import pytest

from autograder import provenance
from tests.conftest import FILES, REPO

SOURCE = FILES / "fixture_course" / "source"
THRESHOLD = "assert np.mean(predicted == y_check) >= {},"


def raised_threshold(tmp_path, to: str = "0.95"):
    """A copy of the fixture course whose hidden test_trained asks for `to`, not 0.9."""
    copy = tmp_path / "source"
    shutil.copytree(SOURCE, copy)
    notebook = copy / "00_fixture" / "fixture.ipynb"
    text = notebook.read_text()
    assert text.count(THRESHOLD.format("0.9")) == 1
    notebook.write_text(text.replace(THRESHOLD.format("0.9"), THRESHOLD.format(to)))
    return copy


def test_the_source_digest_follows_the_assignment_not_its_place(tmp_path):
    now = provenance.current(SOURCE, "00_fixture")
    copy = tmp_path / "elsewhere"
    shutil.copytree(SOURCE, copy)
    assert provenance.current(copy, "00_fixture") == now
    assert set(now) == {"source", "tests", "grader", "packages"}
    assert set(now["tests"]) == {"test_squares", "test_model", "test_trained", "relu_answer"}
    assert set(now["packages"]) == {"tensorflow", "keras", "nbgrader", "numpy", "cnnkit"}
    with pytest.raises(ValueError, match="no assignment 'nope'"):
        provenance.source_digest(SOURCE, "nope")


def test_a_threshold_change_makes_results_stale_and_names_the_test(tmp_path):
    before = provenance.current(SOURCE, "00_fixture")
    after = provenance.current(raised_threshold(tmp_path), "00_fixture")
    assert after["source"] != before["source"] and after["grader"] == before["grader"]
    changed = provenance.differences(before, after)
    assert list(changed) == ["source"]
    assert changed["source"].endswith("tests changed: test_trained")
    result = {"status": "graded", "sha256": "a" * 64, "provenance": before}
    assert provenance.stale_reasons(result, "a" * 64, before) == {}
    assert list(provenance.stale_reasons(result, "a" * 64, after)) == ["source"]
    assert list(provenance.stale_reasons(result, "b" * 64, after)) == ["notebook", "source"]


def test_missing_results_grader_failures_and_old_results_are_stale():
    now = provenance.current(SOURCE, "00_fixture")
    assert provenance.stale_reasons(None, "a" * 64, now) == {"result": "no result yet"}
    failed = {"status": "error", "sha256": "a" * 64, "provenance": now}
    assert list(provenance.stale_reasons(failed, "a" * 64, now)) == ["result"]
    assert provenance.stale_reasons(failed, "a" * 64, now, retry_errors=False) == {}
    old = {"status": "graded", "sha256": "a" * 64}
    assert "no provenance" in provenance.stale_reasons(old, "a" * 64, now)["source"]


def test_package_and_grader_changes_are_named():
    now = provenance.current(SOURCE, "00_fixture")
    then = {**now, "grader": "0.0.9+0000000000000000",
            "packages": {**now["packages"], "keras": "3.0.0"}}
    changed = provenance.differences(then, now)
    assert changed["grader"] == f"0.0.9+0000000000000000 -> {now['grader']}"
    assert changed["packages"] == f"keras 3.0.0 -> {now['packages']['keras']}"


def test_the_grader_version_ignores_presentation_code(tmp_path, monkeypatch):
    copy = tmp_path / "autograder"
    shutil.copytree(REPO / "autograder", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(provenance, "AUTOGRADER", copy)
    version = provenance.grader_version()
    assert version == provenance.grader_version()
    (copy / "report.py").write_text((copy / "report.py").read_text() + "\n# a new column\n")
    (copy / "commands" / "batch.py").write_text("# rewritten\n")
    assert provenance.grader_version() == version
    (copy / "pipeline.py").write_text((copy / "pipeline.py").read_text() + "\n# changed\n")
    assert provenance.grader_version() != version
