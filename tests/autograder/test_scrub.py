"""autograder.scrub: hidden-test code removed from what students read."""

from autograder import hidden
from autograder.scrub import REDACTED, scrub
from tests.conftest import FILES

FIXTURE_SOURCE = FILES / "fixture_course" / "source"


def test_scrub_removes_hidden_code_from_outputs():
    leaks = hidden.hidden_lines(hidden.load_assignment(FIXTURE_SOURCE, "00_fixture"))
    text = "x\nrng = np.random.default_rng(12345)\ny"
    assert scrub(text, leaks) == f"x\n{REDACTED}\ny"
