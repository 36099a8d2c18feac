"""The parts of bench/ that need no peer installed (issue 14's benchmark): the per-precision GEMM peaks
(build/bench/gemm_peak), the length-sorted batching of the OpenVINO / PyTorch-bf16 peers, the bf16 profile's
defaults, each system's efficiency denominator, the agreement of several dtypes with fp32
(bench/int8_vs_fp32.py) and the issue-14 report. No timing is asserted."""
import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import BIN, ROOT, write_parquet

sys.path.insert(0, str(ROOT / "bench"))
import int8_vs_fp32  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402
import run_bench  # noqa: E402

GEMM_PEAK = ROOT / "build" / "bench" / "gemm_peak"


def test_gemm_peak_measures_every_precision():
    cache = (ROOT / "build" / "CMakeCache.txt").read_text()
    if "HFBATCH_GEMM:STRING=openblas" in cache:
        pytest.skip("build/bench/gemm_peak is built only with HFBATCH_GEMM=onednn (the default)")
    assert GEMM_PEAK.exists(), "scripts/build.sh builds the hfbatch_gemm_peak target (tests/CMakeLists.txt)"
    proc = subprocess.run([GEMM_PEAK, "1", "64"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    peak = json.loads(proc.stdout.strip().splitlines()[-1])
    assert peak["library"].startswith("oneDNN") and peak["isa"] and (peak["m"], peak["threads"]) == (64, 1)
    for precision in ("fp32", "bf16", "int8"):
        # a precision the CPU lacks is reported as such, never as a number
        assert (peak[precision]["gflops"] or 0) > 0 or peak[precision].get("error"), peak
    assert peak["fp32"]["how"] == "dnnl_sgemm"
    assert peak["bf16"]["how"].startswith("matmul bf16")
    bad = subprocess.run([GEMM_PEAK, "0"], capture_output=True, text=True)
    assert bad.returncode == 2 and "usage" in bad.stderr


class FakeTokenizer:
    """Stands in for a transformers tokenizer: the ids of a text are one id per word, truncated at 6."""
    pad_token_id = 0

    def __call__(self, first, second=None, truncation=True):
        ids = [([101] + [7] * len(t.split()))[:6] for t in first]
        return {"input_ids": ids, "attention_mask": [[1] * len(x) for x in ids],
                "token_type_ids": [[0] * len(x) for x in ids]}


def test_sorted_batches_pad_within_a_batch_and_restore_input_order():
    rng = np.random.default_rng(3)
    texts = [" ".join(["w"] * int(n)) for n in rng.integers(0, 9, size=70)]
    lengths = [min(len(t.split()) + 1, 6) for t in texts]
    seen, last_width, parts = [], 0, []
    for idx, enc in peers.sorted_batches(FakeTokenizer(), texts, None, size=32):
        assert len(idx) <= 32 and set(enc) == {"input_ids", "attention_mask", "token_type_ids"}
        width = max(lengths[i] for i in idx)
        assert enc["input_ids"].shape == (len(idx), width)  # padded to the batch's longest row only
        assert width >= last_width  # rows sorted by length
        last_width = width
        for r, i in enumerate(idx):
            assert enc["attention_mask"][r].sum() == lengths[i]
            assert (enc["input_ids"][r, lengths[i]:] == 0).all()
        seen += list(idx)
        parts.append((idx, np.stack([np.asarray(idx, np.float32), -np.asarray(idx, np.float32)], axis=1)))
    assert sorted(seen) == list(range(len(texts)))
    probs = peers.in_input_order(parts, len(texts))
    np.testing.assert_array_equal(probs[:, 0], np.arange(len(texts)))


def test_bf16_profile_defaults(tmp_path):
    fake = tmp_path / "hfbatch"
    fake.write_text("#!/bin/sh\necho '  --dtype fp32|int8|bf16   numerics'\n")
    fake.chmod(0o755)
    a = run_bench.parse_args(["--profile", "bf16", "--hfbatch", str(fake)])
    assert a.systems == ["hfbatch-fp32", "hfbatch-bf16", "hfbatch-int8", "openvino", "openvino-f32", "torch-bf16"]
    assert a.agreement and a.out.endswith("docs/benchmarks/cpu_bench_bf16")
    assert sorted(a.cells) == sorted((w, m) for w in ("w-short", "w-long")
                                     for m in ("minilm", "bert-base", "deberta-base"))
    assert a.dtypes == {"fp32", "int8", "bf16"}
    quick = run_bench.parse_args(["--hfbatch", str(BIN)])
    assert not quick.agreement and "openvino" in quick.systems and len(quick.cells) == 9
    assert {"fp32", "int8"} <= quick.dtypes


def test_each_system_is_measured_against_its_precision_peak():
    peaks = {"fp32": {"gflops": 100.0}, "bf16": {"gflops": 400.0}, "int8": {"gflops": None, "error": "x"}}
    assert run_bench.precision_of("openvino", {"report": {"precision": "bf16"}}) == "bf16"
    assert run_bench.precision_of("openvino", {"report": {"precision": "f32"}}) == "fp32"
    assert [run_bench.precision_of(s, {}) for s in ("hfbatch-bf16", "torch-bf16", "openvino-f32", "hfbatch-int8")] \
        == ["bf16", "bf16", "fp32", "int8"]
    assert run_bench.efficiency(200e9, 1.0, peaks, "bf16") == pytest.approx(0.5)
    assert run_bench.efficiency(200e9, 1.0, peaks, "int8") is None


def test_side_by_side_compares_each_dtype_with_fp32(tmp_path):
    src = tmp_path / "in.parquet"
    write_parquet(src, {"id": list(range(12)), "text": [f"row {i} says something {'long ' * i}" for i in range(12)]})
    from conftest import model_dir
    model = model_dir("bert-cls", tmp_path)
    r = int8_vs_fp32.side_by_side(BIN, model, src, 1, ["fp32", "int8"], rounds=1)
    q = r["dtypes"]["int8"]
    assert r["rows"] == 12 and q["rows_compared"] == 12
    assert 0 <= q["label_agreement"] <= 1 and 0 < q["max_prob_change"] < 0.5
    assert "| int8 | 12 | 1 |" in int8_vs_fp32.table(r)


def bf16_doc():
    def system(rate, eff=None, **extra):
        return {"wall_s": 2.0, "rows_per_s": rate, "real_tokens_per_s": rate * 10, "load_s": 0.5,
                "scoring_rows_per_s": rate, "useful_flop_efficiency": 0.3, "scoring_useful_flop_efficiency": eff,
                "peak_rss_mb": 100.0, **extra}
    cell = {"workload": "w-long", "model": "bert-base", "rows": 8, "input": "x.parquet", "model_bytes": 2**20,
            "work": {"model_limit": {"real_tokens": 80, "useful_flop": 1e12}},
            "systems": {"hfbatch-fp32": system(10.0), "hfbatch-bf16": system(40.0, eff=0.55, precision="bf16"),
                        "hfbatch-int8": system(48.0, precision="int8"),
                        "openvino": system(20.0, precision="bf16",
                                           peer={"precision": "bf16", "cpu_default_precision": "bf16",
                                                 "openvino": "2026.4.1"})}}
    agreement = {"rows": 20000, "threads": 2, "input": "bench/data/w-short.parquet",
                 "dtypes": {"bf16": {"median_ratio_rows_per_s": 2.0, "median_ratio_infer": 2.1,
                                     "median_ratio_cpu": 2.0, "label_agreement": 0.999, "labels_changed": 20,
                                     "max_prob_change": 0.02},
                            "int8": {"median_ratio_rows_per_s": 3.0, "median_ratio_infer": 3.1,
                                     "median_ratio_cpu": 3.0, "label_agreement": 0.99, "labels_changed": 200,
                                     "max_prob_change": 0.06}}}
    return {"machine": {"date": "d", "commit": "c", "cpu": "AMD EPYC", "cores": 2, "threads": 2,
                        "load_average": [1, 1, 1]},
            "profile": "bf16", "hfbatch_dtypes": ["bf16", "fp32", "int8"], "hfbatch_int8": True, "scale": 1,
            "gemm_peak": {"library": "oneDNN 2.6.3", "isa": "avx512_core_bf16", "threads": 2, "m": 2048,
                          "fp32": {"gflops": 200.0, "how": "dnnl_sgemm"},
                          "bf16": {"gflops": 450.0, "how": "matmul bf16 x bf16 -> f32"},
                          "int8": {"gflops": 900.0, "how": "dnnl_gemm_u8s8s32"}},
            "agreement": agreement, "cells": [cell]}


def test_bf16_report_shows_issue_14_ratios_and_agreement(tmp_path):
    report.write_markdown(bf16_doc(), tmp_path / "r")
    md = (tmp_path / "r.md").read_text()
    assert "## Targets (issue 14)" in md and "## Targets (issue 7)" not in md
    assert "| w-long / bert-base | hfbatch-bf16 ÷ openvino rows/s | 2.00x | ≥ 1.5x | yes |" in md
    assert "| w-long / bert-base | hfbatch-bf16 ÷ hfbatch-fp32 rows/s | 4.00x | ≥ 3.0x | yes |" in md
    assert "| w-long / bert-base | hfbatch-int8 ÷ hfbatch-bf16 rows/s | 1.20x | ≥ 1.3x | no |" in md
    assert "| w-long / bert-base | hfbatch-bf16 useful-FLOP efficiency vs bf16 peak | 55.0% | ≥ 50% | yes |" in md
    assert "bf16 **450.0**" in md and "bf16 peak ÷ fp32 peak = 2.25x" in md and "avx512_core_bf16" in md
    assert "## Agreement with hfbatch fp32 (20,000 W-short rows)" in md
    assert "bf16 labels ≥ 99.8%: yes; int8 labels ≥ 99.5%: no" in md
    assert "| bf16 | 20000 | 2 | 2.00x" in md and "99.90% (20 changed) | 0.0200 |" in md
    assert "`openvino` ran at INFERENCE_PRECISION_HINT bf16" in md


def test_peaks_keep_the_better_of_start_and_end_and_rescale_efficiencies():
    start = {"library": "oneDNN", "isa": "avx512_core_bf16", "threads": 2, "m": 2048,
             "fp32": {"gflops": 100.0, "how": "a"}, "bf16": {"gflops": 400.0, "how": "b"},
             "int8": {"gflops": None, "error": "x"}}
    end = {"library": "oneDNN", "fp32": {"gflops": 200.0, "how": "a"}, "bf16": {"gflops": 300.0, "how": "b"},
           "int8": {"gflops": None, "error": "x"}}
    best = run_bench.best_peaks(start, end)  # a load spike at the start halved the fp32 figure
    assert best["fp32"]["gflops"] == 200.0 and best["bf16"]["gflops"] == 400.0 and best["int8"]["gflops"] is None
    assert best["measured"][0]["fp32"] == 100.0 and best["measured"][1]["fp32"] == 200.0
    cells = [{"systems": {"hfbatch-fp32": {"precision": "fp32", "useful_flop_efficiency": 1.2,
                                           "scoring_useful_flop_efficiency": 1.4},
                          "hfbatch-bf16": {"precision": "bf16", "useful_flop_efficiency": 0.5,
                                           "scoring_useful_flop_efficiency": None},
                          "ct2": {"skipped": "no"}}}]
    run_bench.rescale_efficiencies(cells, start, best)
    s = cells[0]["systems"]
    assert s["hfbatch-fp32"]["useful_flop_efficiency"] == pytest.approx(0.6)
    assert s["hfbatch-fp32"]["scoring_useful_flop_efficiency"] == pytest.approx(0.7)
    assert s["hfbatch-bf16"]["useful_flop_efficiency"] == pytest.approx(0.5)
    assert "start fp32 100.0" in report.gemm_peak_line(best) and "end fp32 200.0" in report.gemm_peak_line(best)


def test_archs_profile_defaults(tmp_path):
    """Issue 16's profile: MPNet and ModernBERT at base dims on W-short and W-long, hfbatch's three precisions
    against the pipeline and OpenVINO, its own output file."""
    fake = tmp_path / "hfbatch"
    fake.write_text("#!/bin/sh\necho '  --dtype fp32|int8|bf16   numerics'\n")
    fake.chmod(0o755)
    a = run_bench.parse_args(["--profile", "archs", "--hfbatch", str(fake)])
    assert a.systems == ["hfbatch-fp32", "hfbatch-bf16", "hfbatch-int8", "pipeline", "openvino"]
    assert sorted(a.cells) == sorted((w, m) for w in ("w-short", "w-long") for m in ("mpnet-base", "modernbert-base"))
    assert a.out.endswith("docs/benchmarks/cpu_bench_archs") and not a.agreement
    writers = (ROOT / "bench/make_bench_models.py").read_text()  # needs torch to import: read, don't import
    for _, m in a.cells:  # the models the cells name are ones the model script writes, with an OpenVINO copy
        assert f'"{m}": write_' in writers and f'"{m}"' in writers.split("OPENVINO_MODELS =")[1].split("\n")[0]


def test_a_failed_openvino_conversion_is_reported_not_dropped(tmp_path, monkeypatch):
    monkeypatch.setattr(run_bench, "MODELS", tmp_path)
    (tmp_path / "modernbert-base/openvino").mkdir(parents=True)
    (tmp_path / "modernbert-base/openvino/FAILED.txt").write_text("ov.convert_model failed: OpConversionFailure: x\n")
    a = type("A", (), {"dtypes": {"fp32"}})()
    why = run_bench.skip_reason(a, "openvino", {"model": "modernbert-base", "workload": "w-short"})
    assert why == "OpenVINO conversion failed: ov.convert_model failed: OpConversionFailure: x"
    assert "no OpenVINO conversion" in run_bench.skip_reason(a, "openvino", {"model": "mpnet-base", "workload": "w-short"})


def test_gated_ffn_counts_three_matrices(tmp_path, monkeypatch):
    """useful FLOPs per token: 2·(4h² + k·h·f) per layer, k = 3 for ModernBERT's GeGLU, 2 for BERT's GELU."""
    src = tmp_path / "in.parquet"
    write_parquet(src, {"id": [0], "text": ["a b c"]})

    class Tok:  # 5 tokens per row, whatever the model
        def __call__(self, first, second=None, truncation=True, **kw):
            return {"input_ids": [[0] * 5 for _ in first]}

    import types  # the engine's venv has no transformers: the tokenizer is all tokens_and_flops takes from it
    fake = types.SimpleNamespace(AutoTokenizer=types.SimpleNamespace(from_pretrained=lambda *a, **k: Tok()))
    monkeypatch.setitem(sys.modules, "transformers", fake)
    flops = {}
    for model_type in ("bert", "modernbert"):
        d = tmp_path / model_type
        d.mkdir()
        (d / "config.json").write_text(json.dumps({"model_type": model_type, "hidden_size": 4,
                                                   "intermediate_size": 8, "num_hidden_layers": 1}))
        flops[model_type] = run_bench.tokens_and_flops(d, src, ["text"])["model_limit"]["useful_flop"]
    head = 2 * 16 + 2 * 4 * 2
    assert flops["bert"] == 5 * 2 * (4 * 16 + 2 * 32) + 4 * 4 * 25 + head
    assert flops["modernbert"] - flops["bert"] == 5 * 2 * 32


def test_archs_report_shows_every_ratio_and_why_a_peer_did_not_run(tmp_path):
    doc = bf16_doc()
    doc["profile"] = "archs"
    doc["note"] = "uptime before: load average: 8.1"
    cell = doc["cells"][0]
    cell["model"] = "modernbert-base"
    cell["systems"]["pipeline"] = dict(cell["systems"]["hfbatch-fp32"], rows_per_s=5.0, scoring_rows_per_s=4.0)
    cell["systems"]["openvino"] = {"skipped": "OpenVINO conversion failed: boom"}
    report.write_markdown(doc, tmp_path / "r")
    md = (tmp_path / "r.md").read_text()
    assert "## hfbatch ÷ peers (issue 16" in md and "Targets (issue" not in md
    assert "uptime before: load average: 8.1" in md
    assert "| w-long / modernbert-base | hfbatch-bf16 ÷ pipeline | 8.00x | 10.00x |" in md
    assert "| w-long / modernbert-base | hfbatch-fp32 ÷ openvino | not run (openvino: OpenVINO conversion failed: boom) |  |" in md
    assert "- w-long / modernbert-base, `openvino`: skipped: OpenVINO conversion failed: boom" in md
