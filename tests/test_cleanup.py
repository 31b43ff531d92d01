"""The boilerplate rule engine: what it drops, what it must never drop, and its data file."""

from __future__ import annotations

from pathlib import Path

import pytest

from channel.text.cleanup import (
    DEFAULT_RULES_PATH,
    RulesError,
    clean_paragraphs,
    load_rules,
    normalize,
    parse_rules,
)

LEAD = (
    "The regional parliament approved the new water budget on Monday after a debate that "
    "lasted well into the night."
)
BODY = "Farmers' groups welcomed the decision but said the money would arrive too late for spring."


def test_default_rules_load_and_are_cached() -> None:
    rules = load_rules()
    assert rules is load_rules()
    assert rules is load_rules(DEFAULT_RULES_PATH)
    assert rules.for_source(None) is rules.for_source(None)


@pytest.mark.parametrize(
    "line",
    [
        "Officials inspect the site on June 2, 2023. (Photo by Reuters)",
        "A crowd gathers outside the court (Photo: AFP)",
        "Photo: Getty Images",
        "SOURCE: News agencies",
        "Share this article",
        "Facebook Twitter Email",
        "Like this story? Share it with a friend!",
        "Sign up for our newsletter to get the best stories every morning.",
        "Click here to subscribe to The Morning Post Newsletter",
        "Thanks for signing up!",
        "Read more: How the river flooded twice in one year",
        "SEE MORE: Ten things to know about the vote",
        "Related: The biggest storms of the decade",
        "Also on example.com Officials deny report of new taxes",
        "Advertisement",
        "Comments",
        "Follow us on Twitter and Facebook for the latest updates.",
        "Copyright 2024 Example News. All rights reserved.",
        "© Example Media Group",
        "Email Jane Roe at jroe@example.com or follow her @janeroe.",
        "Associated Press writer John Doe contributed to this report.",
        "Example TV News Roku",
        "www.example-mirror.tv",
        "https://example.com/some/story",
    ],
)
def test_boilerplate_lines_are_dropped_anywhere(line: str) -> None:
    assert clean_paragraphs([LEAD, line, BODY]) == [LEAD, BODY]


@pytest.mark.parametrize(
    "prose",
    [
        "By the end of the year, the company will have cut 500 jobs, it said in a statement.",
        "Related research shows the effect is stronger in older patients.",
        "Contact tracing at schools will end next month, the ministry said.",
        "Copyright law has not kept pace with the internet, the judge wrote.",
        "Topics discussed included trade, health and the border.",
        "Read more than a hundred letters and you start to see a pattern, she said.",
        "Tags on the containers showed they had left the port in March.",
        # long prose is never tested against the rules, whatever it contains
        "Share this article " + " ".join(["with the committee, the chair said, first."] * 10),
    ],
)
def test_real_prose_is_kept(prose: str) -> None:
    assert clean_paragraphs([LEAD, prose, BODY]) == [LEAD, prose, BODY]


def test_end_rules_cut_the_trailing_block() -> None:
    paragraphs = [
        LEAD,
        BODY,
        "Example TV’s website can also be accessed at the following alternate addresses:",
        "A paragraph after the mirror notice is never part of the story.",
        "SHARE THIS ARTICLE",
    ]
    assert clean_paragraphs(paragraphs) == [LEAD, BODY]


def test_end_rule_never_empties_the_story() -> None:
    # a mirror notice as the very first line is dropped, not treated as the end of the story
    notice = "This site can also be accessed at the following alternate addresses:"
    assert clean_paragraphs([notice, LEAD]) == [LEAD]


def test_start_rules_only_apply_before_the_body() -> None:
    paragraphs = ["By Jane Roe", "Tue Dec 21, 2021 03:14PM", LEAD, "By Jane Roe", BODY]
    assert clean_paragraphs(paragraphs) == [LEAD, "By Jane Roe", BODY]


def test_lead_sentence_starting_with_by_is_not_a_byline() -> None:
    lead = "By Monday, the Senate had voted to approve the plan."
    assert clean_paragraphs([lead, BODY]) == [lead, BODY]


def test_repeated_headline_and_breadcrumb_at_top_are_removed() -> None:
    title = "Parliament approves water budget"
    out = clean_paragraphs(
        ["News / Politics", "Parliament approves water budget", LEAD], title=title
    )
    assert out == [LEAD]


def test_related_heading_takes_its_list_with_it() -> None:
    paragraphs = [LEAD, "Related stories", "- First teaser", "- Second teaser", BODY]
    assert clean_paragraphs(paragraphs) == [LEAD, BODY]


