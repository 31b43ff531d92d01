"""Offline language detection and story tags."""

from __future__ import annotations

import pytest

from channel.text.keywords import TAG_MAX, detect_language, extract_tags

STORY = (
    "The European Union has rejected Russia's security demands as unacceptable. In an interview "
    "with a German newspaper, EU foreign policy chief Josep Borrell said the demands on NATO "
    "expansion were a purely Russian agenda. Russia sent NATO and the United States a proposal "
    "in December. Josep Borrell said Moscow had put its demands in writing. NATO says Ukraine "
    "may choose its own alliances, and Russia rejects the allegation that it plans an invasion."
)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (STORY, "en"),
        ("Der Bundeskanzler kam am Montag nach Berlin und sprach über die Wirtschaft.", "de"),
        ("Le président de la République a annoncé mardi une réforme des retraites.", "fr"),
        ("El gobierno de España anunció nuevas medidas económicas para las familias.", "es"),
        ("東京都は月曜日、新しい防災計画を発表した。", "ja"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", "   ", "123 456", "!!"])
def test_detect_language_defaults_to_english(text: str) -> None:
    assert detect_language(text) == "en"


def test_tags_name_the_story() -> None:
    tags = extract_tags(STORY, title="EU rejects Russia's security demands")
    assert len(tags) <= 8
    assert {"Russia", "NATO", "Josep Borrell"} <= set(tags)  # names keep their case
    assert all(len(t) <= TAG_MAX for t in tags)
    assert "Russian" not in tags and "russian" not in tags  # one form per word
    assert "demands" in tags  # a common word is lowercase
    assert not {"the", "said", "and", "russia's"} & set(tags)
    assert len(set(tags)) == len(tags)


def test_tags_are_deterministic_and_limited() -> None:
    assert extract_tags(STORY) == extract_tags(STORY)
    assert len(extract_tags(STORY, limit=3)) == 3
    assert extract_tags(STORY, limit=0) == []


def test_tags_merge_possessives_and_honorifics() -> None:
    text = "Dr. Venter said the genome was mapped. Venter's team at HBO's lab led the genome work."
    tags = extract_tags(text)
    assert "Venter" in tags and "genome" in tags
    assert not any("'" in t or "’" in t or t.startswith("dr ") for t in tags)


def test_tags_from_title_only_and_empty() -> None:
    assert extract_tags("", title="Storm hits Cornwall coast") != []
    assert extract_tags("") == []
    assert extract_tags("   ", title=None) == []


def test_tags_other_languages() -> None:
    tags = extract_tags(
        "Der Bundeskanzler kam am 3. Oktober nach Berlin. Er sprach in Berlin mit Dr. Müller "
        "über die Wirtschaft.",
        language="de",
    )
    assert "Berlin" in tags and "die" not in tags and "über" not in tags
    cjk = extract_tags("東京都は防災計画を発表した。東京都の計画は新しい。", language="ja")
    assert "東京" in cjk and all(len(t) <= TAG_MAX for t in cjk)


def test_long_names_are_not_tags() -> None:
    text = "The International Federation of Association Football met. " * 3
    assert all(len(t) <= TAG_MAX for t in extract_tags(text))


def test_tags_one_form_per_word_names_first() -> None:
    text = (
        "Russian troops moved closer to Ukraine on Monday. Officials in Kyiv said Russia had "
        "massed troops on the border. Ukrainian officials said the demand was new. Russians "
        "near the border were told to leave, and the troops stayed. Kyiv rejected the demands."
    )
    tags = extract_tags(text, title="Russia masses troops on Ukraine border")
    lowered = [t.lower() for t in tags]
    assert "russia" in lowered and "russian" not in lowered and "russians" not in lowered
    assert not ({"ukraine", "ukrainian"} <= set(lowered))
    assert not ({"demand", "demands"} <= set(lowered))
    assert not ({"troop", "troops"} <= set(lowered))
    assert len(tags) <= 8 and len(set(lowered)) == len(lowered)
    names = [t for t in tags if t[:1].isupper()]
    assert tags[: len(names)] == names  # the most specific (names) first
    assert all(t == t.lower() for t in tags[len(names) :])
    assert "the" not in lowered and "said" not in lowered
