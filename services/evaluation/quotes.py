"""Evaluate quote extraction against hand-annotated gold quotes.

Matching
    A predicted quote matches a gold quote of the same article when their token
    overlap (:func:`services.evaluation.common.token_overlap`: shared word tokens
    over the longer one's token count, case/punctuation/spacing ignored) is at
    least 0.8 (*strict*) or 0.3 (*lenient*); matching is one-to-one, best pairs
    first.  The quote kind does not have to agree (kind agreement is reported).

Speakers
    Compared over strict matches, leniently on form (:func:`speaker_matches`).
    Each gold quote falls in one category:

    * ``pronoun``   -- the text attributes it with a pronoun ("..., she said",
      "He told reporters: ..."), detected from the text around the gold quote;
    * ``described`` -- the gold speaker is a description (starts with
      "the"/"a"/"an", or has no capitalised word, or is "X's rep"-like);
    * ``named``     -- everything else.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable, Mapping

from services.common.nlp import parse_articles
from services.quotes.extract import extract_quotes

from .common import match_one_to_one, normalise, prf, token_overlap

STRICT = 0.8
LENIENT = 0.3
_SEED_DIRS = (Path(__file__).resolve().parents[2] / "seeds",)
_STOP = frozenset("the a an of at in for and to on by with from s".split())
_PRONOUN_AFTER = re.compile(
    r"^[\s,.;:!?\-–—]*(?:[a-z]+\s+){0,1}(?:he|she|they|we)\b|"
    r"^[\s,]*(?:said|says|added|adds|told|tells|wrote|writes|continued|explained|asked|insisted|noted|"
    r"warned|argued|stressed|recalled|replied|declared|stated)\s+(?:he|she|they)\b", re.I)
_PRONOUN_BEFORE = re.compile(r"(?:^|[.!?]\s+|\n)\s*(?:but\s+|and\s+|then\s+)?(?:he|she|they)\b[^.!?\n\"“”]{0,80}$", re.I)


# ---------------------------------------------------------------- loading
def load_gold(path: str | Path) -> list[dict]:
    """Gold records ``{id, title, body, quotes: [{text, speaker, kind?}], not_quotes: [...]}``.

    Accepts the seed gold JSON (``{"quotes": {filename: [...]}}``; title and body
    come from the seed ``.txt``: first non-empty line is the title, the rest the
    body) and JSONL files of records.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [_normalise_record(json.loads(line)) for line in text.splitlines() if line.strip()]
    data = json.loads(text)
    if isinstance(data, list):
        return [_normalise_record(r) for r in data]
    not_quotes: dict[str, list[str]] = {}
    for nq in data.get("not_quotes", []):
        not_quotes.setdefault(nq["article"], []).append(nq["text"])
    records = []
    for filename, quotes in data["quotes"].items():
        title, body = read_seed(_find_seed(filename, path))
        records.append(_normalise_record({"id": filename, "title": title, "body": body, "quotes": quotes,
                                          "not_quotes": not_quotes.get(filename, [])}))
    return records


def read_seed(path: Path) -> tuple[str, str]:
    """Title (first non-empty line) and body (the rest) of a seed article."""
    lines = path.read_text(encoding="utf-8").split("\n")
    k = next(i for i, line in enumerate(lines) if line.strip())
    body = "\n".join(lines[k + 1:]).strip("\n")
    return lines[k].strip(), body


def _find_seed(filename: str, gold_path: Path) -> Path:
    for d in (*_SEED_DIRS, gold_path.parent.parent / "seeds", gold_path.parent / "seeds"):
        if (d / filename).exists():
            return d / filename
    raise FileNotFoundError(f"seed article {filename} not found")


def _normalise_record(r: dict) -> dict:
    nq = [x if isinstance(x, str) else x.get("text", "") for x in r.get("not_quotes", []) or []]
    return {**r, "quotes": list(r.get("quotes", [])), "not_quotes": nq}


# ---------------------------------------------------------------- speakers
def _norm_speaker(s: str | None) -> str:
    s = normalise(s or "")
    s = re.sub(r"'s\b", " s", s)
    s = re.sub(r"[^\w\s]", " ", s)
    s = re.sub(r"^(the|a|an)\s+", "", " ".join(s.split()))
    return s


