"""Issue 15: a summary never shows a broken sentence, whatever the article (all text our own)."""

from __future__ import annotations

import re

import pytest

from channel.config import Settings
from channel.process import dry_run
from channel.text.keywords import resolve_language
from channel.text.sentences import split_sentences
from channel.text.sourcetag import strip_source_tag
from channel.text.summarize import (
    SUMMARY_MAX,
    TICKER_MAX,
    compress_sentence,
    make_ticker,
    summarize,
    tighten_sentence,
)
from channel.text.wholeness import dangles, has_verb, reads_whole

SEED_SHAPED = """\
News   /   Transport

‘Out of the question’: rail alliance rejects the ministry’s timetable cuts

Alliance chair Mara Lindqvist speaks at the depot in Harwick on May 3, 2024. (Photo by Reuters)

The Northern Rail Alliance (NRA) has rejected the transport ministry’s plan to cut weekend \
services as “out of the question.”

In an interview with the regional paper Harwick Post, NRA chair Mara Lindqvist said the cuts \
would leave whole valleys without a train on Sundays.

She said the ministry had sent its plan in writing for the first time.

Earlier in May, the ministry asked the alliance to find savings of four million pounds before \
the autumn timetable.


Harwick Today’s website can also be accessed at the following alternate addresses:

www.harwick-today.example

SHARE THIS ARTICLE
"""


def sentences_of(summary: str) -> list[str]:
    return split_sentences(summary)


def assert_reads_whole(summary: str, article: str) -> None:
    """Every sentence: capital start, own punctuation, from the article or a safe compression."""
    assert summary and len(summary) <= SUMMARY_MAX
    for sentence in sentences_of(summary):
        assert reads_whole(sentence), sentence
    assert not summary.endswith("…")
    first = sentences_of(summary)[0]
    assert not dangles(first) or article.lstrip().startswith(first[:30]), first


# --- the seed-shaped page and source tags ------------------------------------------------------


def test_seed_shaped_page_keeps_the_name_and_its_abbreviation(tmp_path) -> None:
    page = tmp_path / "rail.txt"
    page.write_text(SEED_SHAPED, encoding="utf-8")
    doc = dry_run(str(page), Settings())
    assert doc["summary"].startswith(
        "The Northern Rail Alliance (NRA) has rejected the transport ministry’s plan"
    ), doc["summary"]
    assert_reads_whole(doc["summary"], "\n".join(doc["paragraphs"]))
    assert len(doc["ticker"]) <= TICKER_MAX and not doc["ticker"].endswith("…")
    assert "Photo by" not in doc["summary"] and "SHARE" not in doc["summary"]


@pytest.mark.parametrize(
    "opening",
    [
        "The All Progressives Congress (APC) won 19 of the 28 governor posts in the election.",
        "The Asian Civilisation Museum (ACM) bought the painting for $650,000 at an auction.",
        "The European Union (EU) has rejected the demands for a new treaty on the border.",
        "Harbour Workers United (HWU) - the dock union - called a strike for Monday morning.",
    ],
)
def test_a_name_with_its_abbreviation_is_never_a_source_tag(opening: str) -> None:
    assert strip_source_tag(opening) == opening
    out = summarize(opening + " Talks resume next week in the capital, officials said.")
    assert out.summary.startswith(opening.split(" (")[0] + " ("), out.summary


@pytest.mark.parametrize(
    ("tagged", "rest"),
    [
        ("LONDON (Reuters) - The bank raised rates.", "The bank raised rates."),
        ("(CNN)A storm hit the coast.", "A storm hit the coast."),
        ("Washington (CNN) -- The senate voted.", "The senate voted."),
        ("ST. JOSEPH, Mich. (AP) — Health officials reported a case.",
         "Health officials reported a case."),
        ("NEW YORK (EW.com) -- Fans queued all night.", "Fans queued all night."),
    ],
)
def test_real_source_tags_are_removed(tagged: str, rest: str) -> None:
    assert strip_source_tag(tagged) == rest


# --- broken sentences ----------------------------------------------------------------------------


