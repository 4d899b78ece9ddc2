"""The figures the notebooks' text quotes still hold against the recorded measurements.

Every range the text quotes (accuracies, gains, seconds) is recomputed here from
`benchmarks/calibration/*.json` and `benchmarks/results.json`. After a re-calibration
these tests fail where the text no longer matches: update the text. A range in the text
that this file does not know fails too: measure it and add it to `quoted_figures`, or
remove it from the text (README, "Notebook conventions").
"""

from __future__ import annotations

import json
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import nbformat
import pytest

from cnnkit.checks import mlp_vs_cnn
from tests.conftest import REPO, notebook_of

CALIBRATION = REPO / "benchmarks" / "calibration"
RANGE = re.compile(
    r"[-+]?\d+(?:\.\d+)?(?:-| to )[-+]?\d+(?:\.\d+)?(?:%| seconds| points)"
    r"|\b0\.\d{3,4}-0\.\d{3,4}\b"
)


@cache
def record(name: str) -> dict:
    return json.loads((CALIBRATION / name).read_text())


def _half_up(value: float) -> int:
    return math.floor(value + 0.5)


def _rounded(value: float, digits: int, scale: int = 1) -> str:
    """`value * scale` to `digits` decimals, halves rounded up: 0.8155 -> 81.6 (percent)."""
    exact = Decimal(str(value)) * scale
    return str(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def percent(low: float, high: float) -> str:
    return f"{_rounded(low, 1, 100)}-{_rounded(high, 1, 100)}%"


def fraction(low: float, high: float, digits: int = 3) -> str:
    return f"{_rounded(low, digits)}-{_rounded(high, digits)}"


def seconds(values) -> str:
    return f"{_half_up(min(values))}-{_half_up(max(values))} seconds"


def _variant(summary_file: str, label: str) -> dict:
    return record(summary_file)["summary"][label]


def _variant_seconds(label: str) -> list[float]:
    aspect, value = label
    return [run["seconds"] for seed in record("02_variants.json")["seeds"]
            for run in seed["runs"] if (run["aspect"], run["value"]) == (aspect, value)]


def _summary_range(name: str, key: str) -> tuple[float, float]:
    summary = record(name)["summary"][key]
    return summary["min"], summary["max"]


def _curve_summaries() -> list[dict]:
    """The whole-curve calibration of 04, the AVX2 kernels first (the laptop's figure)."""
    summary = record("04_learning_curves.curve.json")["summary"]
    return sorted(summary.values(), key=lambda kind: kind["min"])


def quoted_figures() -> dict[str, list[str]]:
    """Per assignment, the ranges its text may quote, computed from the recorded files."""
    five_epochs = "02_variants.all_images_5_epochs.json"
    two_epochs = "02_variants.json"
    adam = _variant(two_epochs, "variant 1 (optimizer = adam)")
    tanh = _variant(two_epochs, "variant 3 (activation = tanh)")
    baseline = _variant(two_epochs, "baseline (- = -)")
    curve_runs = record("04_learning_curves.curve.json")["runs"]
    experiments = record("04_learning_curves.experiments.json")["summary"]
    runs = {**experiments["fit_runs"], **experiments["bn_runs"]}
    return {
        "01_simple_cnn": [
            percent(*_summary_range("01_simple_cnn.json", "test_accuracy.model")),
            percent(*_summary_range("01_simple_cnn.10_epochs.json", "test_accuracy.model")),
            percent(*_summary_range("01_simple_cnn.3_epochs.json", "test_accuracy.model")),
        ],
        "02_variants": [
            percent(baseline["accuracy_min"], baseline["accuracy_max"]),
            f"{adam['gain_points_min']:.1f} to {adam['gain_points_max']:.1f} points",
            f"{tanh['gain_points_min']:+.1f} to {tanh['gain_points_max']:+.1f} points",
            *[percent(v["accuracy_min"], v["accuracy_max"])
              for k, v in record(five_epochs)["summary"].items() if k != "best_gain_points"],
            seconds(_variant_seconds(("-", "-"))),
            seconds(_variant_seconds(("conv_blocks", "2"))),
            seconds(_variant_seconds(("epochs", "6"))),
        ],
        "03_mlp_vs_cnn": [
            percent(*_summary_range("03_mlp_vs_cnn.json", "mlp_64_64")),
            percent(*_summary_range("03_mlp_vs_cnn.json", "conv")),
            percent(*_summary_range("03_mlp_vs_cnn.longer.json", "conv")),
            fraction(*_summary_range("03_mlp_vs_cnn.sweep.json", "mlp_500_300_sweep_every_run")),
            fraction(*_summary_range("03_mlp_vs_cnn.longer.json",
                                     "mlp_500_300_sweep_every_run")),
            seconds([run["sweep"]["seconds"]
                     for run in record("03_mlp_vs_cnn.sweep.20000_images.json")["runs"]]),
        ],
        "04_learning_curves": [
            *[percent(kind["min"], kind["max"]) for kind in _curve_summaries()],
            percent(*(record("04_learning_curves.1000_steps.json")["summary"][k]
                      for k in ("min", "max"))),
            *[seconds([size for run in curve_runs if run["kernels"] == kernels
                       for size in run["table"]["seconds"]])
              for kernels in {run["kernels"] for run in curve_runs}],
            *[percent(run[f"{kind}_accuracy_min"], run[f"{kind}_accuracy_max"])
              for run in runs.values() for kind in ("train", "val")],
            *[seconds(values) for key in ("fit_seconds", "bn_seconds")
              for values in experiments[key].values()],
        ],
    }


def text_of(assignment: str) -> str:
    notebook = nbformat.read(notebook_of(REPO / "source" / assignment), as_version=4)
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


ASSIGNMENTS = ["01_simple_cnn", "02_variants", "03_mlp_vs_cnn", "04_learning_curves"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_quoted_range_is_a_recorded_measurement(assignment):
    known = set(quoted_figures()[assignment])
    text = " ".join(text_of(assignment).split())
    unknown = sorted({found for found in RANGE.findall(text) if found not in known})
    assert not unknown, (
        f"{assignment} quotes {unknown}, which no recorded measurement gives (recorded: "
        f"{sorted(known)}): measure it, or correct or remove it")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_text_quotes_the_headline_figures(assignment):
    """The first figure of each assignment (its required model's range) appears in the text."""
    text = " ".join(text_of(assignment).split())
    headline = quoted_figures()[assignment][0]
    assert headline in text, f"{assignment} should quote {headline} (five seeds)"


def test_03_conv_figures_in_the_text_and_the_check():
    low, high = _summary_range("03_mlp_vs_cnn.json", "conv")
    text = " ".join(text_of("03_mlp_vs_cnn").split())
    assert f"varied by {100 * (high - low):.2f} points over five seeds" in text
    assert mlp_vs_cnn.SEED_SPREAD >= high - low, "the warning margin must cover the seed spread"
    assert f"less than {100 * mlp_vs_cnn.SEED_SPREAD:.2f} points above 0.99" in text


def test_03_convnet_warning_quotes_the_longer_calibration(capsys):
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(2, 3), layers.Flatten(),
                              layers.Dense(10, activation="softmax")])
    mlp_vs_cnn.check_convnet(model, 0.9905, 0.99)
    longer = fraction(*_summary_range("03_mlp_vs_cnn.longer.json", "conv"), digits=4)
    assert longer in capsys.readouterr().out


