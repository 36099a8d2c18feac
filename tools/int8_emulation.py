#!/usr/bin/env python3
"""Emulates hfbatch's int8 scheme (ops/linear_int8.h) in PyTorch on a BertForSequenceClassification, to
compare quantization variants on label agreement and |Δp| against fp32 without touching the engine:
per-token asymmetric u8 activations, per-channel symmetric 7-bit weights, optionally a set of input
channels kept in fp32 ("outlier channels"), chosen

  - `none`:  no outlier channels (the scheme before);
  - `ln`:    data-free, as the engine does: the K channels with the largest max over the model's LayerNorms of
             3·|γ| + |β| (embeddings LN, every LN1 and LN2), for QKV and FFN-in (whose inputs are LN outputs);
  - `calib`: the K channels with the largest |x| seen on calibration rows (rows 10,000-10,255 of the input),
             per linear and for all four linears (an upper bound: needs data, not what the engine does).

The engine today is `ln:16:two` (FFN-out's weights in two terms). The emulation matched the engine on the
same rows (4,000 W-short rows, all-MiniLM-L6-v2 with the bench head: 99.33% / mean |Δp| 0.0125 here, 99.28% /
0.0125 from `hfbatch classify --dtype int8`, scheme `none`; `ln:16:two` 0.0054 here, 0.0054 in the engine).

  .venv-tools/bin/python tools/int8_emulation.py --model bench/models/minilm/hf \
      --input bench/data/w-short.parquet --rows 4000 none ln:16 ln:16:two calib:16
"""
import argparse

import numpy as np
import pyarrow.parquet as pq
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer


def quantize_activations(x, levels=255):
    """Per row (token), asymmetric, the row's [min, max] ∪ {0} onto [0, levels]; returns the dequantized x."""
    lo = torch.clamp(x.min(-1, keepdim=True).values, max=0)
    hi = torch.clamp(x.max(-1, keepdim=True).values, min=0)
    s = (hi - lo) / levels
    s[s == 0] = 1
    z = torch.round(-lo / s)
    return (torch.clamp(torch.round(x / s) + z, 0, levels) - z) * s


