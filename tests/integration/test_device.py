"""--device: a GPU the build or the machine does not have is a one-line error before the model loads, with
nothing written (issue 15). On a machine with a usable GPU the cuda cases are skipped, saying so."""
import subprocess

import pytest

from conftest import BIN, FIXTURES

MODEL = FIXTURES / "bert-cls"


def run(tmp_path, *extra):
    out = tmp_path / "out"
    proc = subprocess.run([str(BIN), "classify", "--model", str(MODEL), "--input", str(tmp_path / "none.parquet"),
                           "--output", str(out), *extra], capture_output=True, text=True, timeout=120)
    return proc, out


def test_bad_device_name_is_one_line(tmp_path):
    proc, out = run(tmp_path, "--device", "gpu")
    assert proc.returncode != 0
    assert proc.stderr.strip() == "hfbatch: error: --device: expected cpu, cuda or cuda:N, got 'gpu'"
    assert not out.exists()


def test_fp16_is_cuda_only(tmp_path):
    proc, _ = run(tmp_path, "--dtype", "fp16")
    assert proc.returncode != 0
    assert proc.stderr.strip() == "hfbatch: error: --dtype: fp16 runs on cuda only (on cpu: fp32, bf16, int8)"


@pytest.mark.parametrize("device", ["cuda", "cuda:1"])
def test_cuda_without_gpu_or_without_cuda_build_is_one_line(tmp_path, device):
    proc, out = run(tmp_path, "--device", device)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    ordinal = "cuda:0" if device == "cuda" else device
    if "models do not run on CUDA yet" in lines[0]:
        pytest.skip("a usable GPU is present here: " + lines[0])
    assert lines[0].startswith(f"hfbatch: error: --device {ordinal}: "), lines[0]
    assert ("no CUDA device" in lines[0] or "built without CUDA" in lines[0]
            or "does not exist" in lines[0]), lines[0]
    assert not out.exists()  # refused before the model loads or the output folder is made
