"""The goldens of the real default model ("@minilm") find it through scripts/default_model.sh (or
HFBATCH_DEFAULT_MODEL_DIR) whatever the Python version, and FAIL instead of skipping where it is required:
in CI (CI=true) and with HFBATCH_REQUIRE_DEFAULT_MODEL=1. Covers the C++ goldens and this folder's conftest."""
import os
import subprocess

import pytest

import conftest
from conftest import ROOT

TESTS_BIN = ROOT / "build" / "tests" / "hfbatch_tests"
# The goldens that use the default model: its embeddings, its tokenizer, and minilm-cls (its base weights).
GOLDENS = ("Goldens/ModelGolden.MatchesTransformers/minilm_embed", "Goldens/ModelGolden.MatchesTransformers/minilm_cls",
           "Transformers/TokenizerGolden.IdenticalToHuggingFace/v5")
FILTER = ":".join(GOLDENS)


def run_goldens(tmp_path, **env):
    if not TESTS_BIN.exists():
        pytest.fail(f"{TESTS_BIN} not built: run scripts/build.sh")
    clean = {k: v for k, v in os.environ.items()
             if k not in ("CI", "HFBATCH_REQUIRE_DEFAULT_MODEL", "HFBATCH_DEFAULT_MODEL_DIR")}
    clean.update(env)
    return subprocess.run([str(TESTS_BIN), f"--gtest_filter={FILTER}"], capture_output=True, text=True,
                          env=clean, cwd=ROOT, timeout=600)


@pytest.mark.parametrize("flag", [{"CI": "true"}, {"HFBATCH_REQUIRE_DEFAULT_MODEL": "1"}], ids=["CI", "REQUIRE"])
def test_cpp_goldens_fail_when_required_model_is_missing(tmp_path, flag):
    proc = run_goldens(tmp_path, HFBATCH_DEFAULT_MODEL_DIR=str(tmp_path / "nowhere"), **flag)
    assert proc.returncode != 0, proc.stdout[-3000:]
    for test in GOLDENS:
        assert f"[  FAILED  ] {test}" in proc.stdout, f"{test} did not fail:\n{proc.stdout[-3000:]}"
    assert str(tmp_path / "nowhere") in proc.stdout and "scripts/install_deps.sh" in proc.stdout


def test_cpp_goldens_skip_when_model_is_optional(tmp_path):
    proc = run_goldens(tmp_path, HFBATCH_DEFAULT_MODEL_DIR=str(tmp_path / "nowhere"))
    assert proc.returncode == 0, proc.stdout[-3000:]
    for test in GOLDENS[:2]:
        assert f"[  SKIPPED ] {test}" in proc.stdout, f"{test} was not skipped:\n{proc.stdout[-3000:]}"
    assert 'skipping "minilm.json"' in proc.stdout + proc.stderr


def test_cpp_goldens_find_the_model_through_default_model_sh(tmp_path):
    model = conftest.default_model()  # fails in CI when not installed
    printed = subprocess.run(["bash", str(ROOT / "scripts" / "default_model.sh")], capture_output=True, text=True)
    assert printed.returncode == 0 and printed.stdout.strip() == str(model), printed.stderr
    proc = run_goldens(tmp_path, HFBATCH_REQUIRE_DEFAULT_MODEL="1")  # no HFBATCH_DEFAULT_MODEL_DIR: the script
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "SKIPPED" not in proc.stdout and "skipping" not in proc.stdout
    assert "[  PASSED  ] 3 tests." in proc.stdout, proc.stdout[-2000:]


def test_conftest_fails_or_skips_without_the_model(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "MINILM", tmp_path / "nowhere")
    for var in ("CI", "HFBATCH_REQUIRE_DEFAULT_MODEL"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(pytest.skip.Exception):
        conftest.default_model()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="nowhere"):
        conftest.default_model()
    monkeypatch.setenv("CI", "false")
    monkeypatch.setenv("HFBATCH_REQUIRE_DEFAULT_MODEL", "1")
    with pytest.raises(pytest.fail.Exception, match="install_deps"):
        conftest.default_model()
