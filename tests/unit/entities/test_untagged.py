"""Runs of proper nouns the tagger never found, on hand-built tagged docs."""
from services.entities import extract
from services.entities.extract import extract_entities
from tests.unit.entities.docs import by_name, hand_doc

_WORDS = ("Orland officials said users of the Vexa Browser lost files on Friday and the Vexa Browser "
          "crashed again on Friday , so the Police and Orland staff warned users").split()


def _tags(words):
    proper = {"Orland", "Vexa", "Browser", "Friday", "Police"}
    lower = {"said": "VBD", "lost": "VBD", "crashed": "VBD", "warned": "VBD", "the": "DT", "of": "IN",
             "on": "IN", "and": "CC", "so": "RB", "again": "RB", ",": ",", "police": "NNS"}
    return ["NNP" if w in proper else lower.get(w, "NNS") for w in words]


def _doc(words=_WORDS):
    ents = [(i, i + 1, "GPE") for i, w in enumerate(words) if w == "Orland"]
    ents += [(i, i + 1, "DATE") for i, w in enumerate(words) if w == "Friday"]
    return hand_doc(words, _tags(words), ents)


def _decided(ents):
    return [(e.name, e.type, e.in_title, [m.model_dump() for m in e.counted_mentions()])
            for e in ents if e.counted_mentions()]


def test_a_recurring_untagged_run_of_proper_nouns_is_a_marked_entity(monkeypatch):
    with_rule = extract_entities(_doc())
    names = by_name(with_rule)
    vexa = names["Vexa Browser"]
    assert [m.text for m in vexa.mentions] == ["Vexa Browser", "Vexa Browser"]
    assert vexa.counted_mentions() == [] and vexa.type == "ORG"
    # "Friday" is tagged (DATE) and "Police" is written once: neither is taken
    assert set(names) == {"Orland", "Vexa Browser"} and with_rule[-1] is vexa
    monkeypatch.setattr(extract, "untagged_names", lambda *args: [])   # the rule off
    without = extract_entities(_doc())
    assert [e.name for e in without] == ["Orland"]
    assert _decided(with_rule) == _decided(without)   # it decides nothing


def test_a_run_seen_once_or_also_written_in_lowercase_is_not_a_name():
    once = _WORDS[:14] + ["app"] + _WORDS[16:]    # the second "Vexa Browser" -> "app"
    assert "Vexa Browser" not in by_name(extract_entities(_doc(once)))
    # "the Police ... the Police ... the police": a common noun capitalised, not a name
    police = _WORDS + "while the Police and the police left".split()
    assert "Police" not in by_name(extract_entities(_doc(police)))
    police = _WORDS + "while the Police left".split()
    assert [m.text for m in by_name(extract_entities(_doc(police)))["Police"].mentions] == ["Police", "Police"]
