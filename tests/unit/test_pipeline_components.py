"""The extractors as spaCy components: registered through the package's entry points, usable by
any spaCy program on plain text, and equal to the service's own extraction."""
from __future__ import annotations

import json
import subprocess
import sys

from schemas.models import Article
from services.pipeline import extract_articles

TEXT = ('"We will rebuild the bridge before the winter," Mayor Ada Brennor said on Tuesday. '
        "Brennor spoke in Norwick after the River Vell flooded the old town.")

PROGRAM = """
import json, spacy
nlp = spacy.load(%r)
nlp.add_pipe("storystream_quotes")
nlp.add_pipe("storystream_entities")
doc = nlp(%r)
print(json.dumps({"quotes": [q.model_dump(mode="json") for q in doc._.quotes],
                  "entities": [e.name for e in doc._.entities], "terms": doc._.terms}))
"""


def test_a_plain_spacy_program_finds_the_components_through_the_entry_points():
    from services.common.nlp import MODEL_NAME
    # a fresh interpreter that imports nothing of ours: spaCy must find the factories itself
    out = subprocess.run([sys.executable, "-c", PROGRAM % (MODEL_NAME, TEXT)], capture_output=True, text=True,
                         timeout=120, cwd="/")
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout)
    assert [(q["text"], q["speaker"]) for q in got["quotes"]] == [
        ("We will rebuild the bridge before the winter,", "Ada Brennor")]
    assert "Ada Brennor" in got["entities"] and "Norwick" in got["entities"]
    assert got["terms"].get("bridge") == 1


def test_the_components_on_plain_text_give_the_service_quotes_terms_and_lead():
    from services.common.nlp import load_nlp
    from services.pipeline import components
    nlp = load_nlp()
    doc = components("storystream_quotes", "storystream_entities")(nlp(TEXT))
    article = Article(article_id="a1", title="x", body=TEXT, content_hash="h")
    quotes, entities = extract_articles([article])[0]
    assert [q.model_dump() for q in doc._.quotes] == [q.model_dump() for q in quotes.quotes]
    assert doc._.terms == entities.terms and doc._.lead == entities.lead