def test_whitespace_and_invisible_characters_are_normalized() -> None:
    assert normalize("  a\u200bb \n\t c\u00ad ") == "ab c"
    assert clean_paragraphs(["  " + LEAD + "\n", "\u200b", "   "]) == [LEAD]


def test_consecutive_duplicates_collapse_but_repeats_elsewhere_stay() -> None:
    q = "What inspired you to start?"
    assert clean_paragraphs([LEAD, LEAD, q, BODY, q]) == [LEAD, q, BODY, q]


def test_strip_rules_remove_inline_junk() -> None:
    assert clean_paragraphs([LEAD + " Click To Tweet"]) == [LEAD]


def test_caption_is_never_the_first_paragraph() -> None:
    caption = "Workers repair the bridge on May 1, 2024. (Photo by Example Agency)"
    assert clean_paragraphs([caption, LEAD])[0] == LEAD


def test_breadcrumb_parsing() -> None:
    crumb = load_rules().for_source(None).breadcrumb
    assert crumb.parse("News   /   EU") == ["News", "EU"]
    assert crumb.parse("Home > World > Middle East") == ["Home", "World", "Middle East"]
    assert crumb.parse("Apple / Google deal talks collapse after months of wrangling") is None
    assert crumb.parse("News") is None
    assert crumb.parse("It rained. / It poured.") is None


def test_per_source_rules_extend_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "drop:\n  - '^advertisement$'\n"
        "sources:\n  example.com:\n    drop:\n      - '^brought to you by '\n"
        "  wire-feed:\n    end:\n      - '^ends$'\n",
        encoding="utf-8",
    )
    rules = load_rules(path)
    promo = "Brought to you by Example Bank"
    assert clean_paragraphs([LEAD, promo], rules=rules) == [LEAD, promo]
    assert clean_paragraphs([LEAD, promo], host="www.example.com", rules=rules) == [LEAD]
    assert clean_paragraphs([LEAD, promo], source="example.com", rules=rules) == [LEAD]
    # defaults still apply for the source
    assert clean_paragraphs([LEAD, "Advertisement"], host="example.com", rules=rules) == [LEAD]
    assert clean_paragraphs([LEAD, "ENDS", BODY], source="wire-feed", rules=rules) == [LEAD]
    assert clean_paragraphs([LEAD, "ENDS", BODY], rules=rules) == [LEAD, "ENDS", BODY]
    # a look-alike host does not pick up the rules
    assert clean_paragraphs([LEAD, promo], host="notexample.com", rules=rules) == [LEAD, promo]


def test_default_file_has_press_tv_style_source_rules() -> None:
    rules = load_rules()
    assert rules.source_keys("www.presstv.ir") == ("presstv.ir",)


@pytest.mark.parametrize(
    "data",
    [
        ["not", "a", "mapping"],
        {"drop": ["(unclosed"]},
        {"dorp": ["typo section"]},
        {"drop": "not a list"},
        {"sources": {"x.com": {"drop": ["[bad"]}}},
        {"sources": {"x.com": {"nope": ["a"]}}},
        {"max_chars": -1},
        {"breadcrumb": {"separator": "(", "min_parts": 2}},
        {"breadcrumb": {"unknown_option": 1}},
    ],
)
def test_malformed_rules_are_rejected_with_a_clear_error(data: object) -> None:
    with pytest.raises(RulesError):
        parse_rules(data)


def test_glued_share_bar_is_stripped_from_the_lead() -> None:
    bar = "Share this withEmailFacebookMessengerTwitterWhatsAppLinkedinCopy this link"
    assert clean_paragraphs([bar + LEAD, BODY]) == [LEAD, BODY]
    assert clean_paragraphs([bar, LEAD]) == [LEAD]


def test_debris_is_cut_in_order_case_sensitively_and_sources_extend_it() -> None:
    rules = parse_rules({
        "debris": [r"\bScroll down for video\b", r"SHARE THIS"],
        "sources": {"dm.example": {"debris": [r"\bAdvertisement\b"]}},
    })
    text = "A storm hit. Scroll down for video The coast SHARE THIS held. scroll down for video"
    assert rules.for_source().cut_debris(text) == \
        "A storm hit. \n The coast \n held. scroll down for video"
    assert rules.for_source("dm.example").cut_debris("Rain Advertisement fell") == "Rain \n fell"
    with pytest.raises(RulesError, match="debris"):
        parse_rules({"debris": ["(unclosed"]})


def test_the_shipped_rules_cut_scraper_debris_from_summaries() -> None:
    text = "By . Daily Mail Reporter . A dog saved three people from a fire on Sunday night."
    assert load_rules().for_source().cut_debris(text).strip() == \
        "A dog saved three people from a fire on Sunday night."
