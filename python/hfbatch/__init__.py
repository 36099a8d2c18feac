"""hfbatch: Hugging Face transformer classifiers and embedders in C++, over Arrow.

    import hfbatch
    engine = hfbatch.Engine("./bert-sst2")
    batch = engine.classify(["great movie", None, "awful"])   # pyarrow.RecordBatch
    # label (string), label_id (int32), score (float32), probabilities (list<float32>)

Texts cross into C++ through the Arrow C Data Interface without copies; the GIL is released while the
engine runs. Spark: see hfbatch.spark.
"""
from __future__ import annotations

import numbers
import os
from typing import Any, List, Optional, Sequence, Tuple, Union

# pyarrow first: it loads libarrow, and _core binds to that same shared library (same soname).
import pyarrow as pa

from . import _core
from ._core import Error

__all__ = ["Engine", "Error", "__version__"]
__version__ = "0.1.0"

TextInput = Union[pa.Array, pa.ChunkedArray, Sequence[Optional[str]], Any]


def _chunks(values: TextInput, what: str) -> List[Tuple[object, object]]:
    """The (schema, array) PyCapsule pairs of `values`, one per Arrow chunk, zero-copy for Arrow input."""
    if isinstance(values, pa.ChunkedArray):
        arrays = values.chunks
    elif isinstance(values, pa.Array):
        arrays = [values]
    elif hasattr(values, "__arrow_c_array__"):  # any Arrow PyCapsule producer (nanoarrow, polars, ...)
        return [values.__arrow_c_array__()]
    elif hasattr(values, "__arrow_c_stream__"):
        arrays = pa.chunked_array(values).chunks
    elif type(values).__name__ == "Series" and hasattr(values, "to_numpy"):  # pandas, without importing it
        arrays = [pa.Array.from_pandas(values)]  # None / NaN → null
    elif isinstance(values, (list, tuple)):
        try:
            arrays = [pa.array(values, type=pa.string())]
        except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
            raise Error(f"{what}: expected str or None items: {e}") from None
    else:
        raise Error(f"{what}: expected a pyarrow Array/ChunkedArray, a pandas Series or a list of str, "
                    f"not {type(values).__name__}")
    if not arrays:  # an empty ChunkedArray
        arrays = [pa.array([], type=pa.string())]
    return [a.__arrow_c_array__() for a in arrays]


# Argument checks before the C++ call, so that a wrong type or size gives a TypeError / hfbatch.Error in the
# CLI's wording instead of nanobind's "incompatible function arguments".
def _path_arg(name: str, value: object) -> str:
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a folder path (str or os.PathLike), got {type(value).__name__}")
    return value


