"""The CPU benchmark of issues 7 and 14: every system on the same Parquet rows, same thread count, one process
per system, end to end (interpreter start, model load, Parquet read, tokenize, infer, Parquet write). Run in
.venv-tools by bench/run_all.sh, after bench/make_workloads.py and bench/make_bench_models.py:

  .venv-tools/bin/python bench/run_bench.py --profile quick|full|bf16|archs [--threads 2] [--hfbatch build/bin/hfbatch]
        [--cells w-short/minilm,...] [--systems hfbatch-fp32,pipeline,...] [--gemm-peak BIN] [--no-agreement]

Cells are (workload, model) pairs; `quick` scores the first N rows of each workload file (N per cell, in
CELLS), `full` all of it; every system of a cell reads the same slice file. `bf16` is issue 14's comparison
alone: hfbatch fp32 / bf16 / int8 against OpenVINO (default precision and f32) and PyTorch bf16 on W-short
and W-long × the three models (rows per cell in BF16_CELLS, ~30–40 min on 2 cores), plus the agreement of
hfbatch bf16 and int8 with hfbatch fp32 on all 20,000 W-short rows with the trained MiniLM head
(bench/int8_vs_fp32.py; --agreement/--no-agreement overrides), written to docs/benchmarks/cpu_bench_bf16.*.

`archs` is issue 16's: MPNet and ModernBERT at base dims (ARCHS_CELLS), hfbatch fp32 / bf16 / int8 against the
transformers pipeline and OpenVINO's default precision, written to docs/benchmarks/cpu_bench_archs.*.

hfbatch fp32 runs first; every other system is compared with it: label agreement and the largest probability
change. Per system: rows/s, real tokens/s (padding excluded; the padded-128 job counts its own tokens,
truncated at 128), the ratio hfbatch fp32 / system, useful-FLOP efficiency against the GEMM peak of the
system's precision measured in the same run (bench/gemm_peak.cc: oneDNN sgemm fp32, matmul bf16×bf16→f32,
u8×s8→s32; square 2048, same threads; at the start and the end, the higher of the two), peak RSS. Writes OUT.json, OUT.md and OUT.png
(default docs/benchmarks/cpu_bench); the JSON is rewritten after every cell so an interrupted run keeps what
it did.
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

import numpy as np
import pyarrow.parquet as pq

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import ROOT, last_json_line, load_average, machine, run_timed, thread_env  # noqa: E402
import report  # noqa: E402
import int8_vs_fp32 as numerics  # noqa: E402

MODELS = ROOT / "bench/models"
DATA = ROOT / "bench/data"
WORKLOAD_COLUMNS = {"w-short": ["text"], "w-long": ["text"], "w-pair": ["premise", "hypothesis"]}
# (workload, model): rows in the quick profile, sized so that every system of every cell runs in about
# 25–30 minutes on 2 quiet cores (before issue 14's four systems joined the default list; they add roughly
# half again — `--systems` picks fewer) (bert-base-sized models are ~8x MiniLM's FLOPs per token; W-long rows are
# ~15x W-short's tokens; the padded-128 job does 128 tokens per row whatever the text).
CELLS = {
    ("w-short", "minilm"): 1000, ("w-short", "bert-base"): 200, ("w-short", "deberta-base"): 120,
    ("w-long", "minilm"): 80, ("w-long", "bert-base"): 24, ("w-long", "deberta-base"): 16,
    ("w-pair", "minilm"): 500, ("w-pair", "bert-base"): 100, ("w-pair", "deberta-base"): 60,
}
# Issue 14's profile: W-short and W-long × the three models, hfbatch's three precisions against what a user of
# this CPU picks for speed. Sized from a run at --scale 0.25 on the 2-core AMD EPYC at load ≈ 4.5 (5.9 min;
# ~19 min extrapolated to 1x for five systems): with hfbatch bf16 and the 20,000-row agreement step the whole
# profile should take ~25 min on 2 quiet cores and under 40 at that load; every system scores for several
# seconds at least (start-up excluded), W-long bert-base ~70 s for hfbatch fp32.
BF16_CELLS = {
    ("w-short", "minilm"): 3000, ("w-short", "bert-base"): 600, ("w-short", "deberta-base"): 360,
    ("w-long", "minilm"): 240, ("w-long", "bert-base"): 72, ("w-long", "deberta-base"): 48,
}
# Issue 16's architectures (`--profile archs`): MPNet (all-mpnet-base-v2 dims) and ModernBERT (ModernBERT-base
# dims) on W-short and W-long, hfbatch's three precisions against the transformers pipeline (the seed's plain
# configuration) and OpenVINO at its default precision, written to docs/benchmarks/cpu_bench_archs.*. Sized from
# a 3-row run to take ~20 min on 2 cores at load ≈ 8 (other helpers' builds); ModernBERT's rows carry ~1.5-2.4x
# MPNet's tokens (800-piece fixture BPE) and W-long is not truncated at its 8192 limit (~1,200 tokens per row).
ARCHS_CELLS = {
    ("w-short", "mpnet-base"): 600, ("w-short", "modernbert-base"): 400,
    ("w-long", "mpnet-base"): 24, ("w-long", "modernbert-base"): 12,
}
ARCHS_SYSTEMS = ["hfbatch-fp32", "hfbatch-bf16", "hfbatch-int8", "pipeline", "openvino"]
# FFN matrices per layer in units of h·f: 2 (up, down), 3 for a gated FFN (GeGLU: up and gate, then down).
GATED_FFN_MODEL_TYPES = {"modernbert", "gte", "nomic_bert"}
PEERS = ["pipeline", "padded128", "ort-fp32", "ort-int8", "ct2", "openvino", "openvino-f32", "torch-bf16"]
HFBATCH = ["hfbatch-fp32", "hfbatch-pretok", "hfbatch-bf16", "hfbatch-int8"]
BF16_SYSTEMS = ["hfbatch-fp32", "hfbatch-bf16", "hfbatch-int8", "openvino", "openvino-f32", "torch-bf16"]
CT2_MODELS = {"minilm", "bert-base"}
# profile: (rows per cell, default systems (None: all), output under docs/benchmarks/)
PROFILES = {"quick": (CELLS, None, "cpu_bench"), "full": (CELLS, None, "cpu_bench"),
            "bf16": (BF16_CELLS, BF16_SYSTEMS, "cpu_bench_bf16"), "archs": (ARCHS_CELLS, ARCHS_SYSTEMS, "cpu_bench_archs")}
# The GEMM precision each system computes its linears in: its useful-FLOP efficiency is against that
# precision's peak. OpenVINO's default is what its CPU plugin reports (bf16 on this CPU; f32 where it
# has no bf16), read from the peer's own report.
PRECISION = {"hfbatch-fp32": "fp32", "hfbatch-pretok": "fp32", "hfbatch-bf16": "bf16", "hfbatch-int8": "int8",
             "pipeline": "fp32", "padded128": "fp32", "ort-fp32": "fp32", "ort-int8": "int8", "ct2": "fp32",
             "openvino-f32": "fp32", "torch-bf16": "bf16"}


# ---- inputs of a cell ------------------------------------------------------------------------------

def slice_file(workload, rows, work):
    """The first `rows` rows of the workload file (all of it for rows=None), written once per run."""
    src = DATA / f"{workload}.parquet"
    t = pq.read_table(src)
    if rows is None or rows >= t.num_rows:
        return src, t.num_rows
    out = work / f"{workload}-{rows}.parquet"
    if not out.exists():
        pq.write_table(t.slice(0, rows), out, row_group_size=2048)
    return out, rows


def tokens_and_flops(model_dir, path, columns):
    """Real tokens per row at the model's limit and at 128 (the padded job's), and the useful FLOPs of both:
    per layer and sequence of length L, L·2·(4h² + 2hf) + 4h·L² (BENCHMARKS.md), plus the pooler and
    classifier (2h² + 2h·labels); a gated FFN (ModernBERT's GeGLU) counts 3·h·f per token instead of 2·h·f.
    DeBERTa's extra relative-position attention terms are not counted; sliding-window layers are counted as
    global attention (an upper bound only past 128 tokens)."""
    from transformers import AutoTokenizer
    cfg = json.loads((model_dir / "config.json").read_text())
    h, f, layers = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
    labels = len(cfg.get("id2label", {0: 0, 1: 1}))
    ffn = 3 if cfg.get("model_type") in GATED_FFN_MODEL_TYPES else 2
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    t = pq.read_table(path, columns=columns)
    first = t.column(columns[0]).to_pylist()
    second = t.column(columns[1]).to_pylist() if len(columns) > 1 else None
    out = {}
    for key, limit in (("model_limit", None), ("max128", 128)):
        kw = {"max_length": limit} if limit else {}
        lens = np.array([len(x) for x in tok(first, second, truncation=True, **kw)["input_ids"]], dtype=np.float64)
        flops = layers * (lens.sum() * 2 * (4 * h * h + ffn * h * f) + 4 * h * (lens ** 2).sum())
        flops += len(lens) * (2 * h * h + 2 * h * labels)
        out[key] = {"real_tokens": int(lens.sum()), "useful_flop": float(flops)}
    return out


def pretokenized_file(model_dir, path, work, name):
    """The seed's prepared data (model_inference_hvd.ipynb): input_ids / attention_mask / token_type_ids
    padded to 128, list<int64>, for hfbatch's --input-ids-column mode."""
    import pyarrow as pa
    from transformers import AutoTokenizer
    out = work / f"{name}-pretok.parquet"
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    t = pq.read_table(path, columns=["id", "text"])
    enc = tok(t.column("text").to_pylist(), padding="max_length", truncation=True, max_length=128)
    cols = {"id": t.column("id")}
    for k in ("input_ids", "attention_mask", "token_type_ids"):
        if k in enc:
            cols[k] = pa.array(enc[k], pa.list_(pa.int64()))
    pq.write_table(pa.table(cols), out)
    return out


# ---- systems -----------------------------------------------------------------------------------------

def hfbatch_dtypes(binary):
    """The --dtype values `hfbatch --help` lists (e.g. {"fp32", "int8", "bf16"}); a mode it lacks is skipped."""
    import re
    out = subprocess.run([binary, "--help"], capture_output=True, text=True)
    m = re.search(r"--dtype ([a-z0-9|]+)", out.stdout + out.stderr)
    return set(m.group(1).split("|")) if m else {"fp32"}


def run_hfbatch(a, system, cell, work):
    model = cell["model_dir"]
    out = work / f"{cell['name']}-{system}"
    summary = work / f"{cell['name']}-{system}.summary.json"
    cmd = [a.hfbatch, "classify", "--model", model, "--output", out, "--threads", a.threads, "--overwrite",
           "--summary", summary, "--no-progress"]
    cols = WORKLOAD_COLUMNS[cell["workload"]]
    if system == "hfbatch-pretok":
        cmd += ["--input", cell["pretok"], "--input-ids-column", "input_ids", "--attention-mask-column",
                "attention_mask", "--max-length", "128"]
        if json.loads((model / "config.json").read_text()).get("type_vocab_size", 2) > 0:
            cmd += ["--token-type-ids-column", "token_type_ids"]
    else:
        cmd += ["--input", cell["input"], "--text-column", cols[0]]
        if len(cols) > 1:
            cmd += ["--text-pair-column", cols[1]]
    if system in ("hfbatch-int8", "hfbatch-bf16"):
        cmd += ["--dtype", system.removeprefix("hfbatch-")]
    r = run_timed(cmd, env=thread_env(a.threads))
    r["summary"] = json.loads(summary.read_text())
    r["predictions"] = sorted(out.glob("part-*.parquet"))
    return r


def run_peer(a, system, cell, work):
    base = MODELS / cell["model"]
    out = work / f"{cell['name']}-{system}.parquet"
    kind, artifact = {"pipeline": ("pipeline", None), "padded128": ("padded128", None),
                      "ort-fp32": ("ort", base / "onnx/model-opt.onnx"),
                      "ort-int8": ("ort", base / "onnx/model-int8.onnx"), "ct2": ("ct2", base / "ct2"),
                      "openvino": ("openvino", base / "openvino"), "openvino-f32": ("openvino", base / "openvino"),
                      "torch-bf16": ("torch-bf16", None)}[system]
    cmd = [sys.executable, ROOT / "bench/peers.py", kind, "--model", cell["model_dir"], "--input", cell["input"],
           "--output", out, "--threads", a.threads, "--columns", ",".join(WORKLOAD_COLUMNS[cell["workload"]])]
    if artifact:
        cmd += ["--artifact", artifact]
    if system == "openvino-f32":
        cmd += ["--precision", "f32"]
    r = run_timed(cmd, env=thread_env(a.threads))
    r["report"] = last_json_line(r["stdout"])
    r["predictions"] = [out]
    return r


def skip_reason(a, system, cell):
    if system == "ct2" and cell["model"] not in CT2_MODELS:
        return "CTranslate2's converter has no DeBERTa-v2 loader"
    if system == "hfbatch-pretok" and cell["workload"] != "w-short":
        return "pre-tokenized (padded-128) input is the seed's W-short job only"
    for dtype in ("int8", "bf16"):
        if system == f"hfbatch-{dtype}" and dtype not in a.dtypes:
            return f"this hfbatch has no --dtype {dtype} (hfbatch --help)"
    failed = MODELS / cell["model"] / "openvino/FAILED.txt"
    if system.startswith("openvino") and failed.exists():
        return "OpenVINO conversion failed: " + failed.read_text().strip()
    if system.startswith("openvino") and not (MODELS / cell["model"] / "openvino/model.xml").exists():
        return "no OpenVINO conversion (bench/make_bench_models.py --artifacts openvino)"
    return None


def efficiency(useful_flop, seconds, peaks, precision):
    """Useful FLOP/s over the GEMM peak of `precision` measured in this run; None where it has no peak."""
    peak = peaks.get(precision, {}).get("gflops")
    return useful_flop / seconds / (peak * 1e9) if peak else None


def precision_of(system, r):
    """fp32 / bf16 / int8: the GEMM peak a system's efficiency is measured against."""
    if system == "openvino":
        return "bf16" if r["report"].get("precision") == "bf16" else "fp32"
    return PRECISION[system]


def probabilities(paths):
    t = pq.read_table(paths, columns=["label_id", "probabilities"])
    return t.column("label_id").to_numpy(), np.array(t.column("probabilities").to_pylist(), dtype=np.float64)


# ---- one cell ------------------------------------------------------------------------------------------

def run_cell(a, workload, model, rows, work, peaks):
    name = f"{workload}-{model}"
    model_dir = MODELS / model / "hf"
    path, rows = slice_file(workload, rows, work)
    cell = {"name": name, "workload": workload, "model": model, "model_dir": model_dir, "input": path, "rows": rows}
    if workload == "w-short":
        cell["pretok"] = pretokenized_file(model_dir, path, work, name)
    work_stats = tokens_and_flops(model_dir, path, WORKLOAD_COLUMNS[workload])
    result = {"workload": workload, "model": model, "rows": rows, "input": os.path.relpath(path, ROOT),
              "model_bytes": sum(p.stat().st_size for p in model_dir.iterdir()), "work": work_stats,
              "systems": {}}
    ref = None
    for system in [s for s in HFBATCH + PEERS if s in a.systems]:
        why = skip_reason(a, system, cell)
        if why:
            result["systems"][system] = {"skipped": why}
            continue
        print(f"[{time.strftime('%H:%M:%S')}] {name}: {system} ({rows} rows) ...", flush=True)
        try:
            r = (run_hfbatch if system.startswith("hfbatch") else run_peer)(a, system, cell, work)
        except (RuntimeError, ValueError) as e:
            result["systems"][system] = {"failed": str(e)[-600:]}
            print(f"  failed: {str(e)[-300:]}", flush=True)
            continue
        stats = work_stats["max128" if system in ("padded128", "hfbatch-pretok") else "model_limit"]
        precision = precision_of(system, r)
        s = {"wall_s": round(r["wall_s"], 3), "peak_rss_mb": round(r["peak_rss_mb"], 1),
             "rows_per_s": rows / r["wall_s"], "real_tokens": stats["real_tokens"],
             "real_tokens_per_s": stats["real_tokens"] / r["wall_s"], "precision": precision,
             "useful_flop_efficiency": efficiency(stats["useful_flop"], r["wall_s"], peaks, precision)}
        if "summary" in r:
            s["hfbatch_seconds"] = r["summary"]["seconds"]
            s["hfbatch_tokens"] = r["summary"]["tokens"]
            s["load_s"] = round(r["summary"]["seconds"]["load"], 3)
        else:
            s["load_s"] = round(r["report"]["load_s"], 3)
            s["peer"] = {k: v for k, v in r["report"].items() if k not in ("rows", "load_s", "total_s")}
        # Without start-up (imports, model load): the rate a long job approaches. A quick run's few rows make
        # start-up a large share of the peers' wall time, so targets are judged on this rate too.
        s["scoring_s"] = max(r["wall_s"] - s["load_s"], 1e-9)
        s["scoring_rows_per_s"] = rows / s["scoring_s"]
        s["scoring_useful_flop_efficiency"] = efficiency(stats["useful_flop"], s["scoring_s"], peaks, precision)
        labels, probs = probabilities(r["predictions"])
        if system == "hfbatch-fp32":
            ref = (labels, probs)
        elif ref is not None:
            s["label_agreement"] = float((labels == ref[0]).mean())
            s["max_prob_change"] = float(np.abs(probs - ref[1]).max())
        result["systems"][system] = s
        print(f"  {s['wall_s']:.1f} s, {s['rows_per_s']:.1f} rows/s, RSS {s['peak_rss_mb']:.0f} MB", flush=True)
    fp32 = result["systems"].get("hfbatch-fp32", {})
    for system, s in result["systems"].items():
        if "rows_per_s" in s and "rows_per_s" in fp32:
            s["hfbatch_fp32_ratio"] = fp32["rows_per_s"] / s["rows_per_s"]
            s["hfbatch_fp32_scoring_ratio"] = fp32["scoring_rows_per_s"] / s["scoring_rows_per_s"]
    return result


def workload_profiles():
    """Token-length profile of each whole workload file under the default model's tokenizer (no truncation)."""
    from tokenizers import Tokenizer
    from make_minilm_classifier import minilm_dir
    from make_workloads import token_profile
    tok = Tokenizer.from_file(str(minilm_dir() / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return {w: token_profile(pq.read_table(DATA / f"{w}.parquet"), tok) for w in WORKLOAD_COLUMNS}


def gemm_peak(a):
    """{library, isa, threads, m, n, k, fp32: {gflops, how}, bf16: {...}, int8: {...}} (bench/gemm_peak.cc)."""
    r = subprocess.run([a.gemm_peak, str(a.threads), str(a.gemm_size)], capture_output=True, text=True, check=True,
                       env=thread_env(a.threads))
    return json.loads(r.stdout.strip().splitlines()[-1])


def best_peaks(first, second):
    """Per precision, the higher of two measurements (start and end of the run): a load spike on a shared
    machine lowers a peak, and a low denominator inflates every efficiency."""
    best = dict(first, measured=[{p: first.get(p, {}).get("gflops") for p in ("fp32", "bf16", "int8")},
                                 {p: second.get(p, {}).get("gflops") for p in ("fp32", "bf16", "int8")}])
    for p in ("fp32", "bf16", "int8"):
        if (second.get(p, {}).get("gflops") or 0) > (first.get(p, {}).get("gflops") or 0):
            best[p] = second[p]
    return best


def rescale_efficiencies(cells, old, new):
    """Efficiencies computed against the start-of-run peaks, recomputed against the final (best) peaks."""
    for c in cells:
        for s in c["systems"].values():
            p = s.get("precision")
            if p and old.get(p, {}).get("gflops") and new.get(p, {}).get("gflops"):
                f = old[p]["gflops"] / new[p]["gflops"]
                for k in ("useful_flop_efficiency", "scoring_useful_flop_efficiency"):
                    if s.get(k) is not None:
                        s[k] *= f


def agreement(a):
    """hfbatch bf16 and int8 against hfbatch fp32 on every W-short row, MiniLM with its trained head (random
    heads put every probability near 0.5, where any rounding flips labels): label agreement and max |Δp|."""
    dtypes = [d for d in ("bf16", "int8") if d in a.dtypes]
    if not dtypes:
        return {"skipped": "this hfbatch has neither --dtype bf16 nor int8"}
    path, rows = slice_file("w-short", a.agreement_rows, pathlib.Path(a.work))
    print(f"[{time.strftime('%H:%M:%S')}] agreement with fp32: {','.join(dtypes)} on {rows} W-short rows ...",
          flush=True)
    r = numerics.side_by_side(a.hfbatch, MODELS / "minilm/hf", path, a.threads, ["fp32", *dtypes], rounds=1)
    r["input"] = os.path.relpath(path, ROOT)
    return r


def parse_args(argv=None):
    """Options with the profile's defaults filled in (systems, output, agreement) and the hfbatch dtypes."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", choices=sorted(PROFILES), default="quick")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--hfbatch", default=str(ROOT / "build/bin/hfbatch"))
    ap.add_argument("--gemm-peak", default=str(ROOT / "build/bench/gemm_peak"))
    ap.add_argument("--gemm-size", type=int, default=2048, help="M = N = K of the peak GEMMs")
    ap.add_argument("--cells", help="comma-separated workload/model (default: all of the profile's)")
    ap.add_argument("--systems", help="comma-separated (default: all; the bf16 profile: its six)")
    ap.add_argument("--rows", type=int, help="override every cell's row count (development)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the quick/bf16 profile's row counts")
    ap.add_argument("--agreement", action=argparse.BooleanOptionalAction,
                    help="hfbatch bf16/int8 vs fp32 on all W-short rows (default: on in the bf16 profile)")
    ap.add_argument("--agreement-rows", type=int, help="only the first N W-short rows (development)")
    ap.add_argument("--out", help="default docs/benchmarks/cpu_bench (bf16 profile: cpu_bench_bf16)")
    ap.add_argument("--note", help="a paragraph for the report (e.g. `uptime` before the run on a shared machine)")
    ap.add_argument("--work", default=str(ROOT / "bench/data/run"))
    a = ap.parse_args(argv)
    sizes, systems, out = PROFILES[a.profile]
    a.systems = a.systems.split(",") if a.systems else (systems or HFBATCH + PEERS)
    a.out = a.out or str(ROOT / "docs/benchmarks" / out)
    a.agreement = a.profile == "bf16" if a.agreement is None else a.agreement
    a.dtypes = hfbatch_dtypes(a.hfbatch)
    a.sizes = sizes
    a.cells = [tuple(c.split("/")) for c in a.cells.split(",")] if a.cells else list(a.sizes)
    return a


def main():
    a = parse_args()
    work = pathlib.Path(a.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    out = pathlib.Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    doc = {"machine": machine(a.threads), "profile": a.profile, "hfbatch": a.hfbatch,
           "hfbatch_dtypes": sorted(a.dtypes), "hfbatch_int8": "int8" in a.dtypes, "scale": a.scale,
           "command": " ".join(sys.argv[1:]), "cells": []}
    if a.note:
        doc["note"] = a.note
    doc["workload_tokens_minilm"] = workload_profiles()
    doc["gemm_peak"] = gemm_peak(a)
    print(f"GEMM peak: {doc['gemm_peak']}", flush=True)
    if a.agreement:
        doc["agreement"] = agreement(a)
        out.with_suffix(".json").write_text(json.dumps(doc, indent=1) + "\n")
    for workload, model in a.cells:
        rows = a.rows or (max(1, round(a.sizes[(workload, model)] * a.scale)) if a.profile != "full" else None)
        doc["cells"].append(run_cell(a, workload, model, rows, work, doc["gemm_peak"]))
        doc["load_average_after"] = load_average()
        doc["elapsed_s"] = round(time.perf_counter() - t0, 1)
        out.with_suffix(".json").write_text(json.dumps(doc, indent=1) + "\n")
    start = doc["gemm_peak"]
    doc["gemm_peak"] = best_peaks(start, gemm_peak(a))
    rescale_efficiencies(doc["cells"], start, doc["gemm_peak"])
    print(f"GEMM peak, best of start and end: {doc['gemm_peak']}", flush=True)
    out.with_suffix(".json").write_text(json.dumps(doc, indent=1) + "\n")
    report.write(doc, out)
    print(f"wrote {out}.json/.md/.png in {doc['elapsed_s']:.0f} s", flush=True)


if __name__ == "__main__":
    main()
