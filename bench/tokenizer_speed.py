#!/usr/bin/env python3
"""Tokenizer speed, side by side in one run (../shared/BENCHMARKS.md): our C++ tokenizer
(build/tests/hfbatch_tokenizer_bench) against Hugging Face `tokenizers` `Tokenizer.encode_batch` with
RAYON_NUM_THREADS=1, single thread, ids only (add_special_tokens, no truncation, no padding), on the same
corpus: a fixed sample of Debian fortunes lines in every installed language plus whole multi-line fortunes
(tools/tokenizer_parity.py fortune_lines, seed 0). Also our pool scaling: core::ThreadPool with 2 threads
versus 1, as runtime::Session uses it (one encode per row).

Run (after building hfbatch_tokenizer_bench):
  .venv-tools/bin/python bench/tokenizer_speed.py [--lines 20000] [--reps 5] [--only minilm ...]
Writes docs/benchmarks/tokenizer_speed.json (this run) and puts this run's section on top of
docs/benchmarks/tokenizer_speed.md (earlier runs stay below).
"""
import os

os.environ["RAYON_NUM_THREADS"] = "1"  # before tokenizers is imported
os.environ["TOKENIZERS_PARALLELISM"] = "false"

import argparse
import datetime
import json
import platform
import random
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import tokenizer_parity as tp  # noqa: E402

G = os.path.join(ROOT, "tests", "golden", "tokenizers", "trained")
TOKENIZERS = [  # (name, family, path)
    ("minilm", "WordPiece", os.path.join(tp.MINILM, "tokenizer.json")),
    ("mbert_like", "WordPiece", os.path.join(G, "mbert_like.tokenizer.json")),
    ("bpe_roberta", "BPE (byte-level)", os.path.join(G, "bpe_roberta.tokenizer.json")),
    ("modernbert_like", "BPE (Split regex)", os.path.join(G, "modernbert_like.tokenizer.json")),
    ("xlmr_like", "Unigram (Precompiled)", os.path.join(G, "xlmr_like.tokenizer.json")),
    ("debertav3_like", "Unigram", os.path.join(G, "debertav3_like.tokenizer.json")),
]


def bench_corpus(n_lines):
    lines = list(dict.fromkeys(tp.fortune_lines()))
    rng = random.Random(0)
    if n_lines and len(lines) > n_lines:
        lines = rng.sample(lines, n_lines)
    blocks = ["\n".join(lines[i:i + 12]) for i in range(0, len(lines) - 12, 97)]
    return lines + blocks


