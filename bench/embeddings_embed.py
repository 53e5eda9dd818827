"""Embed the evaluation articles with all-MiniLM-L6-v2 and time it (an EXPERIMENT: see
docs/experiments/embeddings.md).  Runs in a scratch virtualenv with the embedding packages
(never the product's); one thread everywhere.

    python bench/embeddings_embed.py export                 # ONNX fp32 + int8 (needs torch, once)
    python bench/embeddings_embed.py time  --backend st     # CPU ms per article, 200 articles
    python bench/embeddings_embed.py embed --backend st     # every article, both modes -> OUT/*.npy

Modes: ``doc`` = headline + body as one text truncated to 256 word pieces; ``sent`` = the mean of
the embeddings of the headline and the body's first 9 sentences (each its own sequence).
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_v] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np  # noqa: E402

import embeddings_models as em  # noqa: E402

EVAL = Path(os.environ.get("EVAL_DIR", Path(__file__).resolve().parents[1].parent / "shared" / "eval"))
FILES = ("ecbplus_dev.jsonl", "ecbplus_more.jsonl", "news_cluster.jsonl")
OUT = Path(os.environ.get("EMB_OUT", "/work/wt2/embdata/emb"))


def records() -> list[dict]:
    out = []
    for f in FILES:
        with open(EVAL / f, encoding="utf-8") as fh:
            out.extend(json.loads(line) for line in fh if line.strip())
    return out


def embed_one(backend, rec: dict, mode: str) -> np.ndarray:
    if mode == "doc":
        return backend.embed([em.doc_text(rec["title"], rec["body"])])[0]
    return em.unit(backend.embed(em.sentences(rec["title"], rec["body"])).mean(0))


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def cmd_time(args) -> None:
    w0, c0 = _clock()
    backend = em.load_backend(args.backend)      # imports its packages, loads the weights
    w1, c1 = _clock()
    recs = records()
    random.Random(0).shuffle(recs)
    sample = recs[:args.n]
    for r in sample[:3]:                         # warm-up (first-call allocations)
        embed_one(backend, r, "doc")
    row = {"backend": args.backend, "max_tokens": em.MAX_TOKENS, "articles": len(sample), "load_wall_s": round(w1 - w0, 2),
           "load_cpu_s": round(c1 - c0, 2)}
    vecs = {}
    for mode in args.modes:
        per = []
        out = []
        for r in sample:
            c = time.process_time()
            out.append(embed_one(backend, r, mode))
            per.append(time.process_time() - c)
        per_ms = np.array(per) * 1000
        row[f"{mode}_ms_mean"] = round(float(per_ms.mean()), 1)
        row[f"{mode}_ms_p50"] = round(float(np.percentile(per_ms, 50)), 1)
        row[f"{mode}_ms_p95"] = round(float(np.percentile(per_ms, 95)), 1)
        vecs[mode] = np.stack(out)
    tok = em.load_tokenizer()
    tok.no_truncation()
    lens = [len(tok.encode(em.doc_text(r["title"], r["body"])).ids) for r in sample]
    row["doc_pieces_untruncated_mean"] = round(float(np.mean(lens)), 1)
    row["doc_truncated_share"] = round(float(np.mean([n > em.MAX_TOKENS for n in lens])), 3)
    row["sent_per_article_mean"] = round(float(np.mean([len(em.sentences(r["title"], r["body"])) for r in sample])), 1)
    OUT.mkdir(parents=True, exist_ok=True)
    for mode, v in vecs.items():
        np.save(OUT / f"timing_{args.backend}{args.tag}_{mode}.npy", v)
    print(json.dumps(row))
    with open(OUT / "timing.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")


def cmd_embed(args) -> None:
    backend = em.load_backend(args.backend)
    recs = records()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ids.json").write_text(json.dumps([r["id"] for r in recs]))
    for mode in args.modes:
        c = time.process_time()
        if mode == "doc":       # batched: same vectors as one at a time (padding is masked)
            v = np.concatenate([backend.embed([em.doc_text(r["title"], r["body"]) for r in recs[i:i + 16]])
                                for i in range(0, len(recs), 16)])
        else:
            v = np.stack([embed_one(backend, r, mode) for r in recs])
        np.save(OUT / f"{args.backend}{args.tag}_{mode}.npy", v.astype(np.float32))
        print(f"{args.backend}{args.tag} {mode}: {v.shape}, {time.process_time() - c:.1f} CPU s", flush=True)


def cmd_export(args) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel
    torch.set_num_threads(1)
    bert = AutoModel.from_pretrained(str(em.MODEL_DIR)).eval()

    class Hidden(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    model = Hidden().eval()
    ids = torch.ones((1, 16), dtype=torch.long)
    dyn = {0: "batch", 1: "seq"}
    torch.onnx.export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(em.MODEL_DIR / "model.onnx"),
                      input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                      dynamic_axes={"input_ids": dyn, "attention_mask": dyn, "token_type_ids": dyn,
                                    "last_hidden_state": dyn})
    quantize_dynamic(str(em.MODEL_DIR / "model.onnx"), str(em.MODEL_DIR / "model.int8.onnx"),
                     weight_type=QuantType.QInt8)
    for f in ("model.onnx", "model.int8.onnx"):
        print(f, round((em.MODEL_DIR / f).stat().st_size / 2**20, 1), "MiB")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("export")
    for name in ("time", "embed"):
        p = sub.add_parser(name)
        p.add_argument("--backend", choices=("st", "numpy", "ort", "ort-int8"), required=True)
        p.add_argument("--n", type=int, default=200)
        p.add_argument("--modes", nargs="+", choices=("doc", "sent"), default=["doc", "sent"])
        p.add_argument("--tag", default="", help="suffix of the output names (e.g. -128 with EMB_MAX_TOKENS=128)")
    args = ap.parse_args(argv)
    {"time": cmd_time, "embed": cmd_embed, "export": cmd_export}[args.cmd](args)


if __name__ == "__main__":
    main()