def gold_category(record: dict, quote: dict) -> str:
    """``pronoun``, ``described`` or ``named`` (see module docstring)."""
    if _pronoun_attributed(record["body"], quote):
        return "pronoun"
    sp = (quote.get("speaker") or "").strip()
    if not sp or re.match(r"^(the|a|an)\s", sp, re.I) or not re.search(r"\b[A-Z]", sp) \
            or re.search(r"['’]s\s+[a-z]", sp):
        return "described"
    return "named"


def _pronoun_attributed(body: str, quote: dict) -> bool:
    start, end = quote.get("start"), quote.get("end")
    if start is None or end is None or body[start:end] != quote["text"]:
        k = body.find(quote["text"])
        if k < 0 or quote.get("kind") == "headline":
            return False
        start, end = k, k + len(quote["text"])
    after = body[end:end + 60]
    after = after[1:] if after[:1] in "\"”'’»" else after
    if _PRONOUN_AFTER.match(after):
        return True
    before = body[max(0, start - 120):start].rstrip(" \"“'‘«")
    return bool(before) and before.endswith((":", ",")) and bool(_PRONOUN_BEFORE.search(before[:-1]))


def speaker_matches(pred: str | None, gold: str | None, article_speakers: Iterable[str] = ()) -> bool:
    """Lenient speaker comparison.

    Equal after normalising case, punctuation and a leading article; a partial
    name ("Smith") matches a fuller one ("Jane Smith") when it shares the
    last name and matches only one of the article's gold speakers; a
    description matches when most of the gold description's words are there.
    """
    p, g = _norm_speaker(pred), _norm_speaker(gold)
    if not p or not g:
        return not p and not g
    if p == g:
        return True
    pt, gt = p.split(), g.split()
    if set(pt) <= set(gt) or set(gt) <= set(pt):
        short, long_ = (pt, gt) if len(pt) <= len(gt) else (gt, pt)
        if short[-1] == long_[-1] or (len(short) == 1 and short[0] in long_):
            others = {_norm_speaker(s) for s in article_speakers} - {g}
            clash = [o for o in others if set(short) <= set(o.split()) and o != " ".join(long_)]
            if not clash:
                return True
    gold = gold or ""
    described = gold[:1].islower() or bool(re.match(r"^(the|a|an)\s", gold, re.I)) \
        or not re.search(r"[A-Z]", gold)
    content = [w for w in gt if w not in _STOP]
    if described and content:
        return len(set(content) & set(pt)) >= max(1, round(len(content) * 2 / 3))
    return False


# ---------------------------------------------------------------- scoring
def _as_dict(q: Any) -> dict:
    if isinstance(q, Mapping):
        return dict(q)
    return q.model_dump()


