"""One peer system scoring one Parquet file, in its own process (run by bench/run_bench.py in .venv-tools):
reads the text column(s), scores every row, writes `label_id` (int32) and `probabilities` (list<float32>,
label order) to a Parquet file, and prints a JSON report {rows, load_s, total_s} as its last line.

  peers.py SYSTEM --model HF_DIR --input IN.parquet --output OUT.parquet --threads N --columns text[,pair]
           [--artifact ONNX_FILE|CT2_DIR|OPENVINO_DIR] [--precision f32]

Systems (BENCHMARKS.md "Peers"):
  pipeline   transformers pipeline("text-classification"), PyTorch fp32, batch_size 32, truncation
  padded128  the seed's Horovod job: tokenizer(padding="max_length", max_length=128, truncation), batches of
             128, model forward (tokenization is done here, inside the timed process)
  ort        ONNX Runtime on --artifact (the optimizer's fp32 model, or its int8 dynamic quantization), fed
             batches of 32 in input order with dynamic padding, truncation at the model's limit
  ct2        CTranslate2 Encoder on --artifact (a converted BertModel: encoder + pooler), batches of 32; the
             2-label classifier (one Linear) is applied in numpy from the HF weights — CTranslate2 has no
             sequence-classification head
  openvino   OpenVINO Runtime on --artifact (model.xml written by ov.convert_model + ov.save_model from the HF
             torch model, fp32 weights), CPU plugin, INFERENCE_NUM_THREADS = --threads, at the plugin's
             default INFERENCE_PRECISION_HINT (bf16 on CPUs with AVX512-BF16 or AMX) or --precision f32
  torch-bf16 AutoModelForSequenceClassification(...).to(torch.bfloat16) under torch.inference_mode
The openvino and torch-bf16 peers get what a user who tunes a little writes (BENCHMARKS.md "Peers"): every row
tokenized once (truncation at the model's limit), rows sorted by token count, batches of 32 padded to their
longest row, predictions put back in input order. The report adds what the peer actually ran at
(`precision`: OpenVINO's compiled INFERENCE_PRECISION_HINT, torch's parameter dtype).
"""
import argparse
import json
import time

T0 = time.perf_counter()

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402


def read_inputs(path, columns):
    t = pq.read_table(path, columns=columns)
    first = t.column(columns[0]).to_pylist()
    second = t.column(columns[1]).to_pylist() if len(columns) > 1 else None
    return first, second


def write_outputs(path, probs):
    probs = np.asarray(probs, dtype=np.float32)
    pq.write_table(pa.table({"label_id": pa.array(probs.argmax(axis=1).astype(np.int32)),
                             "probabilities": pa.array(list(probs), pa.list_(pa.float32()))}), path)


def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def batches(first, second, size):
    for i in range(0, len(first), size):
        yield first[i:i + size], (second[i:i + size] if second is not None else None)


def tokenizer_of(model):
    from transformers import AutoTokenizer
    return AutoTokenizer.from_pretrained(model)


def run_pipeline(a, first, second):
    import torch
    from transformers import pipeline
    torch.set_num_threads(a.threads)
    clf = pipeline("text-classification", model=a.model, device="cpu", truncation=True, top_k=None)
    label2id = clf.model.config.label2id
    load_s = time.perf_counter() - T0
    inputs = first if second is None else [{"text": p, "text_pair": h} for p, h in zip(first, second)]
    probs = []
    for res in clf(inputs, batch_size=32):
        row = [0.0] * len(label2id)
        for r in res:
            row[label2id[r["label"]]] = r["score"]
        probs.append(row)
    return probs, load_s


def run_padded128(a, first, second):
    import torch
    from transformers import AutoModelForSequenceClassification
    torch.set_num_threads(a.threads)
    tok = tokenizer_of(a.model)
    model = AutoModelForSequenceClassification.from_pretrained(a.model, dtype=torch.float32).eval()
    load_s = time.perf_counter() - T0
    probs = []
    with torch.inference_mode():
        for f, s in batches(first, second, 128):
            enc = tok(f, s, padding="max_length", truncation=True, max_length=128, return_tensors="pt")
            probs.append(torch.softmax(model(**enc).logits, dim=-1).numpy())
    return np.concatenate(probs), load_s


def dynamic_batches(tok, first, second):
    """Batches of 32 in input order, padded to the longest row of the batch, truncated at the model's limit
    (numpy encodings)."""
    for f, s in batches(first, second, 32):
        yield tok(f, s, padding=True, truncation=True, return_tensors="np")


def sorted_batches(tok, first, second, size=32):
    """(row indices, numpy encodings) of batches of `size` rows of similar length: every row tokenized once,
    truncated at the model's limit, rows sorted by token count, each batch padded to its longest row."""
    enc = tok(first, second, truncation=True)
    names = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in enc]
    order = np.argsort([len(x) for x in enc["input_ids"]], kind="stable")
    pad = {"input_ids": tok.pad_token_id or 0, "attention_mask": 0, "token_type_ids": 0}
    for i in range(0, len(order), size):
        idx = order[i:i + size]
        width = max(len(enc["input_ids"][j]) for j in idx)
        batch = {}
        for k in names:
            arr = np.full((len(idx), width), pad[k], dtype=np.int64)
            for r, j in enumerate(idx):
                arr[r, :len(enc[k][j])] = enc[k][j]
            batch[k] = arr
        yield idx, batch


