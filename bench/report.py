"""Markdown table and PNG chart of a bench/run_bench.py result (the JSON document it builds)."""
import json
import pathlib

import int8_vs_fp32 as numerics

SYSTEM_NAMES = {
    "hfbatch-fp32": "hfbatch classify, fp32, text",
    "hfbatch-pretok": "hfbatch classify, fp32, pre-tokenized (seed's padded-128 ids)",
    "hfbatch-bf16": "hfbatch classify, bf16",
    "hfbatch-int8": "hfbatch classify, int8",
    "pipeline": "transformers pipeline, PyTorch fp32, batch 32, truncation",
    "padded128": "seed Horovod job: padding=max_length 128, batch 128, PyTorch fp32",
    "ort-fp32": "ONNX Runtime fp32, transformer optimizer, batch 32 dynamic padding",
    "ort-int8": "ONNX Runtime int8 dynamic quantization (of the optimized model)",
    "ct2": "CTranslate2 fp32 encoder+pooler, batch 32 (head in numpy)",
    "openvino": "OpenVINO, CPU plugin's default precision, length-sorted batches of 32",
    "openvino-f32": "OpenVINO, INFERENCE_PRECISION_HINT f32, length-sorted batches of 32",
    "torch-bf16": "PyTorch, model.to(bfloat16), inference_mode, length-sorted batches of 32",
}
# Issue 14's targets, all judged start-up excluded: (workloads, models, numerator, denominator, what, threshold).
# "ratio" = numerator's rows/s ÷ denominator's; "efficiency" = the numerator's useful-FLOP efficiency against
# its precision's GEMM peak. Cells not named here still show the figure, without a target.
BF16_TARGETS = [
    ("hfbatch-bf16", "openvino", "ratio", 1.5, None),
    ("hfbatch-bf16", "hfbatch-fp32", "ratio", 3.0, {("w-long", "bert-base")}),
    ("hfbatch-int8", "hfbatch-bf16", "ratio", 1.3, None),
    ("hfbatch-bf16", None, "efficiency", 0.50, {("w-long", m) for m in ("minilm", "bert-base", "deberta-base")}),
]
AGREEMENT_TARGETS = {"bf16": 0.998, "int8": 0.995}
# Issue 16's figures (no targets): each hfbatch precision against each peer of the archs profile.
ARCHS_RATIOS = [(h, peer) for peer in ("pipeline", "openvino") for h in ("hfbatch-fp32", "hfbatch-bf16", "hfbatch-int8")]
# Issue 7's targets: (workload, model, system, what, threshold).
TARGETS = [
    ("w-short", "minilm", "pipeline", "ratio", 4.0), ("w-short", "minilm", "padded128", "ratio", 10.0),
    ("w-short", "minilm", "ort-fp32", "ratio", 1.5),
    ("w-short", "bert-base", "pipeline", "ratio", 3.0), ("w-short", "bert-base", "padded128", "ratio", 5.0),
    ("w-short", "bert-base", "ort-fp32", "ratio", 1.5),
    ("w-long", "bert-base", "ort-fp32", "ratio", 1.1), ("w-long", "bert-base", "hfbatch-fp32", "efficiency", 0.60),
    ("w-short", "minilm", "hfbatch-int8", "int8 speedup", 1.3), ("w-short", "minilm", "hfbatch-int8", "agreement", 0.995),
    ("w-short", "bert-base", "hfbatch-int8", "int8 speedup", 1.3),
    ("w-short", "bert-base", "hfbatch-int8", "agreement", 0.995),
]


def percent(v):
    return "" if v is None else f"{v:.1%}"


