"""What this CPU can do, and the TensorFlow settings that make training fastest on it.

Two kinds of CPU are common, and TensorFlow is fastest on them with different settings
(measured in benchmarks/README.md):

* CPUs with AVX-512 (recent server CPUs): TensorFlow's oneDNN kernels, and on those that
  also multiply bfloat16 numbers in hardware, Keras's "mixed_bfloat16" policy.
* CPUs with AVX2 but no AVX-512 (most laptops): TensorFlow's own (Eigen) kernels, about
  twice as fast as oneDNN's for the two-block convnets of this course (no slower for the
  others), in float32.

`use_fast_settings()` picks between them; call it in the setup cell before building models.
"""

from __future__ import annotations

import os
import re

CPUINFO = "/proc/cpuinfo"
ONEDNN_ENV = "TF_ENABLE_ONEDNN_OPTS"
KNOWN_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16")
"""The instruction-set flags that decide speed here, as Linux names them in /proc/cpuinfo."""


def _read(cpuinfo: str) -> str:
    try:
        with open(cpuinfo) as file:
            return file.read()
    except OSError:
        return ""


def cpu_flags(cpuinfo: str = CPUINFO) -> list[str]:
    """Which of `KNOWN_FLAGS` this CPU has, e.g. `["avx2"]`; empty where Linux does not say."""
    listed = set(re.findall(r"[\w.]+", _read(cpuinfo)))
    return [flag for flag in KNOWN_FLAGS if flag in listed]


def cpu_kind(cpuinfo: str = CPUINFO) -> str:
    """`"avx512-bf16"`, `"avx512"`, `"avx2"` or `"other"`: the kinds budgets are kept for."""
    flags = cpu_flags(cpuinfo)
    if "avx512_bf16" in flags or "amx_bf16" in flags:
        return "avx512-bf16"
    if "avx512f" in flags:
        return "avx512"
    return "avx2" if "avx2" in flags else "other"


def cpu_description(cpuinfo: str = CPUINFO) -> dict:
    """The CPU's model name, its `KNOWN_FLAGS`, its kind and core count, for timing records."""
    match = re.search(r"^model name\s*:\s*(.+)$", _read(cpuinfo), re.MULTILINE)
    return {"model": match.group(1).strip() if match else "unknown",
            "flags": cpu_flags(cpuinfo), "kind": cpu_kind(cpuinfo), "cpus": os.cpu_count()}


def has_native_bfloat16(cpuinfo: str = CPUINFO) -> bool:
    """Whether this CPU multiplies bfloat16 numbers in hardware (AVX-512 BF16 or AMX)."""
    return cpu_kind(cpuinfo) == "avx512-bf16"


def use_mixed_precision() -> str:
    """Let layers created from now on compute in bfloat16 where the CPU does so in hardware.

    Keras's "mixed_bfloat16" policy keeps every weight in float32 but runs the layers'
    arithmetic in bfloat16, a 16-bit float with float32's range and about 3 significant
    digits. On a CPU with bfloat16 instructions a training epoch of the simple CNN takes
    about a third less time, with the same accuracy (see benchmarks/README.md). Other
    CPUs would have to emulate bfloat16, so there the policy stays float32.

    A layer reads the policy when it is created. Under mixed precision `model.predict`
    returns bfloat16 probabilities, e.g. 0.996 where float32 shows 0.99612;
    `keras.mixed_precision.set_global_policy("float32")` switches back.

    Returns:
        The name of the policy now in force: "mixed_bfloat16" or "float32".
    """
    import keras

    policy = "mixed_bfloat16" if has_native_bfloat16() else "float32"
    keras.mixed_precision.set_global_policy(policy)
    return policy


def use_fast_kernels() -> bool:
    """Choose TensorFlow's convolution kernels for this CPU; True when oneDNN's are in use.

    TensorFlow reads its `TF_ENABLE_ONEDNN_OPTS` setting once, when it runs its first
    operation, so this works only before any model is built or trained. A choice made
    in the environment beforehand (e.g. by an instructor) is left as it is.
    """
    wanted = "1" if cpu_kind() in ("avx512", "avx512-bf16") else "0"
    os.environ.setdefault(ONEDNN_ENV, wanted)
    return onednn_enabled()


def onednn_enabled() -> bool:
    """Whether TensorFlow uses its oneDNN kernels in this process (decided at its first op)."""
    from tensorflow.python.util import _pywrap_util_port

    return bool(_pywrap_util_port.IsMklEnabled())


def use_fast_settings() -> None:
    """The fastest kernels and precision for this CPU. Call in the setup cell, first.

    AVX-512 with bfloat16: oneDNN kernels and mixed bfloat16 precision. AVX-512 without:
    oneDNN in float32. Otherwise (AVX2 laptops): TensorFlow's own kernels in float32.
    The results are as accurate either way; only the time differs.
    """
    use_fast_kernels()
    use_mixed_precision()
