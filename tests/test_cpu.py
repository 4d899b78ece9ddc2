"""cnnkit.cpu: the CPU's kind, and the kernels and precision that are fastest on it."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from keras import layers

from cnnkit.cpu import (
    cpu_description,
    cpu_kind,
    has_native_bfloat16,
    use_mixed_precision,
)
from cnnkit.training import set_seed, train

BF16 = "flags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni\n"
AVX512 = "flags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n"
AVX2 = "model name\t: AMD EPYC 7B13\nflags\t\t: fpu sse2 avx avx2 fma\n"


def test_cpu_kind_reads_the_cpu_flags(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    for text, kind in ((BF16, "avx512-bf16"), (AVX512, "avx512"), (AVX2, "avx2"),
                       ("flags\t\t: fpu sse2\n", "other")):
        cpuinfo.write_text(text)
        assert cpu_kind(str(cpuinfo)) == kind
    assert cpu_kind(str(tmp_path / "missing")) == "other"  # not Linux


def test_cpu_description_names_model_flags_and_kind(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(AVX2)
    described = cpu_description(str(cpuinfo))
    assert described["model"] == "AMD EPYC 7B13"
    assert described["flags"] == ["avx2"] and described["kind"] == "avx2"
    assert described["cpus"] == os.cpu_count()


@pytest.mark.slow  # starts TensorFlow in a new process: keeps `make test-fast` under 2 minutes
def test_use_fast_kernels_picks_onednn_only_with_avx512():
    # A fresh interpreter: TensorFlow reads the setting once, at its first operation.
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    code = ("import keras, cnnkit.cpu as c; on = c.use_fast_kernels(); "
            "keras.ops.ones(2); print(on, c.onednn_enabled())")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    wanted = str(cpu_kind() in ("avx512", "avx512-bf16"))
    assert out == [wanted, wanted]


@pytest.mark.slow  # starts TensorFlow in a new process: keeps `make test-fast` under 2 minutes
def test_use_fast_kernels_keeps_a_choice_made_in_the_environment():
    env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS="1")
    code = "import cnnkit.cpu as c; print(c.use_fast_kernels())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["True"]


def test_has_native_bfloat16_reads_the_cpu_flags(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(BF16)
    assert has_native_bfloat16(str(cpuinfo))
    cpuinfo.write_text(AVX512)  # emulated only
    assert not has_native_bfloat16(str(cpuinfo))
    assert not has_native_bfloat16(str(tmp_path / "missing"))  # not Linux


def test_use_mixed_precision_sets_the_policy_layers_are_created_with():
    try:
        policy = use_mixed_precision()
        assert policy == ("mixed_bfloat16" if has_native_bfloat16() else "float32")
        layer = layers.Dense(3)
        assert layer.dtype_policy.name == policy
        assert layer.dtype == "float32"  # the weights stay float32 either way
    finally:
        keras.mixed_precision.set_global_policy("float32")


@pytest.mark.skipif(not has_native_bfloat16(), reason="this CPU has no bfloat16 instructions")
def test_mixed_precision_computes_in_bfloat16_and_learns_as_well():
    # Speed is measured by `make bench` (benchmarks/README.md), not here.
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, size=2048)
    x = rng.random((2048, 28, 28, 1), dtype=np.float32)
    x[labels == 1, :14] += 0.5  # class 1: a brighter upper half
    y = keras.utils.to_categorical(labels, 2)

    def run(policy):
        keras.mixed_precision.set_global_policy(policy)
        set_seed(0)
        model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3, activation="relu"),
                                  layers.MaxPooling2D(), layers.Flatten(),
                                  layers.Dense(2, activation="softmax")])
        keras.mixed_precision.set_global_policy("float32")
        model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
        record = train(model, x, y, epochs=2, batch_size=128, verbose=0)
        return model, record.final("accuracy")

    f32_model, f32_accuracy = run("float32")
    bf16_model, bf16_accuracy = run("mixed_bfloat16")
    assert f32_model.predict(x[:4], verbose=0).dtype == np.float32
    assert bf16_model.predict(x[:4], verbose=0).dtype.name == "bfloat16"
    assert bf16_model.layers[0].kernel.dtype == "float32"
    assert bf16_accuracy > 0.95 and abs(bf16_accuracy - f32_accuracy) < 0.02