def in_input_order(parts, rows):
    """[rows, labels] probabilities from (row indices, probabilities) of sorted batches."""
    out = None
    for idx, probs in parts:
        if out is None:
            out = np.empty((rows, probs.shape[1]), dtype=np.float32)
        out[idx] = probs
    return out


def run_ort(a, first, second):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(a.artifact, so, providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    tok = tokenizer_of(a.model)
    load_s = time.perf_counter() - T0
    probs = []
    for enc in dynamic_batches(tok, first, second):
        feed = {k: enc[k].astype(np.int64) for k in names}
        probs.append(softmax(sess.run(None, feed)[0]))
    return np.concatenate(probs), load_s


def run_ct2(a, first, second):
    import ctranslate2
    from safetensors.numpy import load_file
    enc_model = ctranslate2.Encoder(a.artifact, device="cpu", intra_threads=a.threads, inter_threads=1)
    w = load_file(f"{a.model}/model.safetensors")
    weight, bias = w["classifier.weight"], w["classifier.bias"]  # [labels, hidden], [labels]
    tok = tokenizer_of(a.model)
    load_s = time.perf_counter() - T0
    probs = []
    for enc in dynamic_batches(tok, first, second):
        lengths = enc["attention_mask"].sum(axis=1)
        ids = [row[:k].tolist() for row, k in zip(enc["input_ids"], lengths)]
        types = [row[:k].tolist() for row, k in zip(enc["token_type_ids"], lengths)]
        out = enc_model.forward_batch(ids, token_type_ids=types)
        pooled = np.asarray(out.pooler_output)  # [batch, hidden]: tanh(dense(h_[CLS]))
        probs.append(softmax(pooled @ weight.T + bias))
    return np.concatenate(probs), load_s


def run_openvino(a, first, second):
    import openvino as ov
    core = ov.Core()
    config = {"INFERENCE_NUM_THREADS": a.threads}
    if a.precision:
        config["INFERENCE_PRECISION_HINT"] = a.precision
    compiled = core.compile_model(core.read_model(f"{a.artifact}/model.xml"), "CPU", config)
    names = {p.get_any_name() for p in compiled.inputs}
    a.report["precision"] = compiled.get_property("INFERENCE_PRECISION_HINT").get_type_name()
    a.report["cpu_default_precision"] = core.get_property("CPU", "INFERENCE_PRECISION_HINT").get_type_name()
    a.report["openvino"] = ov.__version__
    request = compiled.create_infer_request()
    tok = tokenizer_of(a.model)
    load_s = time.perf_counter() - T0
    parts = []
    for idx, enc in sorted_batches(tok, first, second):
        logits = request.infer({k: v for k, v in enc.items() if k in names})[compiled.outputs[0]]
        parts.append((idx, softmax(np.asarray(logits, dtype=np.float64))))
    return in_input_order(parts, len(first)), load_s


def run_torch_bf16(a, first, second):
    import torch
    from transformers import AutoModelForSequenceClassification
    torch.set_num_threads(a.threads)
    model = AutoModelForSequenceClassification.from_pretrained(a.model).eval().to(torch.bfloat16)
    a.report["precision"] = str(next(model.parameters()).dtype).removeprefix("torch.")
    a.report["torch"] = torch.__version__
    tok = tokenizer_of(a.model)
    load_s = time.perf_counter() - T0
    parts = []
    with torch.inference_mode():
        for idx, enc in sorted_batches(tok, first, second):
            logits = model(**{k: torch.from_numpy(v) for k, v in enc.items()}).logits
            parts.append((idx, torch.softmax(logits.float(), dim=-1).numpy()))
    return in_input_order(parts, len(first)), load_s


SYSTEMS = {"pipeline": run_pipeline, "padded128": run_padded128, "ort": run_ort, "ct2": run_ct2,
           "openvino": run_openvino, "torch-bf16": run_torch_bf16}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("system", choices=sorted(SYSTEMS))
    ap.add_argument("--model", required=True)
    ap.add_argument("--artifact")
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--columns", default="text")
    ap.add_argument("--precision", help="openvino: INFERENCE_PRECISION_HINT (default: the plugin's own)")
    a = ap.parse_args()
    a.report = {}  # what a peer records about how it ran (precision, versions)
    first, second = read_inputs(a.input, a.columns.split(","))
    probs, load_s = SYSTEMS[a.system](a, first, second)
    write_outputs(a.output, probs)
    print(json.dumps({"rows": len(first), "load_s": load_s, "total_s": time.perf_counter() - T0, **a.report}))


if __name__ == "__main__":
    main()