def score_quotes(records: list[dict], predictions: Mapping[str, list]) -> dict:
    """Precision/recall/F1 (strict and lenient), speaker accuracy by category,
    kind agreement, false quotes on known non-quotes, and an error list."""
    totals = {"gold": 0, "pred": 0, "strict_tp": 0, "lenient_tp": 0, "not_quote_hits": 0}
    spk = {c: [0, 0] for c in ("named", "described", "pronoun")}
    kind_ok = kind_n = 0
    errors: list[dict] = []
    for r in records:
        gold = r["quotes"]
        pred = [_as_dict(q) for q in predictions.get(r["id"], [])]
        totals["gold"] += len(gold)
        totals["pred"] += len(pred)
        score = lambda g, p: token_overlap(g["text"], p["text"])  # noqa: E731
        strict = match_one_to_one(gold, pred, score, STRICT)
        lenient = match_one_to_one(gold, pred, score, LENIENT)
        totals["strict_tp"] += len(strict)
        totals["lenient_tp"] += len(lenient)
        speakers = {g.get("speaker") or "" for g in gold}
        for i, j, _ in strict:
            g, p = gold[i], pred[j]
            cat = gold_category(r, g)
            ok = speaker_matches(p.get("speaker"), g.get("speaker"), speakers)
            spk[cat][0] += ok
            spk[cat][1] += 1
            if g.get("kind"):
                kind_n += 1
                kind_ok += g["kind"] == p.get("kind")
            if not ok:
                errors.append({"id": r["id"], "error": "speaker", "category": cat, "text": g["text"][:80],
                               "gold": g.get("speaker"), "pred": p.get("speaker"),
                               "pred_type": p.get("speaker_type")})
        matched_g = {i for i, _, _ in strict}
        matched_p = {j for _, j, _ in strict}
        for i, g in enumerate(gold):
            if i not in matched_g:
                errors.append({"id": r["id"], "error": "missed", "text": g["text"][:100], "gold": g.get("speaker")})
        for j, p in enumerate(pred):
            if j in matched_p:
                continue
            false_nq = any(token_overlap(nq, p["text"]) >= STRICT for nq in r.get("not_quotes", []))
            totals["not_quote_hits"] += false_nq
            errors.append({"id": r["id"], "error": "not_quote" if false_nq else "spurious",
                           "text": p["text"][:100], "pred": p.get("speaker")})
    n_ok = sum(v[0] for v in spk.values())
    n_all = sum(v[1] for v in spk.values())
    return {
        "articles": len(records),
        "gold_quotes": totals["gold"],
        "predicted_quotes": totals["pred"],
        "strict": prf(totals["strict_tp"], totals["pred"], totals["gold"]),
        "lenient": prf(totals["lenient_tp"], totals["pred"], totals["gold"]),
        "speaker_accuracy": round(n_ok / n_all, 4) if n_all else 0.0,
        "speaker_by_category": {c: {"correct": v[0], "total": v[1],
                                    "accuracy": round(v[0] / v[1], 4) if v[1] else None}
                                for c, v in spk.items()},
        "kind_accuracy": round(kind_ok / kind_n, 4) if kind_n else None,
        "false_not_quotes": totals["not_quote_hits"],
        "found_with_right_speaker": round(n_ok / totals["gold"], 4) if totals["gold"] else 0.0,
        "errors": errors,
    }


def run_quotes_eval(path: str | Path, *, nlp=None, docs=None) -> dict:
    """Parse the gold articles in one batch, extract quotes and score them.

    ``docs`` may pass already parsed ``(title, body)`` docs of the records of
    :func:`load_gold` (in order), e.g. restored from a DocBin cache; they are
    then not parsed again.
    """
    records = load_gold(path)
    if docs is None:
        docs = parse_gold(records, nlp)
    if len(docs) != len(records):
        raise ValueError(f"{len(docs)} parsed docs for {len(records)} gold records")
    preds = {r["id"]: extract_quotes(body, title) for r, (title, body) in zip(records, docs)}
    result = score_quotes(records, preds)
    result["data"] = str(path)
    return result


def parse_gold(records: list[dict], nlp=None) -> list:
    """``(title, body)`` docs of gold records, parsed in one batch."""
    return parse_articles([(r["title"], r["body"]) for r in records], nlp)


def format_table(result: dict) -> str:
    """A plain-text summary table of :func:`score_quotes` output."""
    rows = [("", "precision", "recall", "f1")]
    for key in ("strict", "lenient"):
        m = result[key]
        rows.append((f"{key} (overlap >= {STRICT if key == 'strict' else LENIENT})",
                     f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}"))
    w = max(len(r[0]) for r in rows)
    lines = [f"quotes: {result['gold_quotes']} gold, {result['predicted_quotes']} predicted, "
             f"{result['articles']} articles"]
    lines += [f"{r[0]:<{w}}  {r[1]:>9}  {r[2]:>6}  {r[3]:>6}" for r in rows]
    lines.append(f"speaker accuracy (strict matches): {result['speaker_accuracy']:.3f}")
    for cat, v in result["speaker_by_category"].items():
        acc = "n/a" if v["accuracy"] is None else f"{v['accuracy']:.3f}"
        lines.append(f"  {cat:<10} {acc:>6}  ({v['correct']}/{v['total']})")
    if result.get("kind_accuracy") is not None:
        lines.append(f"kind accuracy: {result['kind_accuracy']:.3f}")
    lines.append(f"found with right speaker: {result['found_with_right_speaker']:.3f}")
    lines.append(f"false quotes on known non-quotes: {result['false_not_quotes']}")
    return "\n".join(lines)