def test_a_fragment_is_never_shown() -> None:
    assert not has_verb("Caleb Barnes, to a concert.")
    assert not reads_whole("The tallest and fastest roller coaster in the world.")
    text = (
        "Caleb Barnes, to a concert. The singer's tour bus crashed on the motorway near Leeds on "
        "Friday night. Nobody was hurt, and the show in Glasgow went ahead on Saturday."
    )
    out = summarize(text)
    assert "Caleb Barnes, to a concert" not in out.summary
    assert out.summary.startswith("The singer's tour bus crashed")
    assert_reads_whole(out.summary, text)


def test_a_lowercase_start_is_never_shown() -> None:
    text = (
        "to her Instagram page to share a photograph of the new baby.\n"
        "The presenter announced the birth of her daughter on Sunday. The baby was born in "
        "London and weighs seven pounds."
    )
    out = summarize(text)
    assert out.summary.startswith("The presenter announced the birth")
    assert_reads_whole(out.summary, text)


def test_the_summary_never_opens_with_a_dangling_connective_or_pronoun() -> None:
    text = (
        "Veteran pilot Arthur Reed in 1944.\n"
        "But now another astonishing chapter of his war career has come to light in a letter. "
        "The letter, found in an attic in Kent, describes how he landed a damaged bomber at night. "
        "Historians at the county archive said it would go on display in June."
    )
    out = summarize(text)
    assert not out.summary.startswith("But"), out.summary
    assert out.summary.startswith("The letter, found in an attic in Kent")
    assert_reads_whole(out.summary, text)


def test_a_cut_never_leaves_a_pronoun_or_fragment_to_open_the_summary() -> None:
    long_opening = (
        "In a long interview with the local paper about the closure of the mine and the jobs that "
        "went with it, he said the town would recover within ten years if the new factory opened."
    )
    tightened = tighten_sentence(long_opening)
    assert not dangles(tightened) or tightened == long_opening
    out = summarize("A picture of the town.\n" + long_opening + " The factory opens in May.")
    assert not dangles(sentences_of(out.summary)[0]), out.summary


def test_an_appositive_keeps_its_commas() -> None:
    sentence = (
        "Jane Christie, 41, a managing director at Acme Bank, ditched her job to open a bakery."
    )
    out = compress_sentence(sentence)
    assert "Christie a managing" not in out
    assert out.startswith("Jane Christie, a managing director at Acme Bank, ditched")
    assert compress_sentence("Leon Yeaman, 55, was jailed for six years on Friday.") == (
        "Leon Yeaman was jailed for six years on Friday."
    )


@pytest.mark.parametrize(
    "debris",
    [
        "Strictly business: Julia at the launch in Paris last week.",
        "| DL | Myles Garrett | 57 | 77% | 1 tackle.",
        "Matt Harris, Columbus Police Department spokesman.",
    ],
)
def test_caption_and_list_debris_never_reach_the_summary(debris: str) -> None:
    text = (
        f"{debris}\nThe city council approved a plan on Tuesday to build 500 homes near the old "
        "railway yard. Construction will begin next spring and take about three years."
    )
    out = summarize(text)
    assert debris[:20] not in out.summary
    assert out.summary.startswith("The city council approved a plan")
    assert_reads_whole(out.summary, text)


@pytest.mark.parametrize(
    "sentence",
    [
        "A first edition of a novel by J.R.R. Tolkien sold for a record price at an auction in "
        "Oxford on Monday.",
        "Protesters gathered outside the U.S. Embassy in the capital on Sunday to demand the "
        "release of the journalists.",
    ],
)
def test_a_mid_sentence_abbreviation_does_not_end_the_sentence(sentence: str) -> None:
    text = sentence + " Police said the crowd dispersed peacefully in the evening."
    assert split_sentences(text)[0] == sentence
    out = summarize(text)
    assert out.summary.startswith(sentence)
    assert_reads_whole(out.summary, text)


# --- other languages -----------------------------------------------------------------------------

