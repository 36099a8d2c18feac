"""--transformers-compat 4|5 and `hfbatch inspect`'s account of what the two transformers majors build (the
goldens of both are checked in test_classify.py / test_tokenize.py; docs/compat.md)."""
from conftest import FIXTURES, ROOT, assert_one_line_error, run, write_parquet

SPM_DEBERTA = ROOT / "tests" / "golden" / "tokenizers" / "folders" / "spm_deberta"
COMPAT = ROOT / "tests" / "fixtures" / "compat"


def test_bad_value_is_a_one_line_error(tmp_path):
    src = write_parquet(tmp_path / "in.parquet", {"text": ["a"]})
    for command in ("classify", "tokenize"):
        proc = run(command, "--model", FIXTURES / "bert-cls", "--input", src, "--output", tmp_path / command,
                   "--text-column", "text", "--transformers-compat", "3", check=False)
        assert_one_line_error(proc, "--transformers-compat: expected 4 or 5, got '3'")
        assert not (tmp_path / command).exists()


def test_inspect_says_whether_the_majors_differ_and_why():
    same = run("inspect", "--model", FIXTURES / "bert-cls").stdout
    assert "transformers_compat: 5 (default)" in same
    assert "tokenizer_class: BertTokenizer (tokenizer_config.json tokenizer_class)" in same
    assert "tokenizer_compat: transformers 4 and 5 build the same tokenizer" in same
    assert "tokenizer_overrides" not in same  # its tokenizer.json agrees with its flags
    # The seed's spm folder: 4.x strips both sides before the charsmap, 5.x after it, on the right only.
    diff = run("inspect", "--model", FIXTURES / "deberta-v3-seed", "--tokenizer", SPM_DEBERTA,
               "--transformers-compat", "4").stdout
    assert "transformers_compat: 4 (--transformers-compat 4)" in diff
    assert "tokenizer_class: DebertaV2Tokenizer (converted from spm.model)" in diff
    lines = [l.strip() for l in diff.splitlines() if l.startswith("  normalizer: ")]
    assert len(lines) == 1, diff
    assert "Sequence[Strip(strip_left=true, strip_right=true), Precompiled(" in lines[0]
    assert "Sequence[Precompiled(precompiled_charsmap=<charsmap>), Strip(strip_left=false, strip_right=true)" in lines[0]
    # tokenizer.json does not lowercase, tokenizer_config.json has no do_lower_case: the class default wins
    # (in 4.x too: the same tokenizer), and inspect says so.
    nolower = run("inspect", "--model", FIXTURES / "bert-cls", "--tokenizer", COMPAT / "bert-nolower-json-noflag").stdout
    assert "do_lower_case=true (BertTokenizer default)" in nolower
    over = [l for l in nolower.splitlines() if l.startswith("  normalizer: tokenizer.json has ")]
    assert len(over) == 1 and "lowercase=false" in over[0] and "transformers 5 builds BertNormalizer(" in over[0]
    assert "lowercase=true" in over[0].split("transformers 5 builds")[1]
    assert "tokenizer_compat: transformers 4 and 5 build the same tokenizer" in nolower
    # MPNetTokenizer named on a BERT vocabulary: 5.x sets its own RobertaProcessing post-processor.
    mpnet = run("inspect", "--model", FIXTURES / "bert-cls", "--tokenizer", COMPAT / "mpnet-class-noflag").stdout
    compat = mpnet.split("tokenizer_compat:")[1]
    assert any(l.startswith("  post_processor: ") and "RobertaProcessing" in l for l in compat.splitlines()), mpnet


def test_single_label_with_one_output_follows_the_chosen_major(tmp_path):
    """problem_type single_label_classification with num_labels 1: transformers 5 refuses the config
    (configuration_utils.py:464); 4.x loaded it and its pipeline applied a sigmoid, the golden of
    bert-regression (num_labels 1, no problem_type) under the same rule."""
    import json
    import shutil

    import numpy as np

    from conftest import golden, read_output

    d = tmp_path / "model"
    shutil.copytree(FIXTURES / "bert-regression", d)
    cfg = json.loads((d / "config.json").read_text())
    cfg["problem_type"] = "single_label_classification"
    (d / "config.json").write_text(json.dumps(cfg))
    g = golden("bert-regression", 4)
    cases = [c for c in g["cases"] if c["pair"] is None][:5]
    src = write_parquet(tmp_path / "in.parquet", {"text": [c["text"] for c in cases]})
    refused = run("classify", "--model", d, "--input", src, "--output", tmp_path / "v5", "--text-column", "text",
                  check=False)
    assert_one_line_error(refused, "config.json: problem_type", "does not load in transformers 5",
                          "--transformers-compat 4")
    assert not (tmp_path / "v5").exists()
    run("classify", "--model", d, "--input", src, "--output", tmp_path / "v4", "--text-column", "text",
        "--transformers-compat", "4", "--max-length", g["max_length"])
    got = read_output(tmp_path / "v4").column("probabilities").to_pylist()
    for row, c in zip(got, cases):
        np.testing.assert_allclose(row, c["probabilities"], atol=1e-5, rtol=0)