def hf_bench(tok, texts, reps):
    times, tokens = [], 0
    for _ in range(reps):
        t0 = time.perf_counter()
        enc = tok.encode_batch(texts, add_special_tokens=True)
        times.append(time.perf_counter() - t0)
        tokens = sum(len(e.ids) for e in enc)
        del enc
    times.sort()
    return {"best_s": times[0], "median_s": times[len(times) // 2], "tokens": tokens}


def ours_bench(binary, path, corpus_file, threads, reps):
    r = subprocess.run([binary, path, corpus_file, "--threads", str(threads), "--reps", str(reps)],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def machine():
    model = ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return {"cpu": model, "cpus": os.cpu_count(), "platform": platform.platform()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=20000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--scaling-rounds", type=int, default=12,
                    help="extra interleaved 1-thread / 2-thread rounds of hfbatch alone for the scaling figure")
    ap.add_argument("--only", action="append")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "tests", "hfbatch_tokenizer_bench"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks", "tokenizer_speed"))
    args = ap.parse_args()
    import tokenizers
    texts = bench_corpus(args.lines)
    assert all("\0" not in t for t in texts)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    with tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False) as f:
        f.write("\0".join(texts).encode("utf-8"))
        corpus_file = f.name
    from benchlib import git_commit
    result = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "commit": git_commit(), "machine": machine(),
              "load_avg_before": os.getloadavg(), "tokenizers_version": tokenizers.__version__,
              "corpus": {"texts": len(texts), "bytes": nbytes, "source": "Debian fortunes sample, seed 0"},
              "reps": args.reps, "rows": []}
    for name, family, path in TOKENIZERS:
        if args.only and name not in args.only:
            continue
        if not os.path.exists(path):
            print(f"skip {name}: {path} missing", file=sys.stderr)
            continue
        # Rounds interleave the systems, so that a burst of load from other jobs hits all of them; the best
        # rep over all rounds counts.
        from tokenizers import Tokenizer
        tok = Tokenizer.from_file(path)
        tok.no_padding()
        tok.no_truncation()
        hf = o1 = o2 = None
        for _ in range(args.rounds):
            h = hf_bench(tok, texts, args.reps)
            a = ours_bench(args.binary, path, corpus_file, 1, args.reps)
            b = ours_bench(args.binary, path, corpus_file, 2, args.reps)
            hf = h if hf is None or h["best_s"] < hf["best_s"] else hf
            o1 = a if o1 is None or a["best_s"] < o1["best_s"] else o1
            o2 = b if o2 is None or b["best_s"] < o2["best_s"] else o2
        # The 2-thread scaling compares two short runs (~0.1 s) on shared vCPUs whose speed drifts by 10-20%
        # from one second to the next; more interleaved rounds of the cheap hfbatch runs (HF is not part of
        # that ratio) let the best of each see the same quiet machine.
        s1 = o1
        for _ in range(args.scaling_rounds):
            a = ours_bench(args.binary, path, corpus_file, 1, args.reps)
            b = ours_bench(args.binary, path, corpus_file, 2, args.reps)
            s1 = a if a["best_s"] < s1["best_s"] else s1
            o2 = b if b["best_s"] < o2["best_s"] else o2
        if o1["tokens"] != hf["tokens"]:
            print(f"WARNING {name}: token count differs (ours {o1['tokens']}, hf {hf['tokens']})", file=sys.stderr)
        row = {"name": name, "family": family, "tokens": hf["tokens"], "tokens_match": o1["tokens"] == hf["tokens"],
               "hf_1t_s": hf["best_s"], "ours_1t_s": o1["best_s"], "ours_2t_s": o2["best_s"],
               "ours_1t_cpu_s": o1["best_cpu_s"], "ours_2t_cpu_s": o2["best_cpu_s"],
               "hf_sent_s": len(texts) / hf["best_s"], "ours_sent_s": len(texts) / o1["best_s"],
               "hf_mb_s": nbytes / hf["best_s"] / 1e6, "ours_mb_s": nbytes / o1["best_s"] / 1e6,
               "ours_2t_sent_s": len(texts) / o2["best_s"], "ours_2t_mb_s": nbytes / o2["best_s"] / 1e6,
               "speedup_vs_hf": hf["best_s"] / o1["best_s"],
               # best 1-thread over best 2-thread, both over all rounds (the HF rounds and the scaling rounds)
               "ours_1t_scaling_s": s1["best_s"], "scaling_2t": s1["best_s"] / o2["best_s"],
               # CPU seconds (both threads) of the 2-thread run over the 1-thread run: 1.0 = no parallel overhead.
               "cpu_ratio_2t": o2["best_cpu_s"] / s1["best_cpu_s"]}
        result["rows"].append(row)
        print(f"{name:<16} {family:<22} hf {row['hf_sent_s']:>9.0f}/s {row['hf_mb_s']:6.2f} MB/s | ours "
              f"{row['ours_sent_s']:>9.0f}/s {row['ours_mb_s']:6.2f} MB/s | x{row['speedup_vs_hf']:.2f} | "
              f"2 threads x{row['scaling_2t']:.2f} (cpu ratio {row['cpu_ratio_2t']:.2f})", flush=True)
    result["load_avg_after"] = os.getloadavg()
    os.unlink(corpus_file)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out + ".json", "w") as f:
        json.dump(result, f, indent=1)
    m = result["machine"]
    title = f"# Tokenizer speed: hfbatch vs Hugging Face tokenizers {result['tokenizers_version']}"
    md = [f"## Run of {result['date']}, commit {result['commit']} (load average {result['load_avg_before'][0]:.2f})", "",
          f"Produced by `bench/tokenizer_speed.py --lines {args.lines} --reps {args.reps} --rounds {args.rounds} --scaling-rounds {args.scaling_rounds}` on {result['date']}, commit "
          f"{result['commit']}; {m['cpu']}, {m['cpus']} CPUs (shared with other jobs: load average "
          f"{result['load_avg_before'][0]:.2f} before, {result['load_avg_after'][0]:.2f} after). Corpus: "
          f"{len(texts)} texts, {nbytes / 1e6:.2f} MB (Debian fortunes, several languages, seed 0). Single thread, "
          "ids only, add_special_tokens, no truncation/padding; HF = `Tokenizer.encode_batch` with "
          "RAYON_NUM_THREADS=1; best rep over interleaved rounds. 2 threads: core::ThreadPool(2), one encode per "
          "row, chunks of 4096 rows (a job's read chunk); 2-thread scaling = best 1-thread / best 2-thread time over "
          "all rounds, including the extra interleaved hfbatch-only scaling rounds; CPU ratio = CPU seconds of the 2-thread run / of the 1-thread run (1.00 = no parallel overhead; "
          "the wall-clock scaling also depends on how busy the shared cores are).", "",
          "| tokenizer | model | HF sent/s | HF MB/s | hfbatch sent/s | hfbatch MB/s | hfbatch / HF | hfbatch 2 threads sent/s | 2-thread scaling | CPU ratio | same token count |",
          "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in result["rows"]:
        md.append(f"| {r['name']} | {r['family']} | {r['hf_sent_s']:.0f} | {r['hf_mb_s']:.2f} | {r['ours_sent_s']:.0f} | "
                  f"{r['ours_mb_s']:.2f} | {r['speedup_vs_hf']:.2f}x | {r['ours_2t_sent_s']:.0f} | {r['scaling_2t']:.2f}x | "
                  f"{r['cpu_ratio_2t']:.2f} | "
                  f"{'yes' if r['tokens_match'] else 'NO'} |")
    # The newest run goes on top; earlier runs' sections (everything after the old title) stay below it.
    earlier = ""
    if os.path.exists(args.out + ".md"):
        with open(args.out + ".md") as f:
            old = f.read()
        earlier = old.split("\n", 1)[1] if old.startswith("# ") else old
    with open(args.out + ".md", "w") as f:
        f.write(title + "\n\n" + "\n".join(md) + "\n" + earlier)
    print("wrote", args.out + ".json", args.out + ".md")


if __name__ == "__main__":
    main()
