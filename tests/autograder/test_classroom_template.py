"""`python -m autograder classroom-template`: what Classroom copies to students, no hidden test."""

from __future__ import annotations

import zipfile

import yaml

from autograder.__main__ import main
from autograder.commands.classroom_template import hidden_content
from autograder.hidden import load_assignment
from tests.conftest import REPO


def test_the_template_has_notebook_workflow_and_kit_and_no_hidden_test(tmp_path, capsys):
    out = tmp_path / "template"
    assert main(["classroom-template", "01_simple_cnn", "--out", str(out)]) == 0, \
        capsys.readouterr().out
    notebook = REPO / "release" / "01_simple_cnn" / "simple_cnn.ipynb"
    assert (out / "simple_cnn.ipynb").read_bytes() == notebook.read_bytes()
    workflow = yaml.safe_load((out / ".github" / "workflows" / "classroom.yml").read_text())
    assert workflow["name"] == "Autograding Tests"
    (wheel,) = (out / ".kit").glob("cnnkit-*-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "autograder/commands/classroom.py" in names and "cnnkit/grading/__init__.py" in names
    assert not [n for n in names if n.startswith("source/") or n.endswith(".ipynb")]
    hidden = [t.hidden for t in load_assignment(REPO / "source", "01_simple_cnn").tests]
    assert hidden_content(out, hidden) == []


def test_a_hidden_region_anywhere_in_the_template_is_found(tmp_path):
    hidden = [t.hidden for t in load_assignment(REPO / "source", "01_simple_cnn").tests
              if t.hidden]
    (tmp_path / "notes.txt").write_text("copied by mistake:\n" + hidden[0])
    with zipfile.ZipFile(tmp_path / "kit.whl", "w") as wheel:
        wheel.writestr("source/01_simple_cnn/simple_cnn.ipynb", "{}")
    assert hidden_content(tmp_path, hidden) == ["kit.whl:source/01_simple_cnn/simple_cnn.ipynb",
                                                "notes.txt"]