def quantize_weights(w, wmax=63):
    """Per output channel, symmetric, [-wmax, wmax]; returns the dequantized w."""
    s = w.abs().max(1, keepdim=True).values / wmax
    s[s == 0] = 1
    return torch.round(w / s).clamp(-wmax, wmax) * s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--text-column", default="text")
    ap.add_argument("--rows", type=int, default=4000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("variants", nargs="+", help="none | ln:K | calib:K, each optionally :a7w8 (u7 activations, "
                                                "8-bit weights: also saturation-free) e.g. ln:16:a7w8, or :foN "
                                                "(per token, the N largest |x| of FFN-out's input in fp32), or "
                                                ":two (FFN-out's weights in two 7-bit terms, as the engine does)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    tok = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForSequenceClassification.from_pretrained(args.model).eval()
    table = pq.read_table(args.input).column(args.text_column).to_pylist()
    texts, calib_texts = table[:args.rows], table[10000:10256]
    order = np.argsort([len(tok(t, truncation=True)["input_ids"]) for t in texts])
    batches = [(order[b:b + 64], tok([texts[i] for i in order[b:b + 64]], padding=True, truncation=True,
                                     return_tensors="pt")) for b in range(0, len(texts), 64)]

    def probabilities():
        out = np.zeros((len(texts), model.num_labels))
        with torch.no_grad():
            for idx, enc in batches:
                out[idx] = torch.softmax(model(**enc).logits, -1).numpy()
        return out

    layers = model.base_model.encoder.layer
    linears = []  # (kind, module)
    for l in layers:
        linears += [("qkv", l.attention.self.query), ("qkv", l.attention.self.key), ("qkv", l.attention.self.value),
                    ("ao", l.attention.output.dense), ("fi", l.intermediate.dense), ("fo", l.output.dense)]
    original = {id(m): m.forward for _, m in linears}
    reference = probabilities()

    def install(outliers_of, a_levels=255, w_max=63, dynamic_fo=0, two_term_fo=False):
        """outliers_of(kind, module) → LongTensor of fp32 input channels (may be empty). dynamic_fo: per row,
        the FFN-out input's dynamic_fo largest |x| channels stay fp32 (chosen per token, at run time).
        two_term_fo: FFN-out's weights as two 7-bit terms (the second quantizes the first one's residual)."""
        for kind, m in linears:
            w, b, o = m.weight.data.clone(), m.bias.data, outliers_of(kind, m)

            def forward(x, w=w, b=b, o=o, dyn=dynamic_fo if kind == "fo" else 0, two=two_term_fo and kind == "fo"):
                if two:
                    w1 = quantize_weights(w, w_max)
                    return torch.nn.functional.linear(quantize_activations(x, a_levels),
                                                      w1 + quantize_weights(w - w1, w_max), b)
                if dyn:
                    top = x.abs().topk(dyn, dim=-1).indices
                    keep = torch.zeros_like(x).scatter_(-1, top, 1.0)
                    exact = x * keep
                    wq = quantize_weights(w, w_max)
                    return (torch.nn.functional.linear(quantize_activations(x - exact, a_levels), wq, b)
                            + exact @ w.T)
                if len(o) == 0:
                    return torch.nn.functional.linear(quantize_activations(x, a_levels), quantize_weights(w, w_max), b)
                xm, wm = x.clone(), w.clone()
                xm[..., o] = 0
                wm[:, o] = 0
                return (torch.nn.functional.linear(quantize_activations(xm, a_levels), quantize_weights(wm, w_max), b)
                        + x[..., o] @ w[:, o].T)
            m.forward = forward

    def calibration_ranking():
        seen = {}
        hooks = [m.register_forward_hook(
            lambda m, inp, out: seen.__setitem__(id(m), torch.maximum(
                seen.get(id(m), torch.zeros(inp[0].shape[-1])), inp[0].abs().reshape(-1, inp[0].shape[-1]).max(0).values)))
            for _, m in linears]
        for m in (m for _, m in linears):
            m.forward = original[id(m)]
        with torch.no_grad():
            for b in range(0, len(calib_texts), 32):
                model(**tok(calib_texts[b:b + 32], padding=True, truncation=True, return_tensors="pt"))
        for h in hooks:
            h.remove()
        return {k: torch.argsort(v, descending=True) for k, v in seen.items()}

    empty = torch.tensor([], dtype=torch.long)
    for variant in args.variants:
        name, _, rest = variant.partition(":")
        k, _, bits = rest.partition(":")  # bits: "" (u8 activations, 7-bit weights), "a7w8", "foN" or "two"
        k = int(k or 0)
        levels = dict(a_levels=127, w_max=127) if bits == "a7w8" else {}
        if bits.startswith("fo"):
            levels = dict(dynamic_fo=int(bits[2:]))
        if bits == "two":
            levels = dict(two_term_fo=True)
        if name == "none":
            install(lambda kind, m: empty, **levels)
        elif name == "ln":
            lns = [model.base_model.embeddings.LayerNorm] + [x for l in layers for x in
                                                            (l.attention.output.LayerNorm, l.output.LayerNorm)]
            rng = torch.stack([3 * ln.weight.detach().abs() + ln.bias.detach().abs() for ln in lns]).max(0).values
            top = torch.sort(torch.argsort(rng, descending=True)[:k]).values
            install(lambda kind, m: top if kind in ("qkv", "fi") else empty, **levels)
        elif name == "calib":
            ranking = calibration_ranking()
            install(lambda kind, m: ranking[id(m)][:k], **levels)
        else:
            raise SystemExit(f"unknown variant {variant}")
        p = probabilities()
        agree = (p.argmax(1) == reference.argmax(1)).mean() * 100
        dp = np.abs(p - reference).max(1)
        print(f"{variant}: label agreement {agree:.2f}% ({int((p.argmax(1) != reference.argmax(1)).sum())} of "
              f"{len(texts)} changed), |Δp| mean {dp.mean():.4f} p99 {np.quantile(dp, 0.99):.4f} max {dp.max():.4f}",
              flush=True)


if __name__ == "__main__":
    main()