def test_04_states_the_rule_that_labels_its_runs():
    from cnnkit.experiments import OVERFIT_GAP, UNDERFIT_BELOW

    text = " ".join(text_of("04_learning_curves").split())
    assert f"training accuracy stays below {UNDERFIT_BELOW:.0%}" in text
    assert f"more than {OVERFIT_GAP * 100:g} points above its validation accuracy" in text


def test_04_quotes_and_tolerates_the_largest_drop_of_its_curve():
    from cnnkit.checks.learning_curves import ALLOWED_DROP

    largest = max(kind["largest_drop"] for kind in _curve_summaries())
    runs = record("04_learning_curves.curve.json")["runs"]
    below = sum(run["table"]["test_accuracy"][-1] < run["table"]["test_accuracy"][-2]
                for run in runs)
    words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    text = " ".join(text_of("04_learning_curves").split())
    assert len(runs) == 20 and f"in {words[below]} of the twenty runs" in text
    assert "ended below the 10,000-image one, by at most " f"{100 * largest:.2f} points" in text
    assert ALLOWED_DROP >= largest + 0.015, "the check must tolerate 1.5 points beyond it"


def test_timings_the_text_quotes_are_measured():
    cpus = json.loads((REPO / "benchmarks" / "results.json").read_text())["cpus"]
    slowest = {cell: secs for cell, secs, _ in
               cpus["avx2"]["parts"]["grading"]["result"]["bare"][0]["slowest_cells"]}
    server = {cell: secs for cell, secs, _ in cpus["avx512-bf16"]["parts"]["notebooks"]
              ["result"]["01_simple_cnn"]["runs"][0]["slowest_cells"]}
    text = " ".join(text_of("01_simple_cnn").split())
    training_cell = 16
    assert (f"about {_half_up(slowest[training_cell])} seconds on a laptop-class CPU" in text)
    assert f"about {_half_up(server[training_cell])} seconds on a server CPU" in text


def test_04_quotes_the_measured_cost_of_its_layer_order():
    """Section 3's epoch times and accuracy for pooling first and last: the epochs table."""
    models = json.loads((REPO / "benchmarks" / "results.json").read_text())["cpus"][
        "avx512-bf16"]["parts"]["epochs"]["result"]["models"]
    first, last = models["learning-curve CNN"]["bf16"], models[
        "learning-curve CNN, pooling last"]["bf16"]
    text = " ".join(text_of("04_learning_curves").split())
    assert (f"took {first['epoch']:.1f} seconds instead of {last['epoch']:.1f} with the "
            "pooling last") in text
    accuracy = {f"{100 * first['val_accuracy']:.1f}", f"{100 * last['val_accuracy']:.1f}"}
    assert len(accuracy) == 1 and f"both reached {accuracy.pop()}% validation" in text