GERMAN = (
    "Die Stadtwerke Harwick (SWH) haben am Montag einen neuen Windpark in Betrieb genommen, "
    "sagte ein Sprecher. In einem Interview mit der Lokalzeitung sagte die Bürgermeisterin, der "
    "Park versorge künftig 20.000 Haushalte mit Strom. Der Bau hatte drei Jahre gedauert und "
    "kostete rund 40 Millionen Euro. Kritiker bemängeln den Lärm der Anlagen."
)
PORTUGUESE = (
    "A Câmara Municipal de Porto Velho (CMPV) aprovou na terça-feira um plano para construir "
    "quinhentas casas perto da antiga estação, disse o presidente. Em entrevista ao jornal "
    "local, a vereadora afirmou que as obras começam na primavera. O projeto custará cerca de "
    "trinta milhões de reais. Os moradores pediam as casas desde 2019."
)
KOREAN = (
    "서울시는 월요일 한강 공원에 새로운 자전거 도로를 개통했다고 밝혔다. "
    "이 도로는 길이가 12킬로미터에 이르며 공사에 2년이 걸렸다. "
    "시 관계자는 주말마다 수천 명의 시민이 이용할 것으로 예상했다. "
    "시는 내년에 두 번째 구간을 착공할 계획이다."
)


@pytest.mark.parametrize(
    ("text", "language"), [(GERMAN, "de"), (PORTUGUESE, "pt"), (KOREAN, "ko")]
)
@pytest.mark.parametrize("declared", [True, False])
def test_other_languages_get_whole_lead_sentences(
    text: str, language: str, declared: bool
) -> None:
    out = summarize(text, language=language if declared else None)
    article = split_sentences(text)
    got = split_sentences(out.summary) if language != "ko" else [
        s for s in re.split(r"(?<=다\.) ?", out.summary) if s
    ]
    assert got == article[: len(got)], out.summary  # whole sentences, in order, untouched
    assert len(out.summary) <= SUMMARY_MAX
    assert out.ticker in article or out.ticker == out.summary[: len(out.ticker)]
    assert not out.ticker.endswith("…")


@pytest.mark.parametrize(("text", "language"), [(GERMAN, "de"), (PORTUGUESE, "pt")])
def test_a_template_declaring_english_does_not_make_an_article_english(
    text: str, language: str
) -> None:
    assert resolve_language("en", text) == language
    assert resolve_language("en", "The council approved the plan on Tuesday.") == "en"
    assert resolve_language(None, text) == language


# --- tickers -------------------------------------------------------------------------------------


def test_ticker_is_a_whole_sentence_or_the_headline() -> None:
    lead = (
        "The harbour authority confirmed on Thursday evening that the northern pier will stay "
        "closed to ferries and fishing boats for at least another six weeks, exactly eight weeks "
        "after he was appointed."
    )
    assert len(lead) > TICKER_MAX
    title = "Northern pier stays shut for six more weeks"
    assert make_ticker([lead], title=title) == title
    second = "The northern pier will stay closed for six more weeks."
    assert make_ticker([lead, second], title="x" * 200) == second


def test_ticker_cut_only_at_a_clause_boundary_when_nothing_fits() -> None:
    title = (
        "Harbour authority keeps the northern pier closed to ferries and fishing boats, "
        "citing storm damage to the pier's old timber supports and its lighting"
    )
    ticker = make_ticker([], title=title)
    assert len(ticker) <= TICKER_MAX
    assert ticker == (
        "Harbour authority keeps the northern pier closed to ferries and fishing boats…"
    )


@pytest.mark.parametrize(
    ("sentence", "verb"),
    [
        ("The package costs two billion pounds.", True),
        ("The first measures start in April.", True),
        ("Tyson sold the house in 1999.", True),
        ("It’s a couple of per cent across the board.", True),
        ("Camouflaged in body paint, women pose for the camera.", True),
        ("The injured were taken to hospital.", True),
        ("Caleb Barnes, to a concert.", False),
        ("Matt Harris, Columbus Police Department spokesman.", False),
        ("The tallest and fastest roller coaster in the world.", False),
        ("Veteran pilot Arthur Reed in 1944.", False),
    ],
)
def test_the_english_verb_test(sentence: str, verb: bool) -> None:
    assert has_verb(sentence) is verb
