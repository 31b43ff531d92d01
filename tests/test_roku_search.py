"""The Roku Search feed and Media RSS, built from a channel feed: every rule of each checked.

Pure functions on documents built in code (the channel feed of test_roku_export); the pipeline
and the routes are in test_exports.py.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import feedparser
import pytest

from channel.feed import mrss, roku_search
from channel.feed.roku_export import feed_image_sizes
from tests.test_roku_export import make_feed

Doc = dict[str, Any]


@pytest.fixture
def feed() -> Doc:
    return make_feed()


@pytest.fixture
def search(feed: Doc) -> Doc:
    return roku_search.build_search_feed(feed)


def test_a_valid_search_feed_of_the_stories_with_video(search: Doc, feed: Doc) -> None:
    assert roku_search.check_search_feed(search, image_sizes=feed_image_sizes(feed)) == []
    assert search["version"] == "1" and search["defaultLanguage"] == "en"
    assert search["defaultAvailabilityCountries"] == ["us"]
    assert [a["id"] for a in search["assets"]] == [f"{1:016x}", f"{4:016x}", f"{3:016x}"]


def test_asset_fields(search: Doc, feed: Doc) -> None:
    card = feed["rows"][1]["items"][0]
    asset = search["assets"][0]
    assert asset["id"] == card["id"] and len(asset["id"]) <= 50
    assert asset["type"] == "shortForm"
    assert asset["titles"] == [{"value": card["title"], "languages": ["en"]}]
    assert asset["shortDescriptions"][0]["value"] == card["summary"]  # not the ticker
    assert asset["releaseDate"] == "2026-11-27"
    assert asset["genres"] == ["news"]
    assert asset["advisoryRatings"] == [{"source": "USA_PR", "value": "TVPG"}]
    assert asset["images"] == [{"type": "main", "url": card["thumbnails"]["hero"]["url"],
                                "languages": ["en"]}]
    assert asset["durationInSeconds"] == 84
    assert asset["content"]["playOptions"] == [
        {"license": "free", "quality": "hd", "playId": card["id"]}]


def test_long_description_says_more_than_the_short_one(feed: Doc) -> None:
    story = f"{1:016x}"
    body = "The council heard evidence from engineers and fishermen for three hours. " * 10
    doc = roku_search.build_search_feed(feed, long_descriptions={story: body})
    asset = next(a for a in doc["assets"] if a["id"] == story)
    long = asset["longDescriptions"][0]["value"]
    assert len(long) <= 500 and long.endswith("hours.")
    assert len(long) > len(asset["shortDescriptions"][0]["value"])
    assert roku_search.check_search_feed(doc) == []


def test_a_story_with_no_image_roku_takes_is_left_out(feed: Doc) -> None:
    card = feed["rows"][1]["items"][0]
    card["thumbnails"] = {"hd": {"url": "https://newsdesk.test/t.jpg", "width": 320,
                                 "height": 180}}
    doc = roku_search.build_search_feed(feed)
    assert card["id"] not in {a["id"] for a in doc["assets"]}


def test_no_story_with_video_is_refused() -> None:
    doc = roku_search.build_search_feed(make_feed(videos=False))
    with pytest.raises(roku_search.SearchFeedInvalid) as caught:
        roku_search.validate_search_feed(doc)
    assert any(e.startswith("assets") for e in caught.value.errors)


@pytest.mark.parametrize("size, problem", [
    ((2560, 1440), "larger than 1920x1080"), ((640, 360), "smaller than 800x450"),
    ((1200, 800), "not 16:9"), ((1920, 1080), None), ((1280, 720), None)])
def test_image_size_rule(size: tuple[int, int], problem: str | None) -> None:
    found = roku_search.image_problem(*size)
    assert (found is None) if problem is None else (problem in found)


def _set(path: str, value: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        *parents, last = path.split("/")
        node: Any = doc
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        node[int(last) if isinstance(node, list) else last] = value
    return mutate


def _delete(path: str) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        *parents, last = path.split("/")
        node: Any = doc
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        del node[last]
    return mutate


def _duplicate_id(doc: Doc) -> None:
    doc["assets"][1]["id"] = doc["assets"][0]["id"]
    doc["assets"][1]["content"]["playOptions"][0]["playId"] = doc["assets"][0]["id"]


def _same_long(doc: Doc) -> None:
    doc["assets"][0]["longDescriptions"] = [dict(doc["assets"][0]["shortDescriptions"][0])]


BROKEN = [
    ("version", _set("version", "2"), "version"),
    ("no assets", _set("assets", []), "assets"),
    ("id over 50", _set("assets/0/id", "x" * 51), "assets/0/id"),
    ("duplicate id", _duplicate_id, "assets/1/id"),
    ("type", _set("assets/0/type", "clip"), "assets/0/type"),
    ("no titles", _delete("assets/0/titles"), "titles"),
    ("short over 200", _set("assets/0/shortDescriptions/0/value", "x" * 201),
     "assets/0/shortDescriptions/0/value"),
    ("long equals short", _same_long, "assets/0/longDescriptions/0"),
    ("release date", _set("assets/0/releaseDate", "27/11/2026"), "assets/0/releaseDate"),
    ("no genres", _set("assets/0/genres", []), "assets/0/genres"),
    ("no rating", _delete("assets/0/advisoryRatings"), "advisoryRatings"),
    ("rating source", _set("assets/0/advisoryRatings/0/source", "NOPE"),
     "assets/0/advisoryRatings/0/source"),
    ("no image", _set("assets/0/images", []), "assets/0/images"),
    ("image type", _set("assets/0/images/0/type", "poster"), "assets/0/images/0/type"),
    ("image too small", _set("assets/0/images/0/url",
                             f"https://newsdesk.test/v1/thumbnails/{1:016x}-hd.jpg"),
     "assets/0/images/0"),
    ("no duration", _delete("assets/0/durationInSeconds"), "durationInSeconds"),
    ("duration float", _set("assets/0/durationInSeconds", 84.0), "assets/0/durationInSeconds"),
    ("license", _set("assets/0/content/playOptions/0/license", "ad-supported"),
     "assets/0/content/playOptions/0/license"),
    ("quality as the published schema has it", _set("assets/0/content/playOptions/0/quality",
                                                     "HLS"),
     "assets/0/content/playOptions/0/quality"),
    ("quality upper case", _set("assets/0/content/playOptions/0/quality", "HD"),
     "assets/0/content/playOptions/0/quality"),
    ("playId is not the id", _set("assets/0/content/playOptions/0/playId", "other"),
     "assets/0/content/playOptions/0/playId"),
    ("no playOptions", _set("assets/0/content/playOptions", []), "playOptions"),
    ("unknown field", _set("assets/0/shortDescription", "typo"), "assets/0"),
]


@pytest.mark.parametrize("mutate, field", [(m, f) for _, m, f in BROKEN],
                         ids=[name for name, _, _ in BROKEN])
def test_each_broken_rule_is_caught(search: Doc, feed: Doc, mutate: Callable[[Doc], None],
                                    field: str) -> None:
    doc = copy.deepcopy(search)
    mutate(doc)
    errors = roku_search.check_search_feed(doc, image_sizes=feed_image_sizes(feed))
    assert any(field in e for e in errors), errors
    with pytest.raises(roku_search.SearchFeedInvalid):
        roku_search.validate_search_feed(doc, image_sizes=feed_image_sizes(feed))


# -- Media RSS --------------------------------------------------------------------------------


def _mrss(feed: Doc) -> bytes:
    return mrss.build_mrss(feed, site_url="https://newsdesk.test/v1/feed.json",
                           self_url="https://newsdesk.test/v1/mrss.xml")


def test_mrss_every_element_of_every_item(feed: Doc) -> None:
    body = _mrss(feed)
    assert mrss.check_mrss(body, image_sizes=feed_image_sizes(feed)) == []
    parsed = feedparser.parse(body)
    assert not parsed.bozo and parsed.version == "rss20"
    assert "http://search.yahoo.com/mrss/" in parsed.namespaces.values()
    assert parsed.feed.title == "Newsdesk Demo"
    cards = {c["id"]: c for row in feed["rows"] for c in row["items"] if c.get("video")}
    assert [e.id for e in parsed.entries] == [f"{1:016x}", f"{4:016x}", f"{3:016x}"]  # newest
    for entry in parsed.entries:
        card = cards[entry.id]
        assert entry.guidislink is False and entry.title == card["title"]
        assert entry.published_parsed is not None
        (content,) = entry.media_content
        assert content["url"] == card["video"]["url"] and content["medium"] == "video"
        assert content["type"] == mrss.MIME[card["video"]["videoType"]].lower()
        assert content["duration"].isdigit()
        (thumb,) = entry.media_thumbnail
        assert (int(thumb["width"]), int(thumb["height"])) == (1280, 720)
        assert entry.content[0]["value"] == card["summary"]  # media:description
        assert entry.media_keywords == ", ".join(card["tags"])


def test_mrss_bytes_are_stable_for_the_same_content(feed: Doc) -> None:
    later = copy.deepcopy(feed)
    later["generatedAt"], later["version"] = "2026-11-28T00:00:00Z", 99
    assert _mrss(feed) == _mrss(later)  # one ETag for one content


def test_mrss_without_video_is_refused() -> None:
    with pytest.raises(mrss.MrssInvalid):
        _mrss(make_feed(videos=False))


@pytest.mark.parametrize("old, new, problem", [
    (b"<media:title>", b"<media:titl>", "media:title: missing"),
    (b'<guid isPermaLink="false">', b'<guide isPermaLink="false">', "guid: missing"),
    (b'width="1280"', b'width="640"', "smaller than 800x450"),
    (b'type="video/mp4"', b'type="video/x-flv"', "media:content@type"),
    (b'duration="84"', b'duration="8.4"', "media:content@duration"),
    (b"<rss ", b"<rdf ", "RSS 2.0"),
])
def test_mrss_checker_catches_each_broken_element(feed: Doc, old: bytes, new: bytes,
                                                  problem: str) -> None:
    body = _mrss(feed).replace(old, new, 1)
    if old == b"<rss ":
        body = body.replace(b"</rss>", b"</rdf>")
    if old.startswith(b"<media:title"):
        body = body.replace(b"</media:title>", b"</media:titl>", 1)
    if old.startswith(b"<guid"):
        body = body.replace(b"</guid>", b"</guide>", 1)
    assert any(problem in e for e in mrss.check_mrss(body)), mrss.check_mrss(body)
