"""Invented articles parsed once for the entities tests."""
import pytest

from services.common.nlp import parse_articles

ARTICLES = {
    "roles": (
        "Arvell meets Saric in Korvana",
        "President Tomas Arvell met Eastland Defense Minister Ivo Saric in Korvana on Tuesday. "
        "Arvell said the talks were useful, and Saric agreed. "
        "Veldoria’s foreign ministry welcomed the meeting, calling Veldoria's role central.",
    ),
    "hyphen": (
        "Anna-Maria Kessler wins",
        "Anna Maria Kessler won the regional chess title in Brenton on Sunday. "
        "Anna-Maria Kessler, 24, beat the favourite in 40 moves. Kessler said she was tired. "
        "Fans of Anna Maria Kessler celebrated in the streets, and Anna Maria Kessler thanked them.",
    ),
    "acronym": (
        "Maritime board fines shipper",
        "The Federal Maritime Board (FMB) fined Ostrava Shipping on Monday, officials said. "
        "The FMB said the company had ignored safety rules for two years. "
        "Ostrava Shipping said it would appeal the FMB decision.",
    ),
    "headline": (
        "Lena Korr Returns To Brenton After Long Absence",
        "http://example.org/news/lena-korr-returns\n"
        "Lena Korr Returns To Brenton After Long Absence\n"
        "March 3, 2021\n"
        "By Peter Quist, Daily Ledger\n"
        "Singer Lena Korr returned to Brenton on Friday after three years abroad. "
        "Korr told reporters she was happy to be home. The Brenton city council "
        "said it would hold a reception for Korr next week.",
    ),
    "nickname": (
        "Jenna Lorvik Checks Into Rehab, Checks Out Two Hours Later",
        "JeLo's lawyer told the judge on Monday that JeLo was in a treatment centre. In fact JeLo was "
        "shopping in Fairhaven, reporters said. JeLo later arrived at the clinic in Westport.",
    ),
    "nickname-hyphen": (
        "Marco Teval Signs With Harbor City",
        "Slugger M-Tev agreed terms on Friday, his agent said. M-Tev will earn more than any player "
        "in the league. Fans cheered when M-Tev arrived at the ballpark.",
    ),
}


@pytest.fixture(scope="package")
def parsed():
    docs = parse_articles(list(ARTICLES.values()))
    return dict(zip(ARTICLES, docs))