def _str_arg(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a str, got {type(value).__name__}")


def _int_arg(name: str, flag: str, value: object, largest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    value = int(value)
    if value < 0:
        raise Error(f"{flag}: must be positive")
    if value > largest:
        raise Error(f"{flag}: {value} exceeds the largest supported value {largest}")
    return value


def _compat_arg(compat: object) -> int:
    """compat: 4 or 5, the transformers major version whose tokenizer rules apply (--transformers-compat)."""
    if isinstance(compat, bool) or compat not in (4, 5):
        raise Error(f"compat: expected 4 or 5 (the transformers major version), got {compat!r}")
    return int(compat)


class _Capsules:
    """Hands the exported (schema, array) capsules to pyarrow through the PyCapsule protocol."""

    __slots__ = ("_pair",)

    def __init__(self, pair: Tuple[object, object]) -> None:
        self._pair = pair

    def __arrow_c_array__(self, requested_schema: object = None) -> Tuple[object, object]:
        return self._pair


class Engine:
    """A loaded model + tokenizer (hfbatch's runtime::Session).

    model: a folder written by save_pretrained (config.json, weights, tokenizer.json).
    tokenizer: tokenizer folder when it is not the model folder.
    device: "cpu" (default), "cuda" or "cuda:N" (docs/cuda.md; an error before loading where this build has no
        CUDA or the machine no such GPU).
    threads: CPU threads; 0 = all cores.
    task: "classify" (label, label_id, score, probabilities), "embed" (embedding; with sparse=True: indices,
        values of a SPLADE *ForMaskedLM folder, as sentence-transformers SparseEncoder, top_k = the CLI's --top-k),
        "token_classify" (entities: list of {entity, score, word, start, end}, as pipeline("token-classification")
        with aggregation_strategy=`aggregation`) or "zero_shot" (labels by descending score, scores; as
        pipeline("zero-shot-classification") with `candidate_labels`, `hypothesis_template`, `multi_label`).
    max_length: truncation in tokens; 0 = the model's limit.
    batch_tokens: padded tokens per encoder call.
    prefix: prepended to the prediction column names (e.g. "pred_").
    dtype: on cpu "fp32" (default), "bf16" or "int8"; on cuda "fp16" (default) or "bf16" (the CLI's --dtype:
        bf16 / int8 encoder linears, docs/ops.md "bf16" and "int8"; bf16 needs a CPU with AVX512-BF16 or AMX).
        token_classify and sparse run on cpu only so far (docs/cuda.md).
    compat: 5 (default) or 4: load the tokenizer folder as transformers 5 does, or as 4.x did (the CLI's
        --transformers-compat; docs/compat.md).
    """

    def __init__(self, model: str, tokenizer: Optional[str] = None, device: str = "cpu", threads: int = 0,
                 task: str = "classify", max_length: int = 0, batch_tokens: int = 8192,
                 prefix: str = "", dtype: Optional[str] = None, compat: int = 5, aggregation: str = "none",
                 candidate_labels: Optional[Sequence[str]] = None, hypothesis_template: str = "This example is {}.",
                 multi_label: bool = False, sparse: bool = False, top_k: int = 0) -> None:
        model = _path_arg("model", model)
        tokenizer = None if tokenizer is None else _path_arg("tokenizer", tokenizer)
        if dtype is None:  # fp32 on cpu, fp16 on cuda
            dtype = "fp32" if device == "cpu" else "fp16"
        for name, value in (("device", device), ("task", task), ("prefix", prefix), ("dtype", dtype)):
            _str_arg(name, value)
        threads = _int_arg("threads", "--threads", threads, 2**31 - 1)
        max_length = _int_arg("max_length", "--max-length", max_length, 2**63 - 1)
        batch_tokens = _int_arg("batch_tokens", "--batch-tokens", batch_tokens, 2**63 - 1)
        _compat_arg(compat)
        for name, value in (("aggregation", aggregation), ("hypothesis_template", hypothesis_template)):
            _str_arg(name, value)
        if isinstance(candidate_labels, str):  # "a,b,c" as the CLI and the pipeline take it
            candidate_labels = [label.strip() for label in candidate_labels.split(",") if label.strip()]
        labels = [] if candidate_labels is None else list(candidate_labels)
        for label in labels:
            _str_arg("candidate_labels", label)
        top_k = _int_arg("top_k", "--top-k", top_k, 2**31 - 1)
        if sparse and task != "embed":
            raise Error("sparse: only for task='embed'")
        core_task = "embed_sparse" if sparse else task
        self._engine = _core.Engine(model, tokenizer, device, threads, core_task, max_length, batch_tokens, prefix,
                                    dtype, compat, aggregation, labels, hypothesis_template, bool(multi_label), top_k)

    @property
    def task(self) -> str:
        return self._engine.task

    @property
    def compat(self) -> int:
        """5 or 4: the transformers major version whose tokenizer loading rules apply."""
        return self._engine.compat

    @property
    def dtype(self) -> str:
        """"fp32", "bf16" or "int8" on cpu; "fp16" or "bf16" on cuda."""
        return self._engine.dtype

    @property
    def labels(self) -> List[str]:
        """id2label in id order (classify)."""
        return self._engine.labels

    @property
    def width(self) -> int:
        """Number of labels (classify) or embedding size (embed)."""
        return self._engine.width

    @property
    def max_length(self) -> int:
        return self._engine.max_length

    @property
    def architecture(self) -> str:
        return self._engine.architecture

    @property
    def schema(self) -> pa.Schema:
        """Schema of the RecordBatch that classify() / embed() return."""
        return self._run(pa.array([], type=pa.string()), None).schema

    def stats(self) -> dict:
        """Accumulated tokenize/infer seconds, tokens, sequences and encoder batches."""
        return self._engine.stats()

    def _run(self, texts: TextInput, pairs: Optional[TextInput]) -> pa.RecordBatch:
        pair_chunks = None if pairs is None else _chunks(pairs, "pairs")
        return pa.record_batch(_Capsules(self._engine.run(_chunks(texts, "texts"), pair_chunks)))

    def classify(self, texts: TextInput, pairs: Optional[TextInput] = None) -> pa.RecordBatch:
        """label, label_id, score, probabilities for each text (null where the text or pair is null)."""
        if self.task != "classify":
            raise Error("classify: this engine was created with task='embed'")
        return self._run(texts, pairs)

    def embed(self, texts: TextInput, sparse: bool = False) -> pa.RecordBatch:
        """embedding (fixed_size_list<float32>) for each text (null where the text is null); sparse=True (an
        engine made with task='embed', sparse=True): indices (list<int32>, ascending) and values (list<float32>)."""
        if self.task not in ("embed", "embed_sparse"):
            raise Error(f"embed: this engine was created with task='{self.task}'; pass task='embed'")
        if sparse != (self.task == "embed_sparse"):
            raise Error("embed: sparse=True needs an engine made with task='embed', sparse=True (and only it)")
        return self._run(texts, None)

    def token_classify(self, texts: TextInput) -> pa.RecordBatch:
        """entities (list<struct<entity, score, word, start, end>>) for each text (null where the text is null)."""
        if self.task != "token_classify":
            raise Error(f"token_classify: this engine was created with task='{self.task}'; pass task='token_classify'")
        return self._run(texts, None)

    def zero_shot(self, texts: TextInput) -> pa.RecordBatch:
        """labels (by descending score) and scores for each text (null where the text is null)."""
        if self.task != "zero_shot":
            raise Error(f"zero_shot: this engine was created with task='{self.task}'; pass task='zero_shot' "
                        "and candidate_labels")
        return self._run(texts, None)

    def tokenize(self, texts: TextInput, pairs: Optional[TextInput] = None, padding: str = "none") -> pa.RecordBatch:
        """The `hfbatch tokenize` job's columns for each text (and pair): input_ids, token_type_ids and
        attention_mask (list<int32>), as transformers' tokenizer(texts, [pairs], truncation=True,
        max_length=self.max_length, padding=...) gives them; null where the text or pair is null.
        padding: "none" (real lengths) or "max_length" (padded to self.max_length, mask 0 on pads)."""
        if padding not in ("none", "max_length"):
            raise Error(f"padding: expected none or max_length, got {padding!r}")
        pair_chunks = None if pairs is None else _chunks(pairs, "pairs")
        return pa.record_batch(_Capsules(self._engine.tokenize(_chunks(texts, "texts"), pair_chunks,
                                                               padding == "max_length")))

    def __call__(self, texts: TextInput, pairs: Optional[TextInput] = None) -> pa.RecordBatch:
        return self._run(texts, pairs)

    def __repr__(self) -> str:
        return f"hfbatch.Engine(task={self.task!r}, architecture={self.architecture!r}, width={self.width})"
