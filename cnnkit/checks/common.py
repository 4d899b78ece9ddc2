"""What the checks of several notebooks share.

`_fail` raises the `CheckFailed` (an `AssertionError`) that every check uses. `check_architecture`
compares a model with its expected layers and explains the usual mistakes;
`check_accuracy` checks a test accuracy against a threshold.
"""

from __future__ import annotations

import keras

from cnnkit.architecture import (
    ACTIVATION,
    LayerRow,
    canonical_type,
    compare,
    format_table,
    layer_table,
)
from cnnkit.checks.failure import _fail
from cnnkit.checks.gradable import check_gradable


def _shape_hint(got: tuple, want: tuple) -> str:
    if len(got) == 4 and len(want) == 4 and got[1] == want[1] + 2 and got[3] == want[3]:
        return (
            f" (a 3x3 convolution without padding shrinks {got[1]} to {want[1]}; "
            "did you set padding='same'? Leave the default padding='valid')"
        )
    if len(got) == 4 and len(want) == 4 and got[1:3] == want[1:3]:
        return f" (check the number of filters: expected {want[3]})"
    if len(got) == 2 and len(want) == 2 and want[1] == 10:
        return " (the output layer needs one unit per class: Dense(10))"
    return ""


def _activation_hint(want: LayerRow) -> str:
    if want.activation == "softmax":
        return " (add activation='softmax' to the last Dense layer to output probabilities)"
    if want.activation == "linear":
        return (" (give this layer no activation: the activation comes later, as its own "
                "layer)")
    return f" (pass activation={want.activation!r})"


def _params_hint(got: LayerRow, want: LayerRow) -> str:
    filters = got.output_shape[-1] if got.output_shape else 0
    if got.params + filters == want.params:
        return " (the layer has no biases: leave use_bias at its default, True)"
    return ""


def _order_hint(actual: list[LayerRow], expected: list[LayerRow]) -> str:
    """A hint when a separate activation layer of `expected` is missing or misplaced."""
    want = [canonical_type(row.type) for row in expected]
    got = [row.type for row in actual]
    if ACTIVATION in want and want.count(ACTIVATION) != got.count(ACTIVATION):
        after = {expected[i - 1].type for i, t in enumerate(want) if t == ACTIVATION and i}
        return (f" (the activation comes after {' / '.join(sorted(after))}, as its own layer: "
                "layers.ReLU() or layers.Activation('relu'); the layer before it has no "
                "activation)")
    return ""


def check_architecture(
    model: keras.Model, expected: list[LayerRow | tuple], name: str = "model",
    gradable: bool = True,
) -> None:
    """Check `model` layer by layer against `expected` rows; see `cnnkit.compare`.

    `name` is the variable the notebook stores the model in, for the messages. With
    `gradable`, also check that the grader can load the model (`check_gradable`): an
    activation given as a TensorFlow function (`tf.nn.softmax`) has the right layers but
    cannot be loaded safely.
    """
    if not isinstance(model, keras.Model):
        _fail(f"`{name}` is a {type(model).__name__}, not a keras.Model: did the cell above "
              f"assign the model you built to `{name}`?")
    expected = [LayerRow(*row) for row in expected]
    differences = compare(model, expected)
    if differences:
        actual = layer_table(model)
        notes = []
        got_types = [row.type for row in actual]
        want_types = [canonical_type(row.type) for row in expected]
        if got_types != want_types and sorted(got_types) == sorted(want_types):
            notes.append(" (these are the right layers in another order: put them in the "
                         "order of the table)")
        elif len(actual) == len(expected):
            for got, want in zip(actual, expected):
                if got.output_shape != tuple(want.output_shape):
                    notes.append(_shape_hint(got.output_shape, tuple(want.output_shape)))
                elif got.params != want.params:
                    notes.append(_params_hint(got, want))
                if want.activation and got.activation != want.activation:
                    notes.append(_activation_hint(want))
        elif "Flatten" in [r.type for r in expected] and "Flatten" not in [r.type for r in actual]:
            notes.append(" (Dense needs a flat vector: add layers.Flatten() before it)")
        else:
            notes.append(_order_hint(actual, expected))
        message = "; ".join(differences) + "".join(dict.fromkeys(notes))
        _fail(f"{message}\n\nYour model:\n{format_table(actual)}")
    total = sum(row.params for row in expected)
    print(f"OK: {len(expected)} layers as expected, {total:,} parameters")
    if gradable:
        check_gradable(model, name)


def check_accuracy(accuracy: float, minimum: float, hint: str | None = None) -> None:
    """Check that a test accuracy (a fraction in [0, 1]) is at least `minimum`.

    `hint` says what to look at when it is not; by default the choices a training cell makes.
    """
    accuracy = float(accuracy)
    if not 0.0 <= accuracy <= 1.0:
        _fail(f"accuracy {accuracy:g} is not a fraction in [0, 1]")
    if accuracy < minimum:
        hint = hint or "check the preprocessing, the optimizer and the number of epochs"
        _fail(f"test accuracy {accuracy:.4f} is below the required {minimum:.4f}: {hint}")
    print(f"OK: test accuracy {accuracy:.4f} >= {minimum:.4f}")
