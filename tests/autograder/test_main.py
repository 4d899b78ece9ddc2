"""autograder.__main__: the command line dispatches to autograder.commands.<verb>."""

import os
import subprocess
import sys

from autograder.__main__ import main
from tests.conftest import FILES, REPO

SOURCE = FILES / "fixture_course" / "source"


def test_help_imports_neither_nbgrader_nor_nbformat():
    code = ("import sys\nfrom autograder.__main__ import main\ntry:\n    main(['--help'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in ('nbgrader', 'nbformat', 'tensorflow') if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_check_passes_the_fixture_and_reports_bad_markers(tmp_path, capsys):
    assert main(["check", "--source", str(SOURCE)]) == 0
    assert "ok: the hidden tests of 00_fixture can be replayed" in capsys.readouterr().out
    broken = tmp_path / "00_fixture"
    broken.mkdir()
    text = (SOURCE / "00_fixture" / "fixture.ipynb").read_text()
    (broken / "fixture.ipynb").write_text(text.replace("### END HIDDEN TESTS", "", 1))
    assert main(["check", "--source", str(tmp_path)]) == 1
    assert "the hidden region is never closed" in capsys.readouterr().out


def test_check_command_accepts_the_kit():
    process = subprocess.run([sys.executable, "-m", "autograder", "check"], cwd=REPO,
                             capture_output=True, text=True, timeout=120)
    assert process.returncode == 0, process.stdout + process.stderr


def test_cpus_flag_reaches_the_options_and_refuses_nonsense(capsys):
    from autograder.__main__ import parser

    for verb in (["grade", "01", "a.ipynb"], ["batch", "01", "subs", "--out", "o"]):
        assert parser().parse_args([*verb, "--cpus", "2"]).cpus == 2
        assert parser().parse_args(verb).cpus is None
        try:
            parser().parse_args([*verb, "--cpus", "0"])
        except SystemExit:
            pass
        assert "expected a whole number of CPUs >= 1, got '0'" in capsys.readouterr().err
