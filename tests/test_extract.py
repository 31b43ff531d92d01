"""Extraction of article pages (plain text in the channel's shape, and HTML) into clean stories."""

from __future__ import annotations

import gzip
import json
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from channel.text.extract import (
    Extracted,
    decode_html,
    extract_file,
    extract_html,
    extract_text,
)
from channel.text.metadata import parse_datetime

PAGES = Path(__file__).parent / "fixtures" / "pages"

BOILERPLATE_MARKERS = (
    "(photo",
    "photo:",
    "can also be accessed",
    "share this",
    "roku",
    "www.",
    "sign up",
    "newsletter",
    "read more",
    "related",
    "follow us",
    "comments",
    "copyright",
    "facebook",
    "you may also like",
)


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def assert_clean(result: Extracted) -> None:
    for paragraph in result.paragraphs:
        lower = paragraph.lower()
        for marker in BOILERPLATE_MARKERS:
            assert marker not in lower, (marker, paragraph)


# --- plain-text pages in the channel's shape ----------------------------------------------------


def test_text_page_with_breadcrumb_caption_and_trailing_promos() -> None:
    result = extract_text(page("harbour_strike.txt"))
    assert result.title == "Dock workers halt Harbour City port for second day over pay dispute"
    assert result.section == "Asia-Pacific"
    assert result.breadcrumb == ["News", "Asia-Pacific"]
    assert result.paragraphs[0].startswith("Thousands of dock workers in Harbour City")
    assert result.paragraphs[-1].startswith("Shipping analysts said")
    assert len(result.paragraphs) == 5
    assert_clean(result)
    assert result.text == "\n\n".join(result.paragraphs)
    assert result.language is None  # plain text carries no metadata; detection is elsewhere


def test_text_page_with_byline_dateline_and_related_list() -> None:
    result = extract_text(page("cup_final.txt"))
    assert result.title == "Riverside United lift the cup after late comeback against Northport"
    assert result.section == "Football"
    assert result.byline == "Maria Jensen"
    assert result.published == datetime(2023, 3, 14, 21, 30, tzinfo=UTC)
    assert result.paragraphs[0].startswith("Riverside United came from two goals down")
    assert result.paragraphs[-1].startswith("It is the club's first major trophy")
    assert len(result.paragraphs) == 4
    assert_clean(result)


def test_text_page_with_crlf_and_hard_wrapped_paragraphs() -> None:
    raw = (PAGES / "night_trams.txt").read_bytes().decode("utf-8")
    assert "\r\n" in raw
    result = extract_text(raw)
    assert result.title == "City council approves new night tram network"
    assert result.section == "Europe"
    assert len(result.paragraphs) == 2
    assert result.paragraphs[0].startswith("The city council voted on Wednesday")
    assert result.paragraphs[0].endswith("will cost less than expected.")
    assert_clean(result)


def test_text_page_without_breadcrumb_or_headline() -> None:
    body = (
        "The committee published its report on Friday, recommending that the rail line be "
        "extended to the airport before the end of the decade."
    )
    result = extract_text(body + "\n\nSecond paragraph of the story, which is also prose.")
    assert result.section is None
    assert result.title is None  # a long sentence is body, not a headline
    assert result.paragraphs[0] == body


def test_text_page_caption_is_not_the_first_paragraph() -> None:
    text = (
        "News / Business\n\nBank raises interest rates again\n\n"
        "The governor speaks to reporters in the capital on May 3, 2024. (Photo by Reuters)\n\n"
        "The central bank raised its main interest rate for the third time this year."
    )
    result = extract_text(text)
    assert result.paragraphs == [
        "The central bank raised its main interest rate for the third time this year."
    ]


@pytest.mark.parametrize("text", ["", "   \n\n  ", "\x00\x00", "News / EU"])
def test_text_degenerate_inputs(text: str) -> None:
    result = extract_text(text)
    assert isinstance(result, Extracted)
    assert result.text.strip("\x00") == ""


def test_text_is_capped() -> None:
    result = extract_text("Headline here\n\n" + "word " * 100_000, max_bytes=10_000)
    assert result.truncated
    assert sum(len(p) for p in result.paragraphs) <= 10_000


# --- HTML ---------------------------------------------------------------------------------------


