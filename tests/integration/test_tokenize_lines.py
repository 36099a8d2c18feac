"""build/tests/hfbatch_tokenize_lines, the C++ side of tools/tokenizer_parity.py: `--transformers-compat 4|5`
loads a folder by that transformers major version's class rules, so each mode reproduces its own golden
(tests/golden/tokenizers for 5, tests/golden/transformers4/tokenizers for 4) on a folder where they differ."""
import json
import subprocess

import pytest

from conftest import ROOT

BIN = ROOT / "build" / "tests" / "hfbatch_tokenize_lines"
GOLDENS = {5: ROOT / "tests" / "golden" / "tokenizers", 4: ROOT / "tests" / "golden" / "transformers4" / "tokenizers"}
# A folder whose tokenizer.json and tokenizer_config.json disagree: transformers 4 and 5 give different ids.
NAME = "compat_mpnet_class_noflag"


def tokenize(args, cases):
    stdin = "".join(json.dumps({"text": c["text"], "pair": c["pair"], "max_length": c["max_length"]}) + "\n"
                    for c in cases)
    return subprocess.run([str(BIN), *args], input=stdin, capture_output=True, text=True, timeout=120)


def golden(major):
    return json.loads((GOLDENS[major] / f"{NAME}.json").read_text())


def test_goldens_differ_between_modes():
    assert golden(4)["cases"] != golden(5)["cases"]


@pytest.mark.parametrize("args_for", [lambda p: ["--transformers-compat", "4", p],
                                      lambda p: ["--transformers-compat", "5", p],
                                      lambda p: [p]], ids=["compat4", "compat5", "default5"])
def test_each_mode_matches_its_golden(args_for):
    args = args_for(str(ROOT / golden(5)["tokenizer"]))
    major = 4 if args[:2] == ["--transformers-compat", "4"] else 5
    cases = golden(major)["cases"]
    proc = tokenize(args, cases)
    assert proc.returncode == 0, proc.stderr
    got = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(got) == len(cases)
    for c, g in zip(cases, got):
        assert (g["input_ids"], g["token_type_ids"]) == (c["input_ids"], c["token_type_ids"]), c["text"]


@pytest.mark.parametrize("args", [[], ["--transformers-compat", "6", "x"], ["--transformers-compat", "4"],
                                  ["a", "b"]])
def test_bad_arguments_print_usage(args):
    proc = tokenize(args, [])
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: hfbatch_tokenize_lines [--transformers-compat 4|5] TOKENIZER_PATH")
