"""The engine's own environment (.venv, made by scripts/install_deps.sh) must stay free of PyTorch and
transformers: they belong to the reference venv (tools/), for goldens and benchmarks only. A package that
declares them as dependencies (the default model's wrapper does) is installed with --no-deps."""
import importlib.util

import pytest


@pytest.mark.parametrize("name", ["torch", "transformers", "sentence_transformers", "tokenizers"])
def test_engine_venv_has_no_reference_stack(name):
    assert importlib.util.find_spec(name) is None, (
        f"{name} is installed in the engine's venv: some requirement pulled it in (see requirements.txt)")
