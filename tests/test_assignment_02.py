"""Assignment 02: a variant that changes two aspects loses exactly the points of that check."""

from __future__ import annotations

import nbformat
import pytest

from cnnkit import checks, models
from tests.conftest import REPO, notebook_of

ASSIGNMENT = "02_variants"
BASELINE = "dict(cnnkit.models.SIMPLE_CNN_CONFIG)"  # 01's network and training

# Variant 3 changes both the activation and the dropout. The other variants are single
# changes that train quickly (a smaller network, one more epoch, a larger batch), so the
# graded run stays short, and the Adam variant still clears the required gain.
WRONG_VARIANTS = """\
variants = [
    dict(baseline, optimizer="adam"),
    dict(baseline, filters=16),
    dict(baseline, activation="tanh", dropout=0.2),
    dict(baseline, epochs=3),
    dict(baseline, batch_size=256),
]
"""

# grade_id -> points the wrong submission earns (max points in brackets in the notebook)
EXPECTED = {
    "test_variant_configs": (1, 1),
    "test_one_change": (0, 2),
    "test_distinct_aspects": (2, 2),
    "test_results_table": (2, 2),
    "test_improvement": (3, 3),
}


def wrong_submission(path):
    """The reference notebook with WRONG_VARIANTS in its `variants` solution cell."""
    notebook = nbformat.read(notebook_of(REPO / "source" / ASSIGNMENT), as_version=4)
    cells = [
        cell for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "variants"
    ]
    assert len(cells) == 1, "the notebook needs exactly one solution cell with grade_id 'variants'"
    cells[0].source = WRONG_VARIANTS
    nbformat.write(notebook, path)
    return path


def test_notebook_baseline_is_the_one_the_tests_assume():
    notebook = nbformat.read(notebook_of(REPO / "source" / ASSIGNMENT), as_version=4)
    lines = [line for cell in notebook.cells for line in cell.source.splitlines()]
    assert lines.count(f"baseline = {BASELINE}") == 1
    assert lines.count(f"trusted_baseline = {BASELINE}") == 4  # every hidden test


def test_wrong_variants_fail_only_the_one_change_check():
    baseline = dict(models.SIMPLE_CNN_CONFIG)
    namespace = {"baseline": baseline}
    exec(WRONG_VARIANTS, namespace)
    variants = namespace["variants"]
    checks.check_variant_configs(variants, minimum=5)
    checks.check_distinct_aspects(baseline, variants, minimum=5)
    with pytest.raises(AssertionError, match="variant 3 changes both 'activation' and 'dropout'"):
        checks.check_one_change_each(baseline, variants)


@pytest.mark.slow
@pytest.mark.concurrent
def test_two_aspects_in_one_variant_lose_exactly_that_check(autograded, tmp_path_factory):
    path = wrong_submission(tmp_path_factory.mktemp("wrong-02") / "variants.ipynb")
    scores = autograded(ASSIGNMENT, {"wrong": path})["wrong"]
    auto = {s.id: (s.points, s.max_points) for s in scores if not s.manual}
    assert auto == EXPECTED
    manual = [s for s in scores if s.manual]
    assert [s.id for s in manual] == ["discussion"]
    assert manual[0].needs_manual_grade