def cell_table(c):
    lines = ["| system | rows | wall s | rows/s | real tokens/s | hfbatch fp32 ÷ system | same, start-up excluded "
             "| GEMM precision | useful-FLOP eff. | same, start-up excluded | peak RSS MiB | labels = hfbatch fp32 "
             "| max Δp |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, s in c["systems"].items():
        label = SYSTEM_NAMES.get(name, name)
        if "rows_per_s" not in s:
            lines.append(f"| {label} | — | {'skipped: ' + s['skipped'] if 'skipped' in s else 'FAILED'} "
                         "| | | | | | | | | | |")
            continue
        agree = f"{s['label_agreement']:.2%}" if "label_agreement" in s else "(reference)"
        dp = f"{s['max_prob_change']:.2g}" if "max_prob_change" in s else ""
        scoring_eff = s.get("scoring_useful_flop_efficiency")  # absent in results before issue 14
        lines.append(f"| {label} | {c['rows']} | {s['wall_s']:.1f} | {s['rows_per_s']:.1f} "
                     f"| {s['real_tokens_per_s']:.0f} | {s.get('hfbatch_fp32_ratio', float('nan')):.2f}x "
                     f"| {s.get('hfbatch_fp32_scoring_ratio', float('nan')):.2f}x "
                     f"| {s.get('precision', 'fp32')} | {percent(s['useful_flop_efficiency'])} "
                     f"| {percent(scoring_eff)} "
                     f"| {s['peak_rss_mb']:.0f} | {agree} | {dp} |")
    return "\n".join(lines)


def stage_lines(c):
    """hfbatch's own per-stage split (its --summary) next to the process wall time, per hfbatch mode."""
    out = []
    for name, s in c["systems"].items():
        if "hfbatch_seconds" in s:
            st = ", ".join(f"{k} {v:.2f}" for k, v in s["hfbatch_seconds"].items())
            out.append(f"{name} stages (s): {st}; process wall {s['wall_s']:.2f} s.  ")
    return "\n".join(out) + "\n"


def targets_table(doc):
    cells = {(c["workload"], c["model"]): c for c in doc["cells"]}
    lines = ["| cell | target | measured | met |", "|---|---|---|---|"]
    for wl, model, system, what, thr in TARGETS:
        s = cells.get((wl, model), {}).get("systems", {}).get(system, {})
        fp32 = cells.get((wl, model), {}).get("systems", {}).get("hfbatch-fp32", {})
        if what == "ratio":  # judged without start-up: the smaller, long-job ratio (see the cell tables)
            v, text = s.get("hfbatch_fp32_scoring_ratio"), f"hfbatch fp32 ≥ {thr}x {system} (start-up excluded)"
        elif what == "efficiency":
            v, text = s.get("useful_flop_efficiency"), f"hfbatch fp32 useful-FLOP efficiency ≥ {thr:.0%}"
        elif what == "int8 speedup":
            v = (s["scoring_rows_per_s"] / fp32["scoring_rows_per_s"]
                 if "scoring_rows_per_s" in s and "scoring_rows_per_s" in fp32 else None)
            text = f"hfbatch int8 ≥ {thr}x hfbatch fp32"
        else:
            v, text = s.get("label_agreement"), f"int8 labels = fp32 labels ≥ {thr:.1%}"
        shown = "not run" if v is None else (f"{v:.2f}x" if "ratio" in what or "speedup" in what else f"{v:.1%}")
        met = "" if v is None else ("yes" if v >= thr else "no")
        lines.append(f"| {wl} / {model} | {text} | {shown} | {met} |")
    for c in doc["cells"]:  # the memory bound, on every cell (the 1M-row check: bench/rss_check)
        s = c["systems"].get("hfbatch-fp32", {})
        if "peak_rss_mb" in s:
            bound = c["model_bytes"] / 2**20 + 512
            lines.append(f"| {c['workload']} / {c['model']} | hfbatch fp32 peak RSS ≤ model + 512 MiB "
                         f"({bound:.0f}) | {s['peak_rss_mb']:.0f} MiB | {'yes' if s['peak_rss_mb'] <= bound else 'no'} |")
    return "\n".join(lines)


def gemm_peak_line(g):
    """The peaks of the run: one fp32 figure (results before issue 14) or one per precision."""
    if "gflops" in g:
        return (f"GEMM peak (same run): {g['library']}, {g['m']}³ fp32, {g['threads']} threads: "
                f"**{g['gflops']:.1f} GFLOP/s**.")
    have = [p for p in ("fp32", "bf16", "int8") if g.get(p, {}).get("gflops")]
    figures = "; ".join(f"{p} **{g[p]['gflops']:.1f}** ({g[p]['how']})" if p in have else
                        f"{p} not measured ({g[p].get('error')})" for p in ("fp32", "bf16", "int8") if p in g)
    ratio = "".join(f" {p} peak ÷ fp32 peak = {g[p]['gflops'] / g['fp32']['gflops']:.2f}x." for p in ("bf16", "int8")
                    if p in have and "fp32" in have)
    both = (" Measured at the start and the end of the run, the higher kept (start "
            + ", ".join(f"{p} {v}" for p, v in g["measured"][0].items()) + "; end "
            + ", ".join(f"{p} {v}" for p, v in g["measured"][1].items()) + ")." if "measured" in g else "")
    return (f"GEMM peaks (same run, bench/gemm_peak.cc): {g['library']}, dispatching to {g.get('isa', '?')}, "
            f"{g['m']}³, {g['threads']} threads, G(FL)OP/s: {figures}.{ratio}{both} Each system's useful-FLOP efficiency "
            "is against the peak of the precision its GEMMs use (column \"GEMM precision\"; OpenVINO's default "
            "is the precision its CPU plugin reports).")


def cell_rate(c, system):
    """rows/s start-up excluded, or None where the system did not run."""
    return c.get("systems", {}).get(system, {}).get("scoring_rows_per_s")


def bf16_targets_table(doc):
    """Issue 14's ratios on every cell of the run, start-up excluded; a target where the issue sets one."""
    lines = ["| cell | figure (start-up excluded) | measured | target | met |", "|---|---|---|---|---|"]
    for c in doc["cells"]:
        key = (c["workload"], c["model"])
        for num, den, what, thr, where in BF16_TARGETS:
            if what == "ratio":
                a, b = cell_rate(c, num), cell_rate(c, den)
                v = a / b if a and b else None
                text, shown = f"{num} ÷ {den} rows/s", "not run" if v is None else f"{v:.2f}x"
                goal = f"≥ {thr}x"
            else:
                v = c.get("systems", {}).get(num, {}).get("scoring_useful_flop_efficiency")
                text, shown = f"{num} useful-FLOP efficiency vs bf16 peak", "not run" if v is None else f"{v:.1%}"
                goal = f"≥ {thr:.0%}"
            targeted = where is None or key in where
            met = "" if v is None or not targeted else ("yes" if v >= thr else "no")
            lines.append(f"| {c['workload']} / {c['model']} | {text} | {shown} | {goal if targeted else '—'} | {met} |")
    return "\n".join(lines)


def archs_ratio_table(doc):
    """hfbatch ÷ peer rows/s on every cell, end to end and start-up excluded; why, where a side did not run."""
    lines = ["| cell | hfbatch ÷ peer | rows/s ratio, end to end | start-up excluded |", "|---|---|---|---|"]
    for c in doc["cells"]:
        for num, den in ARCHS_RATIOS:
            a, b = c["systems"].get(num, {}), c["systems"].get(den, {})
            if "rows_per_s" in a and "rows_per_s" in b:
                shown = (f"{a['rows_per_s'] / b['rows_per_s']:.2f}x "
                         f"| {a['scoring_rows_per_s'] / b['scoring_rows_per_s']:.2f}x")
            else:
                why = "; ".join(f"{n}: {s.get('skipped') or s.get('failed') or 'not run'}"
                                for n, s in ((num, a), (den, b)) if "rows_per_s" not in s)
                shown = f"not run ({why}) | "
            lines.append(f"| {c['workload']} / {c['model']} | {num} ÷ {den} | {shown} |")
    return "\n".join(lines)


def failures(doc):
    """Every system that failed or was skipped, with its reason, word for word."""
    out = [f"- {c['workload']} / {c['model']}, `{n}`: {'FAILED: ' if 'failed' in s else 'skipped: '}"
           f"{(s.get('failed') or s.get('skipped')).strip()}"
           for c in doc["cells"] for n, s in c["systems"].items() if "failed" in s or "skipped" in s]
    return ["## Systems that did not run\n", "\n".join(out), ""] if out else []


def targets_section(doc):
    if doc["profile"] == "bf16":
        return ["## Targets (issue 14)\n", bf16_targets_table(doc), ""]
    if doc["profile"] == "archs":
        return ["## hfbatch ÷ peers (issue 16; no targets set)\n", archs_ratio_table(doc), "", *failures(doc)]
    return ["## Targets (issue 7)\n", targets_table(doc), ""]


def agreement_section(doc):
    a = doc.get("agreement")
    if not a:
        return []
    if "skipped" in a:
        return ["## Agreement with hfbatch fp32\n", f"Skipped: {a['skipped']}.\n"]
    goals = "; ".join(f"{d} labels ≥ {AGREEMENT_TARGETS[d]:.1%}: "
                      f"{'yes' if q['label_agreement'] >= AGREEMENT_TARGETS[d] else 'no'}"
                      for d, q in a["dtypes"].items() if d in AGREEMENT_TARGETS)
    return [f"## Agreement with hfbatch fp32 ({a['rows']:,} W-short rows)\n",
            f"`hfbatch classify --dtype D` against `--dtype fp32` on {a['rows']:,} rows of {a['input']}, the default "
            "model (all-MiniLM-L6-v2) with its trained English / other head (bench/make_minilm_classifier.py), so "
            "labels mean something; one interleaved round (bench/int8_vs_fp32.py), whole-process rows/s. "
            f"Issue 14's targets: {goals}.\n", numerics.table(a), ""]


def openvino_note(doc):
    """How the OpenVINO and PyTorch-bf16 peers ran, from their own reports (empty when none ran)."""
    ran = {n: s for c in doc["cells"] for n, s in c["systems"].items() if "peer" in s}
    notes = []
    for name in ("openvino", "openvino-f32"):
        if name in ran:
            p = ran[name]["peer"]
            notes.append(f"`{name}` ran at INFERENCE_PRECISION_HINT {p.get('precision')} (the CPU plugin's default "
                         f"here: {p.get('cpu_default_precision')}; OpenVINO {p.get('openvino')})")
    if "torch-bf16" in ran:
        notes.append(f"`torch-bf16` ran with {ran['torch-bf16']['peer'].get('precision')} parameters "
                     f"(PyTorch {ran['torch-bf16']['peer'].get('torch')})")
    if not notes:
        return ""
    return ("OpenVINO's models: ov.convert_model of the transformers model, saved with fp32 weights "
            "(bench/make_bench_models.py); the OpenVINO and PyTorch-bf16 peers tokenize every row once, sort rows "
            "by length and run batches of 32 padded to their longest row (bench/peers.py). " + "; ".join(notes) + ".\n")


def write_markdown(doc, out):
    m = doc["machine"]
    g = doc["gemm_peak"]
    scale = f" × {doc['scale']} rows" if doc.get("scale", 1) != 1 else ""
    parts = [f"# CPU benchmark: hfbatch and its peers — {m['date']}\n",
             f"Machine: {m['cpu']}, {m['cores']} cores, **{m['threads']} threads for every system**. "
             f"Commit {m['commit']}. Profile `{doc['profile']}`{scale} (rows per cell below; `full` = the whole "
             f"BENCHMARKS.md files). Load average before {m['load_average']}, after "
             f"{doc.get('load_average_after')} — "
             "other jobs shared the cores unless the load stayed near the thread count. "
             f"Whole run {doc.get('elapsed_s', 0) / 60:.1f} min.\n",
             *([doc["note"] + "\n"] if doc.get("note") else []),
             gemm_peak_line(g) + " Useful-FLOP efficiency = FLOPs the model needs on the real tokens "
             "(BENCHMARKS.md formula, pooler and head included; DeBERTa's relative-position terms not counted) "
             "/ (wall time × that peak).\n",
             "Every system is its own process, timed end to end (interpreter start, model load, Parquet read, "
             "tokenize, infer, Parquet write); peak RSS from /usr/bin/time. Label agreement and the largest "
             "probability change are against hfbatch fp32 on the same rows. The padded-128 job truncates at "
             "128 tokens (its tokens/s and FLOPs count that), the others at the model's limit (512). "
             f"hfbatch --dtype values in this build: {', '.join(doc.get('hfbatch_dtypes', ['fp32', 'int8'] if doc['hfbatch_int8'] else ['fp32']))} "
             "(a mode it lacks is skipped).\n",
             "Peers' models (bench/make_bench_models.py): ONNX by torch.onnx.export (legacy exporter, opset 17); "
             "BERT models optimized by onnxruntime.transformers' optimizer (model_type bert: EmbedLayerNorm, "
             "Attention, SkipLayerNorm, BiasGelu fused), DeBERTa by onnxruntime's own ORT_ENABLE_EXTENDED graph "
             "optimizer (the transformers optimizer was OOM-killed at 18 GB on it); int8 = quantize_dynamic of "
             "the optimized model. CTranslate2 converts BertModel (encoder + pooler) only: its classifier is "
             "applied in numpy; it has no DeBERTa converter. deberta-base uses a 3,500-piece deberta-v3-like "
             "sentencepiece tokenizer (more tokens per row than the real 128k vocabulary, same for every system). "
             "ONNX Runtime and OpenMP runtimes spin-wait by default: on a loaded machine that costs them more "
             "than on a quiet one. With few rows, start-up (imports, model load: `load_s` of each peer in the JSON) "
             "is a large part of every wall time, so the ratios of a small run are larger than a full run's.\n",
             openvino_note(doc),
             ("Workload files (bench/make_workloads.py), tokens per row under the default model's tokenizer, "
              "untruncated: " + "; ".join(f"{w} {p['rows']:,} rows, mean {p['mean']}, p50 {p['p50']}, p95 {p['p95']}, "
                                        f"{p['over_128']} over 128, {p['over_512']} over 512"
                                        for w, p in doc["workload_tokens_minilm"].items()) + ".\n")
             if "workload_tokens_minilm" in doc else "",
             *targets_section(doc),
             *agreement_section(doc)]
    for c in doc["cells"]:
        w = c["work"]["model_limit"]
        parts += [f"## {c['workload']} / {c['model']} — {c['rows']} rows ({c['input']})\n",
                  f"{w['real_tokens']} real tokens ({w['real_tokens'] / c['rows']:.1f} per row), "
                  f"{w['useful_flop'] / 1e12:.2f} useful TFLOP; model folder {c['model_bytes'] / 2**20:.0f} MiB.\n",
                  cell_table(c), "", stage_lines(c)]
    out.with_suffix(".md").write_text("\n".join(parts) + "\n")


def write_chart(doc, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    cells = doc["cells"]
    systems = [s for s in SYSTEM_NAMES if any("rows_per_s" in c["systems"].get(s, {}) for c in cells)]
    ncols = min(3, len(cells))
    nrows = -(-len(cells) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 2.9 * nrows + 1.2), squeeze=False)
    colors = plt.get_cmap("tab10").colors
    for ax in axes.flat[len(cells):]:
        ax.set_visible(False)
    for ax, c in zip(axes.flat, cells):
        vals = [c["systems"].get(s, {}).get("rows_per_s", 0) for s in systems]
        ax.bar(range(len(systems)), vals, color=[colors[i % 10] for i in range(len(systems))])
        ax.set_title(f"{c['workload']}\n{c['model']} ({c['rows']} rows)", fontsize=9)
        ax.set_xticks([])
        ax.tick_params(labelsize=8)
    for row in axes:
        row[0].set_ylabel("rows/s (end to end)", fontsize=8)
    fig.legend([plt.Rectangle((0, 0), 1, 1, color=colors[i % 10]) for i in range(len(systems))], systems,
               loc="lower center", ncol=4, fontsize=8)
    m = doc["machine"]
    fig.suptitle(f"hfbatch vs peers, end-to-end rows/s, {m['threads']} threads, {m['cpu']}\n"
                 f"commit {m['commit']}, {m['date']}, profile {doc['profile']}, load {m['load_average'][0]}",
                 fontsize=9)
    fig.tight_layout(rect=(0, 0.06, 1, 0.93))
    fig.savefig(out.with_suffix(".png"), dpi=90)
    plt.close(fig)


def write(doc, out):
    out = pathlib.Path(out)
    write_markdown(doc, out)
    write_chart(doc, out)


if __name__ == "__main__":  # re-render from a JSON file: report.py docs/benchmarks/cpu_bench.json
    import sys
    p = pathlib.Path(sys.argv[1])
    write(json.loads(p.read_text()), p.with_suffix(""))