def test_html_article_metadata_and_clean_body() -> None:
    url = "https://daily.example/science/desert-solar-farm?utm_source=feed"
    result = extract_html((PAGES / "solar_farm.html").read_bytes(), url=url)
    assert result.title == "Desert solar farm starts feeding the grid"
    assert result.section == "Science"
    assert result.byline == "Priya Raman"
    assert result.published == datetime(2024, 5, 2, 6, 15, tzinfo=UTC)
    assert result.published.utcoffset() == timedelta(hours=2)
    assert result.language == "en"
    assert result.canonical_url == "https://daily.example/science/desert-solar-farm"
    assert result.lead_image == "https://daily.example/media/solar-farm.jpg"
    assert result.paragraphs[0].startswith("The largest solar farm in the region")
    assert result.paragraphs[-1].startswith("A second phase")
    assert len(result.paragraphs) == 5
    assert_clean(result)
    assert not any("Great news" in p for p in result.paragraphs)  # reader comments


def test_html_in_a_legacy_encoding_is_decoded_from_its_declaration() -> None:
    result = extract_html((PAGES / "cafe_cp1252.html").read_bytes())
    assert result.title == "Le café du port rouvre ses portes"
    assert result.language == "fr"
    assert result.published == datetime(2023, 9, 10, 18, 0, tzinfo=UTC)
    assert result.paragraphs[0].startswith("Après deux années de travaux, le café historique")
    assert "l’âme du lieu" in result.text


def test_html_str_input_and_relative_urls_without_base() -> None:
    html = (PAGES / "solar_farm.html").read_text(encoding="utf-8")
    result = extract_html(html)
    assert result.title == "Desert solar farm starts feeding the grid"
    assert result.canonical_url is None  # relative and nothing to resolve it against
    assert result.lead_image is None


def test_lead_image_skips_a_tracking_pixel_before_the_photo() -> None:
    html = (
        "<html><head><title>Harbour crane arrives</title></head><body><article>"
        '<img src="/beacon.gif" width="1" height="1">'
        "<h1>Harbour crane arrives</h1><p>The new crane reached the harbour on Monday morning "
        "after a week at sea, and engineers began assembling it the same afternoon.</p>"
        '<img src="/media/crane.jpg" width="1200" height="800"></article></body></html>'
    )
    result = extract_html(html, url="https://port.example/news/crane")
    assert result.lead_image == "https://port.example/media/crane.jpg"


def test_html_source_rules_by_host_keep_the_body() -> None:
    html = (PAGES / "solar_farm.html").read_bytes()
    kept = extract_html(html, url="https://www.presstv.ir/x").paragraphs
    assert any(p.startswith("Engineers spent three years") for p in kept)


def test_html_gzip_body_is_inflated() -> None:
    raw = (PAGES / "solar_farm.html").read_bytes()
    result = extract_html(gzip.compress(raw))
    assert result.title == "Desert solar farm starts feeding the grid"


def test_html_minimal_page_falls_back_to_paragraphs() -> None:
    html = (
        "<html><body><p>"
        + "A short story told in one paragraph of plain words. "
        + "</p></body></html>"
    )
    result = extract_html(html)
    assert result.paragraphs == ["A short story told in one paragraph of plain words."]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n",
        b"\x00" * 5000,
        bytes(range(256)) * 200,
        b"\xff\xfe\x00\x00garbage",
        b"<html><head><title>Only a title</title></head><body></body></html>",
        b"<html>" + b"<div>" * 5000 + b"deep" + b"</div>" * 5000 + b"</html>",
        "<html><body><p>\ud800 lone surrogate</p></body></html>",
        b'<html><head><meta charset="no-such-charset"></head><body><p>caf\xe9</p></body></html>',
        b'<?xml version="1.0" encoding="utf-8"?><html><body><p>xml declared</p></body></html>',
    ],
)
def test_hostile_html_never_raises(data: bytes | str) -> None:
    result = extract_html(data, url="https://example.com/a")
    assert isinstance(result, Extracted)


def test_huge_html_is_truncated_quickly_and_keeps_the_article() -> None:
    script = b"<script>" + b"var x = 1;" * 40_000 + b"</script>"  # 400 KB of ad code
    article = b"<article><p>" + b"The river rose overnight and the town was evacuated. " * 4
    page_bytes = b"<html><head><title>Flood</title>" + script + b"</head><body>" + article
    page_bytes += b"</p></article>" + b"<div>" + b"filler text " * 50_000 + b"</div></body></html>"
    started = time.perf_counter()
    result = extract_html(page_bytes, max_bytes=300_000)
    assert time.perf_counter() - started < 10
    assert result.truncated
    assert result.title == "Flood"
    assert "The river rose overnight" in result.text


