"""Output sizes and receptive fields, layer by layer.

The *receptive field* of a unit is the square of input pixels that can change its value.
Going through a network from the input, with `r` the receptive field and `j` the *jump*
(how many input pixels apart two neighbouring units of a layer are):

    a layer with kernel k, stride s and dilation d:   r_out = r_in + d * (k - 1) * j_in
                                                      j_out = j_in * s
    the input image:                                  r = 1, j = 1

Pooling layers count as kernels too (`pool_size`, `strides`). Padding changes the output
size, not these formulas, so with `padding="same"` a receptive field can be larger than
the image: it then counts padding pixels. A layer that combines all positions
(`GlobalAveragePooling2D`, or a `Dense` layer after `Flatten`) sees everything its input
sees: `r_out = r_in + (n_in - 1) * j_in` for an input of `n_in` positions per side.
"""

from __future__ import annotations

from typing import NamedTuple

import keras

from cnnkit.architecture import leaf_layers

_KERNEL_LAYERS = {"Conv2D", "SeparableConv2D", "DepthwiseConv2D", "Conv2DTranspose"}
_POOLING_LAYERS = {"MaxPooling2D", "AveragePooling2D"}
_GLOBAL_LAYERS = {"GlobalAveragePooling2D", "GlobalMaxPooling2D"}
_MERGE_LAYERS = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"}
_PADDING_LAYERS = {"ZeroPadding2D", "Cropping2D"}
_GEOMETRY_LAYERS = (_KERNEL_LAYERS | _POOLING_LAYERS | _GLOBAL_LAYERS | _MERGE_LAYERS
                    | _PADDING_LAYERS | {"Flatten", "Reshape", "Dense"})


class ReceptiveRow(NamedTuple):
    """One layer of `receptive_fields`.

    `output_shape` is the layer's output without the batch axis: `(height, width,
    channels)` for images, `(features,)` for vectors. `receptive_field` and `jump` are
    in input pixels: an int for square fields, a `(height, width)` pair otherwise;
    `jump` is `None` once the output has no positions left. `passes_through` is True
    for layers that act on each position and channel alone, changing neither the output
    size nor the receptive field (`BatchNormalization`, activations, `Dropout`).
    """

    name: str
    type: str
    description: str
    output_shape: tuple
    receptive_field: int | tuple
    jump: int | tuple | None
    params: int
    passes_through: bool


def _pair(value) -> tuple[int, int]:
    return (int(value), int(value)) if isinstance(value, int) else tuple(int(v) for v in value)


def _squash(pair):
    if pair is None:
        return None
    return pair[0] if pair[0] == pair[1] else tuple(pair)


def _describe(layer) -> str:
    kind = type(layer).__name__
    if kind in _KERNEL_LAYERS:
        k = _pair(layer.kernel_size)
        filters = getattr(layer, "filters", None)
        size = f"{k[0]}x{k[1]}"
        stride = _pair(layer.strides)
        extra = f", strides {stride[0]}" if stride != (1, 1) else ""
        extra += ", same" if layer.padding == "same" else ""
        return f"{kind}({filters}, {size}{extra})" if filters else f"{kind}({size}{extra})"
    if kind in _POOLING_LAYERS:
        return f"{kind}({_pair(layer.pool_size)[0]})"
    if kind == "Dense":
        return f"Dense({layer.units})"
    return kind


def _shape(tensor) -> tuple:
    return tuple(tensor.shape)[1:]


def _inputs(layer) -> list:
    tensors = layer.input
    return list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]


