"""Architectures beyond the BERT family (MPNet, ALBERT) through the CLI: `inspect` names what loads, and
ALBERT text pairs follow each transformers major's tokenizer (5.x's AlbertTokenizer hands the model no
token_type_ids). The numbers themselves are pinned by the goldens (test_classify.py, test_embed.py)."""
import numpy as np

from conftest import FIXTURES, golden, read_output, run, write_parquet


def inspect(name, *extra):
    out = run("inspect", "--model", FIXTURES / name, *extra).stdout
    return dict(line.split(": ", 1) for line in out.splitlines() if ": " in line and not line.startswith(" "))


def test_inspect_mpnet_and_albert():
    st = inspect("st-mpnet")
    assert st["architecture"] == "MPNetModel" and st["task"] == "embed" and st["max_length"] == "48"
    cls = inspect("mpnet-cls")
    assert cls["architecture"] == "MPNetForSequenceClassification"
    assert cls["labels"] == "0=contradiction, 1=neutral, 2=entailment"
    assert "token_type_ids" not in cls  # MPNet has no token-type table: nothing to say
    al = inspect("albert-cls")
    assert al["architecture"] == "AlbertForSequenceClassification" and al["tokenizer"] == "Unigram (3000 ids)"
    assert al["token_type_ids"].startswith("not passed to the model")
    assert "token_type_ids" not in inspect("albert-cls", "--transformers-compat", "4")
    mb = inspect("modernbert-mean")
    assert mb["architecture"] == "ModernBertForSequenceClassification" and mb["model_type"] == "modernbert"
    assert inspect("st-modernbert")["task"] == "embed"


def test_albert_pairs_follow_each_majors_token_types(tmp_path):
    """The same pairs give the 5.x golden by default and the 4.57 golden with --transformers-compat 4; the two
    goldens differ (type 0 vs type 1 for the second segment), so each run proves which types the model got."""
    g5, g4 = golden("albert-cls", 5), golden("albert-cls", 4)
    cases5 = [c for c in g5["cases"] if c["pair"]]
    cases4 = [c for c in g4["cases"] if c["pair"]]
    assert [c["input_ids"] for c in cases5] == [c["input_ids"] for c in cases4]
    assert all(set(c["token_type_ids"]) == {0} for c in cases5)
    assert any(1 in c["token_type_ids"] for c in cases4)
    p5 = np.array([c["probabilities"] for c in cases5])
    p4 = np.array([c["probabilities"] for c in cases4])
    assert np.abs(p5 - p4).max() > 1e-3  # the goldens are distinguishable
    src = write_parquet(tmp_path / "in.parquet", {"text": [c["text"] for c in cases5], "pair": [c["pair"] for c in cases5]})
    for major, want in ((5, p5), (4, p4)):
        out = tmp_path / f"out{major}"
        run("classify", "--model", FIXTURES / "albert-cls", "--input", src, "--output", out, "--text-column", "text",
            "--text-pair-column", "pair", "--transformers-compat", major)
        got = np.array(read_output(out).column("probabilities").to_pylist())
        np.testing.assert_allclose(got, want, atol=1e-5, rtol=0)


def test_remote_code_only_config_is_refused_naming_auto_map(tmp_path):
    """A config whose architecture exists only as remote code (auto_map, trust_remote_code) is refused with one
    line naming config.json and auto_map, before anything is written; a native architecture with an auto_map
    entry still loads natively (no code from the folder runs either way)."""
    import json
    import shutil

    from conftest import assert_one_line_error

    d = tmp_path / "remote"
    shutil.copytree(FIXTURES / "bert-cls", d)
    cfg = json.loads((d / "config.json").read_text())
    cfg["architectures"] = ["NewModel"]  # gte-base-en-v1.5's Hub config: remote code only
    cfg["auto_map"] = {"AutoConfig": "Alibaba-NLP/new-impl--configuration.NewConfig",
                       "AutoModel": "Alibaba-NLP/new-impl--modeling.NewModel"}
    (d / "config.json").write_text(json.dumps(cfg))
    (d / "modeling.py").write_text("raise SystemExit('remote code ran')\n")
    src = write_parquet(tmp_path / "in.parquet", {"text": ["a", "b"]})
    proc = run("embed", "--model", d, "--input", src, "--output", tmp_path / "out", "--text-column", "text", check=False)
    assert_one_line_error(proc, "config.json", "auto_map", "NewModel is remote code")
    assert not (tmp_path / "out").exists()
    proc = run("inspect", "--model", d, check=False)
    assert_one_line_error(proc, "config.json", "auto_map")
    del cfg["architectures"]
    cfg["model_type"] = "new"
    (d / "config.json").write_text(json.dumps(cfg))
    assert_one_line_error(run("inspect", "--model", d, check=False), "auto_map", 'model_type "new" is remote code')
    cfg["architectures"] = ["BertForSequenceClassification"]  # native: auto_map is ignored, as transformers does
    (d / "config.json").write_text(json.dumps(cfg))
    assert run("inspect", "--model", d).stdout.startswith("architecture: BertForSequenceClassification")