def test_huge_tree_skips_the_extractor() -> None:
    rows = "<tr><td>x</td><td>y</td></tr>" * 25_000  # 75k elements
    html = "<html><body><p>" + "Lead paragraph of a story about a very large table. " + rows
    started = time.perf_counter()
    result = extract_html(html + "</p></body></html>")
    assert time.perf_counter() - started < 10
    assert isinstance(result, Extracted)


def test_decode_html_cuts_cleanly_inside_a_multibyte_character() -> None:
    text, truncated = decode_html("é".encode() * 10, max_bytes=5)
    assert truncated
    assert text.startswith("éé")
    assert "\ufffd" not in text[:2]


def test_extract_file_picks_html_or_text() -> None:
    assert extract_file(PAGES / "solar_farm.html").section == "Science"
    assert extract_file(PAGES / "harbour_strike.txt").section == "Asia-Pacific"


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "2024-05-02T08:15:00+02:00",
            datetime(2024, 5, 2, 8, 15, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2024-05-02T06:15:00Z", datetime(2024, 5, 2, 6, 15, tzinfo=UTC)),
        ("2024-05-02", datetime(2024, 5, 2, tzinfo=UTC)),
        ("Thu, 02 May 2024 06:15:00 GMT", datetime(2024, 5, 2, 6, 15, tzinfo=UTC)),
        ("Tue Dec 21, 2021 03:14PM", datetime(2021, 12, 21, 15, 14, tzinfo=UTC)),
        ("Published: March 3, 2024", datetime(2024, 3, 3, tzinfo=UTC)),
        ("3 March 2024", datetime(2024, 3, 3, tzinfo=UTC)),
    ],
)
def test_parse_datetime_is_timezone_aware(value: str, expected: datetime) -> None:
    parsed = parse_datetime(value)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None


@pytest.mark.parametrize("value", [None, "", "yesterday", "not a date at all", "0001-01-01"])
def test_parse_datetime_rejects_junk(value: str | None) -> None:
    assert parse_datetime(value) is None


def _story_html(head: str) -> str:
    body = "".join(
        f"<p>Paragraph {i} of a story about the new bridge, long enough to count as prose.</p>"
        for i in range(6)
    )
    return f"<html><head>{head}</head><body><article>{body}</article></body></html>"


def test_json_ld_graph_and_breadcrumb_give_metadata() -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "BreadcrumbList",
                "itemListElement": [
                    {"@type": "ListItem", "position": 2, "name": "Transport"},
                    {"@type": "ListItem", "position": 1, "name": "Home"},
                    {"@type": "ListItem", "position": 3, "name": "New bridge opens"},
                ],
            },
            {
                "@type": ["NewsArticle"],
                "headline": "New bridge opens",
                "datePublished": "2024-06-01T10:00:00-04:00",
                "author": [{"name": "Ada Park"}, {"name": "Ben Ito"}],
                "image": [{"url": "https://img.example/bridge.jpg"}],
                "inLanguage": "pt-BR",
            },
        ],
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    result = extract_html(_story_html(head), url="https://news.example/t/1")
    assert result.title == "New bridge opens"
    assert result.section == "Transport"
    assert result.breadcrumb == ["Transport"]
    assert result.byline == "Ada Park, Ben Ito"
    assert result.published == datetime(2024, 6, 1, 14, 0, tzinfo=UTC)
    assert result.language == "pt"
    assert result.lead_image == "https://img.example/bridge.jpg"
    assert len(result.paragraphs) == 6


@pytest.mark.parametrize("url", ["http://[::1", "not a url", "javascript:alert(1)", ""])
def test_malformed_urls_are_ignored(url: str) -> None:
    head = '<link rel="canonical" href="javascript:alert(1)">'
    head += '<meta property="og:image" content="x.jpg">'
    result = extract_html(_story_html(head), url=url or None)
    assert result.canonical_url is None
    assert len(result.paragraphs) == 6


def test_broken_json_ld_is_skipped() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
    head += "<title>Fallback title</title>"
    assert extract_html(_story_html(head)).title == "Fallback title"


def test_unclosed_tags_over_the_cap_stay_linear() -> None:
    article = b"<p>" + b"Rescue teams reached the village after the landslide cut the road. " * 3
    hostile = b"<html><body>" + article + b"</p>" + b"<!--<script>" * 100_000 + b"</body></html>"
    started = time.perf_counter()
    result = extract_html(hostile, max_bytes=200_000)
    assert time.perf_counter() - started < 10
    assert result.truncated


def test_binary_garbage_gives_no_body() -> None:
    junk = bytes(range(256)) * 400
    assert extract_html(junk).paragraphs == []
    assert extract_text(junk.decode("latin-1")).paragraphs == []
