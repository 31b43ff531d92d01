"""TV summary rules: length, whole sentences, debris, tickers, fallbacks, hard inputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from channel.text.sentences import is_balanced, split_sentences
from channel.text.summarize import (
    SUMMARY_MAX,
    TICKER_MAX,
    LeadPlus,
    Summarizer,
    Summary,
    clean_text,
    compress_sentence,
    lead_baseline,
    make_ticker,
    summarize,
    summary_from_sentences,
    tighten_sentence,
)

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "summaries"
TERMINAL = re.compile(r"[.!?…。！？][\"'”’)\]」』）]*$")

ARTICLE = (
    "The city council approved a plan on Tuesday to build 500 affordable homes near the old "
    "railway yard. The vote was seven to two after a three-hour debate. Construction will begin "
    "next spring and take about three years. Residents had campaigned for the homes since 2019. "
    "'This is a great day for the city,' said the mayor, Jane Doe. The council also approved a "
    "new bus route. Critics said the plan would strain local schools. A final design is due in "
    "June."
)


def assert_tv_rules(out: Summary, source_text: str = "") -> None:
    assert isinstance(out, Summary)
    assert out.summary and out.ticker
    assert len(out.summary) <= SUMMARY_MAX
    assert len(out.ticker) <= TICKER_MAX
    assert "\n" not in out.summary and "\n" not in out.ticker
    assert out.summary == out.summary.strip() and "  " not in out.summary
    for sentence in split_sentences(out.summary):
        assert is_balanced(sentence), sentence


def assert_whole_sentences(out: Summary) -> None:
    assert TERMINAL.search(out.summary), out.summary
    assert not out.summary.endswith("…")


def test_typical_article_fills_the_budget_with_whole_sentences() -> None:
    out = summarize(ARTICLE)
    assert_tv_rules(out)
    assert_whole_sentences(out)
    assert out.summary.startswith("The city council approved a plan on Tuesday")
    assert len(out.summary) > 200  # more than the lead sentence alone
    assert "'This is a great day" not in out.summary  # a bare quote is not a summary line


def test_deterministic() -> None:
    assert summarize(ARTICLE, title="Homes") == summarize(ARTICLE, title="Homes")


def test_lead_baseline_is_a_plain_lead() -> None:
    out = lead_baseline(ARTICLE)
    assert out.summary.startswith("The city council approved")
    assert len(out.summary) <= SUMMARY_MAX


@pytest.mark.parametrize(
    ("raw", "must_not_contain"),
    [
        ("(CNN) -- " + ARTICLE, "CNN"),
        ("(CNN)" + ARTICLE, "CNN"),
        ("LONDON, England (Reuters) - " + ARTICLE, "Reuters"),
        (
            "By . Daily Mail Reporter . PUBLISHED: . 10:02 EST, 1 May 2014 . | . UPDATED: . "
            "11:10 EST, 1 May 2014 . " + ARTICLE,
            "PUBLISHED",
        ),
        (
            "Share this withEmailFacebookTwitterPinterestWhatsAppLinkedinCopy this link" + ARTICLE,
            "Share",
        ),
        ("18 March 2014 Last updated at 09:22 GMT" + ARTICLE, "Last updated"),
        ("Scroll down for video " + ARTICLE, "Scroll"),
        ("Media playback is not supported on this device" + ARTICLE, "playback"),
    ],
)
def test_debris_is_removed(raw: str, must_not_contain: str) -> None:
    out = summarize(raw)
    assert_tv_rules(out)
    assert must_not_contain not in out.summary
    assert out.summary.startswith("The city council approved")


def test_glued_caption_is_not_the_lead() -> None:
    text = (
        "Pensioner pictured with his dog in the garden The dog saved its owner from a badger the "
        "size of a large pig in Devon on Sunday. The owner was unhurt."
    )
    assert clean_text(text).splitlines()[0] == "Pensioner pictured with his dog in the garden"
    assert summarize(text).summary.startswith("The dog saved its owner")


def test_very_long_first_sentence_is_skipped_not_cut() -> None:
    long_first = (
        "The committee, which met for the third time this year in the capital after a long "
        "series of delays that had frustrated members, officials, campaigners and many of the "
        "residents who had written to it, agreed on Monday a sweeping package of measures on "
        "housing, transport, schools, hospitals, parks and policing that it said would be paid "
        "for by new taxes on second homes and on empty shops."
    )
    assert len(compress_sentence(long_first)) > SUMMARY_MAX
    text = long_first + " The package costs two billion pounds. The first measures start in April."
    out = summarize(text)
    assert_tv_rules(out)
    assert_whole_sentences(out)
    assert out.summary == "The package costs two billion pounds. The first measures start in April."


def test_one_sentence_article() -> None:
    text = "A fire broke out at the central library on Friday night, fire crews said."
    out = summarize(text)
    assert_tv_rules(out)
    assert out.summary == "A fire broke out at the central library on Friday night."
    assert out.ticker == out.summary


def test_one_giant_sentence_falls_back_to_title_then_a_word_boundary_cut() -> None:
    giant = " ".join(["The mayor said the plan, which covers many streets,"] * 12) + " works."
    with_title = summarize(giant, title="Mayor backs plan")
    assert with_title.summary == "Mayor backs plan"
    assert with_title.ticker == "Mayor backs plan"
    without = summarize(giant)
    assert_tv_rules(without)
    assert without.summary.endswith("…")
    assert giant.startswith(without.summary[:-1])  # a prefix of the text, cut between words
    assert giant[len(without.summary) - 1] == " "


def test_never_ends_inside_a_quote_when_cutting() -> None:
    text = "Officials in the city said " + '"' + "this is very important, " * 20 + 'truly" today.'
    out = summarize(text)
    assert_tv_rules(out)
    assert out.summary == "Officials in the city said…"


def test_quotes_spanning_sentences_stay_whole() -> None:
    text = (
        'The coach was blunt after the defeat. "We were poor. We lost every battle. We have to '
        'be better," he said. The club is now fifth in the league.'
    )
    out = summarize(text)
    assert_tv_rules(out)
    assert out.summary.count('"') % 2 == 0


@pytest.mark.parametrize(
    "text",
    [
        "Der Bundeskanzler kam am 3. Oktober nach Berlin. Er sprach mit Dr. Müller über die "
        "Wirtschaft. Die Gespräche dauerten drei Stunden. Beide Seiten zeigten sich zufrieden.",
        "Le président de la République a annoncé mardi une réforme des retraites. M. Dupont a "
        "répondu que les syndicats manifesteraient jeudi. Le texte sera examiné en juin.",
        "東京都は月曜日、新しい防災計画を発表した。計画には避難所の増設が含まれる。"
        "知事は「市民の安全が最優先だ」と述べた。" * 4,
    ],
)
def test_non_english(text: str) -> None:
    for language in (None, "de", "fr", "ja"):
        out = summarize(text, language=language)
        assert_tv_rules(out)
        assert_whole_sentences(out)


def test_empty_text_uses_the_title() -> None:
    out = summarize("", title="Storm closes the coast road")
    assert out == Summary("Storm closes the coast road", "Storm closes the coast road")
    long_title = "Storm " + "closes the coast road and the harbour " * 10
    out = summarize("   \n ", title=long_title)
    assert_tv_rules(out)
    assert out.summary.endswith("…") and out.ticker.endswith("…")


@pytest.mark.parametrize("text", ["Photo: Reuters\nShare", "Scroll down for video"])
def test_text_with_no_usable_sentence_still_summarizes(text: str) -> None:
    assert_tv_rules(summarize(text))


def test_question_hooks_are_not_the_summary() -> None:
    text = "Ferrari, who are Ferrari? " + ARTICLE
    assert summarize(text).summary.startswith("The city council approved")


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_nothing_at_all_raises(text: str) -> None:
    with pytest.raises(ValueError):
        summarize(text)
    with pytest.raises(ValueError):
        summarize(text, title="  ")


def test_ticker_rules() -> None:
    lead = "The city council approved a plan on Tuesday to build 500 affordable homes near the "
    long_lead = lead + "old railway yard, which has stood empty for more than thirty years."
    assert summarize(ARTICLE).ticker == lead + "old railway yard."  # the lead fits: use it
    out = summarize(long_lead + " The vote was seven to two.", title="Council backs 500 homes")
    assert out.ticker == "Council backs 500 homes"  # the lead is too long for a ticker
    short = "Schools shut as snow hits the north. Trains are cancelled."
    assert summarize(short, title="Snow").ticker == "Schools shut as snow hits the north."
    ticker = make_ticker([ARTICLE], title=None)
    assert len(ticker) <= TICKER_MAX and ticker.endswith("…")
    assert ARTICLE.startswith(ticker[:-1]) and ARTICLE[len(ticker) - 1] == " "


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Leon Yeaman, 55, was killed by a single punch (pictured) in Brisbane, police said.",
            "Leon Yeaman was killed by a single punch in Brisbane.",
        ),
        (
            "Greece will repay the loan on time, according to the deputy finance minister.",
            "Greece will repay the loan on time.",
        ),
        (  # a quote keeps its speaker
            '"We will repay the loan on time," the minister told reporters.',
            '"We will repay the loan on time," the minister told reporters.',
        ),
        ("The vote (7-2) passed.", "The vote (7-2) passed."),  # would leave too little
    ],
)
def test_compress_sentence(sentence: str, expected: str) -> None:
    assert compress_sentence(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "In an op-ed published by The New York Times on Wednesday, Nick Loeb explained his "
            "rationale for fighting to keep the embryos.",
            "Nick Loeb explained his rationale for fighting to keep the embryos.",
        ),
        (
            "Klopp announced that he would leave Dortmund at the end of the season, prompting "
            "fresh speculation that he could head for the Premier League.",
            "Klopp announced that he would leave Dortmund at the end of the season.",
        ),
        (  # "and one in the Conference, it is ..." would not be a sentence: leave it
            "With two weekends to play, and one in the Conference, it is crunch time for clubs.",
            "With two weekends to play, and one in the Conference, it is crunch time for clubs.",
        ),
    ],
)
def test_tighten_sentence(sentence: str, expected: str) -> None:
    assert tighten_sentence(sentence) == expected


def test_a_long_lead_is_tightened_rather_than_dropped() -> None:
    lead = (
        "In a statement released late on Sunday evening after a meeting of its national board, "
        "the airline said it would cut 2,000 jobs and close three of its regional bases, "
        "prompting unions to warn of strikes across the summer holiday season at every airport "
        "where it flies and a long dispute that could last for many months into next year."
    )
    out = summarize(lead + " The cuts will take effect in June next year.")
    assert out.summary.startswith("The airline said it would cut 2,000 jobs")
    assert_tv_rules(out)
    assert_whole_sentences(out)


def test_summarizer_protocol_for_plugins() -> None:
    class FirstSentence:
        def __call__(
            self, text: str, *, title: str | None = None, language: str | None = None
        ) -> Summary:
            sentences = split_sentences(text)
            summary = summary_from_sentences(sentences[:1], title=title)
            return Summary(summary, make_ticker(sentences, title=title))

    methods: list[Summarizer] = [FirstSentence(), LeadPlus(), summarize, lead_baseline]
    for method in methods:
        assert_tv_rules(method(ARTICLE, title="Council backs homes"))


def test_summary_from_sentences_enforces_the_budget() -> None:
    sentences = ["A" * 200 + ".", "B" * 150 + ".", "C" * 90 + "."]
    assert summary_from_sentences(sentences) == sentences[0] + " " + sentences[2]
    assert len(summary_from_sentences(["word " * 100], budget=50)) <= 50


@pytest.mark.skipif(not EVAL.exists(), reason="needs ../shared/eval")
def test_real_articles_respect_the_tv_rules() -> None:
    for name in ("cnndm-dev.jsonl", "xsum-dev.jsonl"):
        with (EVAL / name).open(encoding="utf-8") as fh:
            for line in fh:
                out = summarize(json.loads(line)["article"])
                assert_tv_rules(out)
                assert_whole_sentences(out)
