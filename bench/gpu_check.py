"""The measuring half of bench/gpu_check.sh, on the GPU machine (python3 with torch + transformers there).

Side by side on the same card, the same rows (W-short 20,000 rows at max_length 128; W-long 2,000 rows at 512)
and a random-weight bert-base classifier (bench/make_bench_models.py's recipe, BENCHMARKS.md "Models"):
  hfbatch fp16 / bf16      build-gpu/bench/hfbatch_gpu_bench (tokenizer pool, length-sorted token budgets)
  transformers pipeline    fp16, batch_size 128, truncation (the seed's setting)
  PyTorch SDPA             fp16, rows sorted by length, batches by token budget, padding within a batch only
  bf16 GEMM peak           torch.matmul 8192³ on random data, median of CUDA-event timings
and useful-FLOP efficiency (FLOPs of the real tokens only / time / the measured peak). Each step is guarded:
a failure is recorded and the next step runs. Writes gpu_check.json and gpu_check.md into --out.
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time
import traceback

T0 = time.time()
RESULTS = {"steps": {}, "runs": []}
DEV = "cuda"  # --dry-run: "cpu" (the code paths checked on a machine without a GPU, a few rows, fp32)


def log(*a):
    print(f"[{time.time() - T0:6.1f}s]", *a, flush=True)


def guarded(name, budget_left):
    """Decorator-less guard: runs fn, records ok/error and seconds under RESULTS['steps'][name]."""
    def run(fn, *args, **kwargs):
        if budget_left() < 20:
            RESULTS["steps"][name] = {"status": "skipped: out of time budget"}
            log(name, "skipped (budget)")
            return None
        t = time.time()
        try:
            out = fn(*args, **kwargs)
            RESULTS["steps"][name] = {"status": "ok", "seconds": round(time.time() - t, 1)}
            return out
        except Exception as e:  # record and go on: the script runs once, blind
            RESULTS["steps"][name] = {"status": "error", "error": f"{type(e).__name__}: {e}"[:500],
                                      "seconds": round(time.time() - t, 1)}
            log(name, "FAILED:", e)
            traceback.print_exc()
            return None
    return run


def read_texts(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def make_bert_base(out, tok_dir):
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification
    torch.manual_seed(2024)
    labels = {0: "NEGATIVE", 1: "POSITIVE"}
    model = BertForSequenceClassification(BertConfig(num_labels=2, id2label=labels,
                                                     label2id={v: k for k, v in labels.items()})).eval()
    model.config.architectures = ["BertForSequenceClassification"]
    model.save_pretrained(str(out))
    tok = AutoTokenizer.from_pretrained(str(tok_dir))
    tok.model_max_length = 512
    tok.save_pretrained(str(out))
    return out


def gemm_peak(dtype_name="bf16", n=8192, reps=20):
    import torch
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}[dtype_name]
    if DEV == "cpu":
        n, reps, dtype = 256, 3, torch.float32
    a = torch.randn(n, n, device=DEV, dtype=dtype)
    b = torch.randn(n, n, device=DEV, dtype=dtype)
    for _ in range(3):
        a @ b
    times = []
    for _ in range(reps):
        if DEV == "cpu":
            t = time.time()
            a @ b
            times.append(time.time() - t)
            continue
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        a @ b
        e.record()
        e.synchronize()
        times.append(s.elapsed_time(e) / 1e3)
    t = statistics.median(times)
    return {"dtype": dtype_name, "n": n, "median_s": t, "tflops": 2 * n ** 3 / t / 1e12}


def token_lengths(tok, texts, max_length):
    enc = tok(texts, truncation=True, max_length=max_length)
    return [len(x) for x in enc["input_ids"]]


def useful_flops(lengths, layers=12, hidden=768, inter=3072):
    """Multiply-adds × 2 of the encoder on the real tokens only: QKV/out/FFN linears, QKᵀ and PV per sequence."""
    lin = 2 * (4 * hidden * hidden + 2 * hidden * inter)
    return sum(layers * (n * lin + 4 * n * n * hidden) for n in lengths)


def run_hfbatch(bench_bin, model, texts_file, dtype, max_length, out_dir, tag):
    labels = out_dir / f"labels_{tag}.txt"
    cmd = [str(bench_bin), "--model", str(model), "--texts", str(texts_file), "--device", DEV,
           "--dtype", dtype if DEV == "cuda" else "fp32",
           "--max-length", str(max_length), "--batch-tokens", "32768", "--labels-out", str(labels)]
    log(" ".join(cmd))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        raise RuntimeError(f"hfbatch_gpu_bench rc={p.returncode}: {p.stderr.strip()[-400:]}")
    r = json.loads(p.stdout.strip().splitlines()[-1])
    r["labels"] = [int(x) for x in labels.read_text().split()]
    return r


def run_pipeline(model, texts, batch_size=128, max_length=128):
    import torch
    from transformers import pipeline
    try:
        pipe = pipeline("text-classification", model=str(model), device=0 if DEV == "cuda" else -1, dtype=half())
    except TypeError:
        pipe = pipeline("text-classification", model=str(model), device=0 if DEV == "cuda" else -1, torch_dtype=half())
    kw = dict(batch_size=batch_size, truncation=True, max_length=max_length)
    pipe(texts[:256], **kw)
    sync()
    t = time.time()
    out = pipe(texts, **kw)
    sync()
    s = time.time() - t
    return {"engine": "transformers pipeline", "dtype": "fp16", "batch_size": batch_size, "rows": len(texts),
            "seconds": s, "rows_per_s": len(texts) / s,
            "labels": [pipe.model.config.label2id[o["label"]] for o in out]}


def run_sdpa(model, texts, max_length, budget_tokens=32768):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    tok = AutoTokenizer.from_pretrained(str(model))
    try:
        m = AutoModelForSequenceClassification.from_pretrained(str(model), dtype=half(), attn_implementation="sdpa")
    except TypeError:
        m = AutoModelForSequenceClassification.from_pretrained(str(model), torch_dtype=half(), attn_implementation="sdpa")
    m = m.to(DEV).eval()

    def score(rows):
        t_tok = time.time()
        ids = tok(rows, truncation=True, max_length=max_length)["input_ids"]
        tok_s = time.time() - t_tok
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        labels = [0] * len(ids)
        batches = 0
        i = 0
        with torch.inference_mode():
            while i < len(order):
                j = i
                while j < len(order) and (j - i + 1) * len(ids[order[j]]) <= budget_tokens:
                    j += 1
                j = max(j, i + 1)
                chunk = [ids[k] for k in order[i:j]]
                enc = tok.pad({"input_ids": chunk}, return_tensors="pt")
                logits = m(input_ids=enc["input_ids"].to(DEV, non_blocking=True),
                           attention_mask=enc["attention_mask"].to(DEV, non_blocking=True)).logits
                for k, lab in zip(order[i:j], logits.argmax(-1).tolist()):
                    labels[k] = lab
                batches += 1
                i = j
        sync()
        return labels, tok_s, batches

    score(texts[:512])
    t = time.time()
    labels, tok_s, batches = score(texts)
    s = time.time() - t
    return {"engine": "pytorch sdpa", "dtype": "fp16", "rows": len(texts), "seconds": s, "tokenize_s": tok_s,
            "batches": batches, "rows_per_s": len(texts) / s, "labels": labels}


def fmt(v):
    return "" if v is None else f"{v:.2f}"


def half():
    import torch
    return torch.float16 if DEV == "cuda" else torch.float32


def sync():
    import torch
    if DEV == "cuda":
        torch.cuda.synchronize()


def agreement(a, b):
    n = min(len(a), len(b))
    return sum(x == y for x, y in zip(a[:n], b[:n])) / max(n, 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--bench-bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--budget-s", type=float, default=240)
    ap.add_argument("--work", default="/tmp/hfbatch_gpu_check", help="model and label files (not in --out: the "
                    "device tool brings back at most 8 files)")
    ap.add_argument("--dry-run", action="store_true", help="no GPU: cpu, 48 rows per workload, fp32")
    args = ap.parse_args()
    global DEV
    if args.dry_run:
        DEV = "cpu"
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = pathlib.Path(args.data)
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    deadline = T0 + args.budget_s
    left = lambda: deadline - time.time()  # noqa: E731

    import torch
    RESULTS["card"] = torch.cuda.get_device_name(0) if DEV == "cuda" else "cpu (dry run)"
    RESULTS["torch"] = torch.__version__
    try:
        import transformers
        RESULTS["transformers"] = transformers.__version__
    except Exception as e:
        RESULTS["transformers"] = f"missing: {e}"
    cc = torch.cuda.get_device_capability(0) if DEV == "cuda" else (0, 0)
    dtypes = ["fp16"] + (["bf16"] if cc[0] >= 8 else []) if DEV == "cuda" else ["fp32"]

    model = guarded("make bert-base", left)(make_bert_base, work / "bert-base-random", pathlib.Path(args.data) / "tokenizer")
    peak = guarded("bf16 gemm peak", left)(gemm_peak, "bf16")
    RESULTS["gemm_peak"] = peak
    short = read_texts(data / "w-short.jsonl")
    long_ = read_texts(data / "w-long.jsonl")
    if args.dry_run:  # a few rows, written where hfbatch_gpu_bench reads them
        short, long_ = short[:48], long_[:8]
        data = work / "dry_data"
        data.mkdir(exist_ok=True)
        for name, rows in (("w-short", short), ("w-long", long_)):
            (data / f"{name}.jsonl").write_text("".join(json.dumps(t) + "\n" for t in rows))
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(str(model)) if model else None
    for wl, texts, max_len in (("W-short", short, 128), ("W-long", long_, 512)):
        if model is None:
            break
        lengths = token_lengths(tok, texts, max_len)
        flops = useful_flops(lengths)
        runs = {}
        for dt in dtypes:
            r = guarded(f"{wl} hfbatch {dt}", left)(run_hfbatch, args.bench_bin, model,
                                                     data / f"{wl.lower()}.jsonl", dt, max_len, work, f"{wl}_{dt}")
            if r:
                runs[f"hfbatch {dt}"] = r
        r = guarded(f"{wl} pytorch sdpa fp16", left)(run_sdpa, model, texts, max_len)
        if r:
            runs["pytorch sdpa fp16"] = r
        if wl == "W-short":
            r = guarded(f"{wl} pipeline fp16", left)(run_pipeline, model, texts)
            if r:
                runs["pipeline fp16 b128"] = r
        ref = runs.get("pytorch sdpa fp16", {}).get("labels")
        for name, r in runs.items():
            r["workload"] = wl
            r["useful_tflops"] = flops / r["seconds"] / 1e12
            if peak:
                r["efficiency_vs_bf16_peak"] = r["useful_tflops"] / peak["tflops"]
            if ref is not None and "labels" in r:
                r["label_agreement_vs_sdpa"] = agreement(r["labels"], ref)
            r.pop("labels", None)
            RESULTS["runs"].append({"name": name, **r})
        log(wl, {k: round(v["rows_per_s"], 1) for k, v in runs.items()})

    RESULTS["seconds"] = round(time.time() - T0, 1)
    (out / "gpu_check.json").write_text(json.dumps(RESULTS, indent=1))
    lines = [f"# GPU check: {RESULTS.get('card')} (torch {RESULTS.get('torch')}, transformers {RESULTS.get('transformers')})",
             "", f"bf16 GEMM peak: {peak['tflops']:.0f} TFLOP/s" if peak else "bf16 GEMM peak: not measured", "",
             "| workload | engine | rows/s | s | useful TFLOP/s | eff. vs bf16 peak | labels = sdpa | tokenize s | infer s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in RESULTS["runs"]:
        lines.append(f"| {r['workload']} | {r['name']} | {r['rows_per_s']:.0f} | {r['seconds']:.2f} | "
                     f"{r['useful_tflops']:.1f} | {r.get('efficiency_vs_bf16_peak', 0):.1%} | "
                     f"{r.get('label_agreement_vs_sdpa', float('nan')):.4f} | {fmt(r.get('tokenize_s'))} | {fmt(r.get('infer_s'))} |")
    lines += ["", "Steps: " + ", ".join(f"{k}: {v['status']}" for k, v in RESULTS["steps"].items())]
    (out / "gpu_check.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
