"""Sentence splitting on the cases that break naive splitters in news copy."""

from __future__ import annotations

import pytest

from channel.text.sentences import is_balanced, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dr. Smith flew to Washington, D.C. on Monday. He met the U.S. president at No. 10 "
            "Downing St. and paid $3.50 for tea.",
            [
                "Dr. Smith flew to Washington, D.C. on Monday.",
                "He met the U.S. president at No. 10 Downing St. and paid $3.50 for tea.",
            ],
        ),
        (
            "Blues legend B.B. King was hospitalized. He is 89.",
            ["Blues legend B.B. King was hospitalized.", "He is 89."],
        ),
        (
            "Inflation rose 2.5% in Q3. The Fed met at 10 a.m. on Tuesday. Rates stayed at 4.25.",
            [
                "Inflation rose 2.5% in Q3.",
                "The Fed met at 10 a.m. on Tuesday.",
                "Rates stayed at 4.25.",
            ],
        ),
        (
            "He scored 6-3 6-1. Was it easy? Yes! Then he left...",
            ["He scored 6-3 6-1.", "Was it easy?", "Yes!", "Then he left..."],
        ),
    ],
)
def test_abbreviations_and_numbers(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'He said: "We won. They lost. It is over." Then he left.',
        "He said: “We won. They lost.” Then he left.",
        "The meeting (held at 10 a.m. in St. Louis. It ran late.) ended. Then he left.",
        "He said: 'We won. They lost.' Then he left.",
    ],
)
def test_never_splits_inside_a_quote_or_bracket(text: str) -> None:
    sentences = split_sentences(text)
    assert sentences[-1] == "Then he left."
    assert len(sentences) == 2
    assert all(is_balanced(s) for s in sentences)


def test_apostrophes_are_not_quotes() -> None:
    text = "The players' union met. It's Smith's call, officials said. Fans' groups agreed."
    assert split_sentences(text) == [
        "The players' union met.",
        "It's Smith's call, officials said.",
        "Fans' groups agreed.",
    ]


def test_an_unclosed_quote_does_not_swallow_the_article() -> None:
    text = 'He said "we won. ' + " ".join(f"Sentence number {i} is here." for i in range(10))
    assert len(split_sentences(text)) >= 8


def test_scraped_glued_sentences_are_split() -> None:
    assert split_sentences("Agents stopped two men in the US.Authorities say they fled.") == [
        "Agents stopped two men in the US.",
        "Authorities say they fled.",
    ]
    assert split_sentences("It rose by 200 million since 2013.There has been a problem.") == [
        "It rose by 200 million since 2013.",
        "There has been a problem.",
    ]


def test_company_suffix_can_end_a_sentence() -> None:
    assert split_sentences("He stole from Bradley Ltd. Mr McGurk was bailed.") == [
        "He stole from Bradley Ltd.",
        "Mr McGurk was bailed.",
    ]
    assert split_sentences("He works at Smith & Co. in London.") == [
        "He works at Smith & Co. in London."
    ]


def test_line_breaks_end_sentences() -> None:
    text = "Breaking news headline\n\nBody text  here. More   text.\nPhoto: Reuters"
    assert split_sentences(text) == [
        "Breaking news headline",
        "Body text here.",
        "More text.",
        "Photo: Reuters",
    ]


def test_non_english() -> None:
    assert split_sentences("Der Kanzler kam am 3. Oktober nach Berlin. Er traf Dr. Müller.") == [
        "Der Kanzler kam am 3. Oktober nach Berlin.",
        "Er traf Dr. Müller.",
    ]
    assert split_sentences("今天天气很好。我们去公园。“你好。”他说。") == [
        "今天天气很好。",
        "我们去公园。",
        "“你好。”",
        "他说。",
    ]
    assert split_sentences("Le président a parlé. M. Dupont a répondu.") == [
        "Le président a parlé.",
        "M. Dupont a répondu.",
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "\t"])
def test_empty(text: str) -> None:
    assert split_sentences(text) == []


def test_one_sentence_without_a_full_stop() -> None:
    assert split_sentences("One sentence only") == ["One sentence only"]


def test_sentences_are_verbatim_slices() -> None:
    text = (
        "Actress Julia Louis-Dreyfus said the style was inspired by Hillary Clinton. "
        "'Hillary Clinton has gotten so much flak for her hairstyles,' Julia explained. "
        "'Which is remarkable. Really.' The 54-year-old (pictured) laughed."
    )
    sentences = split_sentences(text)
    assert " ".join(sentences) == text
    assert sentences[2] == "'Which is remarkable. Really.'"


def test_is_balanced() -> None:
    assert is_balanced('He said "yes" (twice).')
    assert is_balanced("The players' union's view.")
    assert not is_balanced('He said "yes.')
    assert not is_balanced("The meeting (held in May.")
    assert not is_balanced("He said: 'We won.")