def receptive_fields(model: keras.Model) -> list[ReceptiveRow]:
    """One `ReceptiveRow` per layer of `model` (nested models unrolled), in order.

    Args:
        model: a built Keras model with image input `(height, width, channels)`,
            Sequential or Functional.

    Returns:
        The rows, e.g. for `Conv2D(8, 3)` on 28x28 images:
        `ReceptiveRow("conv2d", "Conv2D", "Conv2D(8, 3x3)", (26, 26, 8), 3, 1, 80, False)`.

    Raises:
        ValueError: for an unbuilt model or a layer whose effect on positions is unknown.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"expected a keras.Model, got {type(model).__name__}")
    try:
        image_shape = _shape(model.inputs[0])
    except (AttributeError, IndexError, ValueError, TypeError) as error:
        raise ValueError("the model does not know its input shape yet: start it with "
                         "keras.Input(shape=(28, 28, 1))") from error
    if len(image_shape) != 3:
        raise ValueError(f"expected image input (height, width, channels), got {image_shape}")
    # geometry of a tensor: (receptive field, jump, positions per side) as (h, w) pairs
    geometry = {}
    start = ((1, 1), (1, 1), image_shape[:2])
    previous = start
    rows = []
    for layer in leaf_layers(model):
        kind = type(layer).__name__
        inbound = [geometry.get(id(t)) for t in _inputs(layer)]
        inbound = [g for g in inbound if g is not None] or [previous]
        if kind in _MERGE_LAYERS:
            fields, jumps, sizes = zip(*inbound)
            current = (max(fields), max(jumps), sizes[0])
        else:
            current = _step(layer, kind, inbound[0])
        output_shape = _shape(layer.output)
        rows.append(ReceptiveRow(
            name=layer.name, type=kind, description=_describe(layer),
            output_shape=output_shape, receptive_field=_squash(current[0]),
            jump=_squash(current[1]) if current[2] is not None else None,
            params=int(layer.count_params()),
            passes_through=kind not in _GEOMETRY_LAYERS,
        ))
        geometry[id(layer.output)] = current
        previous = current
    return rows


def _step(layer, kind: str, inbound: tuple) -> tuple:
    """The (receptive field, jump, positions) after `layer`, from those before it."""
    field, jump, size = inbound
    in_shape = _shape(_inputs(layer)[0])
    out_shape = _shape(layer.output)
    if kind in _KERNEL_LAYERS or kind in _POOLING_LAYERS:
        if kind == "Conv2DTranspose":
            raise ValueError("Conv2DTranspose enlarges images; receptive_fields does not "
                             "handle it")
        kernel = _pair(layer.kernel_size if kind in _KERNEL_LAYERS else layer.pool_size)
        strides = _pair(layer.strides)
        dilation = _pair(getattr(layer, "dilation_rate", 1))
        field = tuple(f + d * (k - 1) * j for f, d, k, j in zip(field, dilation, kernel, jump))
        jump = tuple(j * s for j, s in zip(jump, strides))
        return field, jump, out_shape[:2]
    if kind in _GLOBAL_LAYERS or (size is not None and len(in_shape) == 1 and kind == "Dense"):
        whole = tuple(f + (n - 1) * j for f, n, j in zip(field, size, jump))
        return whole, jump, None
    if kind == "Flatten" or (kind == "Reshape" and len(out_shape) == 1):
        if len(in_shape) == 3 and size is not None:  # each output is one position, now a vector
            return field, jump, tuple(in_shape[:2])
        return inbound
    if kind in _PADDING_LAYERS:
        return field, jump, out_shape[:2]
    if len(in_shape) == len(out_shape) and in_shape[:-1] == out_shape[:-1]:
        return inbound  # per-position layers: BN, activations, Dropout, Dense on images
    raise ValueError(f"layer {layer.name!r} ({kind}) changes the output from {in_shape} to "
                     f"{out_shape} in a way receptive_fields does not know")


def format_receptive_fields(rows: list[ReceptiveRow]) -> str:
    """The rows as aligned text: layer, output shape, receptive field, jump, parameters."""
    lines = [f"{'layer':<34}{'output shape':<16}{'receptive field':>16}{'jump':>6}{'params':>9}"]
    for row in rows:
        shape = " x ".join(str(n) for n in row.output_shape)
        jump = "-" if row.jump is None else str(row.jump)
        lines.append(f"{row.description:<34}{shape:<16}{row.receptive_field!s:>16}"
                     f"{jump:>6}{row.params:>9,}")
    lines.append(f"{'total':<34}{'':<16}{'':>16}{'':>6}{sum(r.params for r in rows):>9,}")
    return "\n".join(lines)
