"""Article features: lead sentence, content terms, dates and the article's own date."""
from datetime import datetime

import pytest

from services.common.nlp import parse_articles
from services.entities.features import content_terms, find_dates, lead_sentence, own_date


def test_lead_sentence_skips_url_date_byline_headline(parsed):
    _, body = parsed["headline"]
    assert lead_sentence(body).startswith("Singer Lena Korr returned to Brenton")


def test_content_terms(parsed):
    _, body = parsed["acronym"]
    terms = content_terms(body, limit=5)
    assert len(terms) <= 5
    assert all(t == t.lower() for t in terms)
    assert "the" not in terms and "." not in terms
    assert "fmb" in terms or "shipping" in terms


def test_find_dates_absolute_and_relative(parsed):
    _, body = parsed["headline"]
    dates = find_dates(body, published=datetime(2021, 3, 5, 12, 0))
    assert dates[0] == "2021-03-03"
    assert "2021-03-05" in dates  # "on Friday" relative to a Friday publication
    assert find_dates(body)[:1] == ["2021-03-03"]
    title, body = parse_articles([("x", "The plan was signed on 2011-02-23 and amended in June 2012.")])[0]
    assert find_dates(body) == ["2011-02-23", "2012-06"]


@pytest.mark.parametrize("text, expected", [
    ("Article posted on 08.07.2012 by the desk.", ["2012-07-08"]),                 # dotted: day first
    ("27/09/2013 - Voters will go to the polls.", ["2013-09-27"]),                 # slashed, day > 12
    ("Filed 5/2/2013 from the capital.", ["2013-05-02"]),                          # slashed: US order
    ("Posted a year ago [downloaded on 2 October 2013]. It opens March 5, 2011.", ["2011-03-05"]),
    ("Retrieved: 12 May 2020. The vote was held on 3 June 2019.", ["2019-06-03"]),  # capture stamps
])
def test_find_dates_numeric_orders_and_capture_stamps(text, expected):
    _, body = parse_articles([("x", text)])[0]
    assert find_dates(body) == expected


NOW = datetime(2026, 11, 24, 12, 0)


@pytest.mark.parametrize("text, expected", [
    # a dateline is the own date, even when the lead that follows is in the future tense
    ("BRENTON, Dec. 11, 2008 -- The ministry will publish the new rules, officials said.", "2008-12-11"),
    # a time-stamp line parsed into the next sentence is not that sentence's future
    ("Posted 8:13 AM 8/2/2013\nShe will host the ceremony on the last night.", "2013-08-02"),
    # a release date in a future-tense clause is not the article's date ...
    ("The film will be released on December 25, 2019, the studio said.", None),
    ("The vote is expected to take place on March 3, 2014. Officials met on Feb. 2, 2014.", "2014-02-02"),
    ("The studio said on May 3, 2018 that the film is scheduled for release on December 25, 2019.", "2018-05-03"),
    # ... but past and present clauses are, wherever "will" appears elsewhere in the text
    ("The court will hear the case later. The ruling came on March 3, 2013.", "2013-03-03"),
    ("The record set on May 2, 2012 still stands.", "2012-05-02"),   # "set" is no future cue
    # a month is not a day: the latest day is the news
    ("Voting began in February 2013. Results came on March 3, 2013.", "2013-03-03"),
    ("Voting began in February 2013 and ends in March 2013.", None),
])
def test_own_date_skips_future_clauses(text, expected):
    _, body = parse_articles([("x", text)])[0]
    assert own_date(body, not_after=NOW) == expected


def test_own_date_is_read_in_the_lead_only_and_never_a_birth_date():
    filler = "The coach thanked the players and the fans for their support over the seasons. " * 6
    # background deep in the body ("was named coach on ...") is not the day of the news
    _, body = parse_articles([("x", "The club fired its coach on Saturday. " + filler
                               + "He was named coach on May 23, 2005.")])[0]
    assert own_date(body, not_after=NOW) is None
    _, body = parse_articles([("x", "The club fired its coach on March 2, 2009. " + filler
                               + "He was named coach on May 23, 2005.")])[0]
    assert own_date(body, not_after=NOW) == "2009-03-02"
    # an obituary's birth date is not its date; the death is
    _, body = parse_articles([("x", "Korr was born Ada Mae Korr in Brenton, Westland on April 22, 1923. "
                                    "She died on December 11, 2008, her agent said.")])[0]
    assert own_date(body, not_after=NOW) == "2008-12-11"


