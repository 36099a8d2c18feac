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
    assert "tokenizer_compat: transformers 4 and 5 build the same tokenizer" in same
    # The seed's spm folder: 4.x strips both sides before the charsmap, 5.x after it, on the right only.
    diff = run("inspect", "--model", FIXTURES / "deberta-v3-seed", "--tokenizer", SPM_DEBERTA,
               "--transformers-compat", "4").stdout
    assert "transformers_compat: 4 (--transformers-compat 4)" in diff
    lines = [l.strip() for l in diff.splitlines() if l.startswith("  normalizer: ")]
    assert len(lines) == 1, diff
    assert '"strip_left":true' in lines[0] and '"strip_left":false' in lines[0]
    assert "transformers 5 (DebertaV2Tokenizer" in lines[0] and "do_lower_case=false (tokenizer_config.json)" in lines[0]
    # MPNetTokenizer named on a BERT vocabulary: 5.x sets its own RobertaProcessing post-processor.
    mpnet = run("inspect", "--model", FIXTURES / "bert-cls", "--tokenizer", COMPAT / "mpnet-class-noflag").stdout
    assert any(l.startswith("  post_processor: ") and "RobertaProcessing" in l for l in mpnet.splitlines()), mpnet