def test_own_date_is_never_after_publication():
    _, body = parse_articles([("x", "Tickets for the June 5, 2027 final go on sale. The draw took place on May 1, 2027.")])[0]
    assert own_date(body, not_after=datetime(2027, 5, 2)) == "2027-05-01"
    assert own_date(body, not_after=datetime(2027, 6, 30)) == "2027-06-05"   # no tense cue: the latest date
    assert own_date(body, not_after=datetime(2027, 4, 1)) is None
    _, body = parse_articles([("x", "The final is in June 2027. The draw took place on May 1, 2027.")])[0]
    assert own_date(body, not_after=datetime(2027, 5, 2)) == "2027-05-01"   # a later month is skipped too
    assert own_date(body, not_after=datetime(2027, 6, 30)) == "2027-05-01"  # a month is no day
    # a date the law takes effect on, after publication, is not the article's
    _, body = parse_articles([("x", "The law was passed on March 3, 2010 and takes effect on January 1, 2011.")])[0]
    assert own_date(body, not_after=datetime(2010, 3, 4)) == "2010-03-03"


def test_own_date_is_the_newest_development_not_the_background_before_it():
    # a trial opened on Monday is about a robbery years before: the trial is the news
    published = datetime(2031, 6, 11, 9, 0)   # a Wednesday
    _, body = parse_articles([("x", "A man accused of robbing the Brenton Savings Bank on March 3, 2029 went on "
                                    "trial on Monday, prosecutors said.")])[0]
    assert own_date(body, published, not_after=published) == "2031-06-09"
    # a toll that rose on Thursday after an attack on July 14: the rise is the news
    published = datetime(2031, 7, 25, 9, 0)   # a Friday
    _, body = parse_articles([("x", "The death toll from the July 14, 2031 attack on the Norwick promenade rose "
                                    "to 85 on Thursday, officials said.")])[0]
    assert own_date(body, published, not_after=published) == "2031-07-24"
    # without a later date, the one date of the lead stays the article's
    _, body = parse_articles([("x", "Robbers took jewels worth 85 million euros from a Brenton store on "
                                    "March 3, 2029, police said.")])[0]
    assert own_date(body, published, not_after=published) == "2029-03-03"


def test_own_date_resolves_relative_days_against_publication(parsed):
    _, body = parsed["headline"]
    # "returned ... on Friday", published on Friday 5 March: that day, later than the dateline's 3 March
    assert own_date(body, datetime(2021, 3, 5, 12, 0), not_after=datetime(2021, 3, 5, 12, 0)) == "2021-03-05"
    # published a week later, the Friday is 12 March, after the dateline: still the newest day
    assert own_date(body, datetime(2021, 3, 12, 12, 0), not_after=datetime(2021, 3, 12, 12, 0)) == "2021-03-12"
    # with no publication date, a weekday is no date: the dateline is the own date
    assert own_date(body) == "2021-03-03"


def test_dates_at_the_ends_of_the_calendar_resolve_without_overflow():
    """A record dated 9999-12-31 or 0001-01-01 has no tomorrow or yesterday: the relative days
    that would cross the calendar's end are left out (they overflowed, and the entities worker
    dead-lettered a schema-valid article)."""
    _, body = parse_articles([("x", "Mayor Ada Brennor said yesterday that the river flooded Norwick on Monday. "
                                    "Tomorrow the rescue continues.")])[0]
    last, first = datetime(9999, 12, 31, 23, 59), datetime(1, 1, 1)
    assert own_date(body, last, not_after=last) == "9999-12-30"                  # yesterday; no tomorrow
    assert "9999-12-30" in find_dates(body, last)
    assert own_date(body, first, not_after=first) == "0001-01-01"                # Monday; no yesterday
    assert all(d.startswith("0001-01") for d in find_dates(body, first))
