"""The Roku Direct Publisher export: built from a channel feed, valid, and every DP rule enforced.

Pure functions on documents built in code: no Redis, no network.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from channel import schemas
from channel.feed.build import FEED_BUDGET
from channel.feed.roku_export import (
    ExportInvalid,
    build_roku_export,
    check_roku_export,
    feed_image_sizes,
    thumbnail_problem,
    validate_roku_export,
)

BASE = "https://newsdesk.test"


def _thumbs(digest: str, sizes: dict[str, tuple[int, int]] | None = None) -> dict[str, Any]:
    sizes = sizes or {"hero": (1280, 720), "dp": (800, 450), "fhd": (480, 270), "hd": (320, 180)}
    return {name: {"url": f"{BASE}/v1/thumbnails/{digest}-{name}.jpg", "width": w, "height": h}
            for name, (w, h) in sizes.items()}


def _card(n: int, category: str, *, video: dict[str, Any] | None = None,
          tags: list[str] | None = None, published: str = "2026-11-27T09:00:00Z",
          **overrides: Any) -> dict[str, Any]:
    card_id = f"{n:016x}"
    card: dict[str, Any] = {
        "id": card_id,
        "title": f"Story {n}: harbour council approves tidal energy trial",
        "summary": (f"Story {n}. The harbour council voted to run a two-year tidal energy trial "
                    "off the north pier, with turbines installed next spring."),
        "ticker": f"Council backs tidal energy trial ({n})",
        "publishedAt": published,
        "category": category,
        "tags": tags if tags is not None else ["Energy", "harbour council"],
        "thumbnails": _thumbs(card_id),
        "placeholderColor": "#336699",
        "detailUrl": f"{BASE}/v1/articles/{card_id}.json",
    }
    if video:
        card["video"] = video
    card.update(overrides)
    return card


MP4 = {"url": f"{BASE}/media/harvest.mp4", "videoType": "MP4", "duration": 84}
HLS = {"url": f"{BASE}/media/probe/index.m3u8", "videoType": "HLS"}  # no duration


def make_feed(*, live: bool = True, videos: bool = True) -> dict[str, Any]:
    """A realistic published feed: a top row and two category rows, some stories with video."""
    business = [
        _card(1, "business", video=MP4 if videos else None, published="2026-11-27T08:30:00Z"),
        _card(2, "business", published="2026-11-27T07:00:00Z"),
        _card(3, "business", video=HLS if videos else None, published="2026-11-26T22:15:00Z",
              tags=["markets", "a-tag-that-is-far-too-long-for-roku"]),
    ]
    science = [
        _card(4, "science", video=HLS if videos else None, published="2026-11-27T06:00:00Z"),
        _card(5, "science", published="2026-11-25T12:00:00Z"),
    ]
    feed: dict[str, Any] = {
        "provider": "Newsdesk Demo",
        "language": "en",
        "version": 7,
        "generatedAt": "2026-11-27T10:00:00Z",
    }
    if live:
        feed["liveStream"] = {"id": "live", "title": "Newsdesk Live",
                              "url": f"{BASE}/demo/live/index.m3u8", "videoType": "HLS"}
    feed["rows"] = [
        {"id": "top", "title": "Top stories", "items": [business[0], science[0], business[1]]},
        {"id": "business", "title": "Business", "feedUrl": f"{BASE}/v1/categories/business.json",
         "items": business},
        {"id": "science", "title": "Science & Tech",
         "feedUrl": f"{BASE}/v1/categories/science.json", "items": science},
    ]
    return feed


@pytest.fixture
def feed() -> dict[str, Any]:
    feed = make_feed()
    schemas.validate("channel-feed", feed)  # the fixture is a real channel feed
    return feed


@pytest.fixture
def export(feed: dict[str, Any]) -> dict[str, Any]:
    doc = build_roku_export(feed)
    assert check_roku_export(doc, image_sizes=feed_image_sizes(feed)) == []
    return doc


# -- building ---------------------------------------------------------------------------------


def test_export_is_valid_against_its_schema_and_rules(export: dict[str, Any]) -> None:
    schemas.validate("roku-direct-publisher", export)
    validate_roku_export(export)


def test_root_fields(export: dict[str, Any]) -> None:
    assert export["providerName"] == "Newsdesk Demo"
    assert export["lastUpdated"] == "2026-11-27T10:00:00+00:00"
    assert export["language"] == "en"


def test_only_stories_with_video_become_short_form_videos(export: dict[str, Any]) -> None:
    ids = [v["id"] for v in export["shortFormVideos"]]
    assert ids == [f"{1:016x}", f"{4:016x}", f"{3:016x}"]  # once each, first-seen order


def test_short_form_video_fields(export: dict[str, Any], feed: dict[str, Any]) -> None:
    card = feed["rows"][1]["items"][0]
    item = export["shortFormVideos"][0]
    assert item["id"] == card["id"]
    assert item["title"] == card["title"]
    assert item["thumbnail"] == card["thumbnails"]["dp"]["url"]
    # The summary, not the ticker (which repeats the headline); it fits in 200 characters
    # whole, so there is nothing longer to say and longDescription is left out.
    assert item["shortDescription"] == card["summary"]
    assert "longDescription" not in item
    assert item["releaseDate"] == "2026-11-27"
    assert item["genres"] == ["news"]
    assert item["tags"] == ["energy", "harbour council", "business"]
    assert item["content"] == {
        "dateAdded": "2026-11-27T08:30:00+00:00",
        "videos": [{"url": MP4["url"], "quality": "HD", "videoType": "MP4", "bitrate": 2000}],
        "duration": 84,
    }


def test_missing_duration_uses_the_default_and_hls_needs_no_bitrate(feed: dict) -> None:
    doc = build_roku_export(feed, duration_default=45)
    hls = next(v for v in doc["shortFormVideos"] if v["id"] == f"{4:016x}")
    assert hls["content"]["duration"] == 45
    assert hls["content"]["videos"] == [{"url": HLS["url"], "quality": "HD", "videoType": "HLS"}]


def test_tags_over_twenty_characters_are_left_out(export: dict[str, Any]) -> None:
    item = next(v for v in export["shortFormVideos"] if v["id"] == f"{3:016x}")
    assert item["tags"] == ["markets", "business"]


def test_one_playlist_and_category_per_row_with_video(export: dict[str, Any]) -> None:
    assert export["playlists"] == [
        {"name": "top", "itemIds": [f"{1:016x}", f"{4:016x}"]},
        {"name": "business", "itemIds": [f"{1:016x}", f"{3:016x}"]},
        {"name": "science", "itemIds": [f"{4:016x}"]},
    ]
    assert export["categories"] == [
        {"name": "Top stories", "playlistName": "top", "order": "manual"},
        {"name": "Business", "playlistName": "business", "order": "manual"},
        {"name": "Science & Tech", "playlistName": "science", "order": "manual"},
    ]


def test_rows_without_video_get_no_category(feed: dict[str, Any]) -> None:
    feed["rows"][2]["items"] = [_card(5, "science")]
    doc = build_roku_export(feed)
    assert [c["name"] for c in doc["categories"]] == ["Top stories", "Business"]
    assert check_roku_export(doc) == []


def test_playlist_names_fit_twenty_characters_and_stay_unique(feed: dict[str, Any]) -> None:
    feed["rows"][1]["id"] = "regional-business-and-economy"
    feed["rows"][2]["id"] = "regional-business-and-science"
    doc = build_roku_export(feed)
    names = [p["name"] for p in doc["playlists"]]
    assert names == ["top", "regional-business-an", "regional-business-2"]
    assert check_roku_export(doc) == []


def test_live_feed_takes_the_first_cards_dp_thumbnail(export: dict, feed: dict) -> None:
    (live,) = export["liveFeeds"]
    assert live["id"] == "live"
    assert live["title"] == "Newsdesk Live"
    assert live["thumbnail"] == feed["rows"][0]["items"][0]["thumbnails"]["dp"]["url"]
    assert live["content"]["videos"] == [
        {"url": f"{BASE}/demo/live/index.m3u8", "quality": "HD", "videoType": "HLS"}]
    assert live["content"]["dateAdded"] == "2026-11-25T12:00:00+00:00"  # oldest story: stable
    assert live["genres"] == ["news"]


def test_live_feed_keeps_its_own_thumbnail(feed: dict[str, Any]) -> None:
    feed["liveStream"]["thumbnail"] = f"{BASE}/demo/live/poster.jpg"
    assert build_roku_export(feed)["liveFeeds"][0]["thumbnail"] == f"{BASE}/demo/live/poster.jpg"


def test_the_same_feed_gives_the_same_export(feed: dict[str, Any]) -> None:
    assert build_roku_export(feed) == build_roku_export(copy.deepcopy(feed))


def test_no_video_but_a_live_stream_is_refused() -> None:
    """The spec needs one of movies, series, shortFormVideos, tvSpecials: liveFeeds alone is
    what went live right after the first start, before any video story was ready."""
    doc = build_roku_export(make_feed(videos=False))
    assert "shortFormVideos" not in doc and len(doc["liveFeeds"]) == 1
    with pytest.raises(ExportInvalid) as caught:
        validate_roku_export(doc)
    assert any("shortFormVideos" in e for e in caught.value.errors)


def test_short_description_is_the_summary_cut_at_a_sentence(feed: dict[str, Any]) -> None:
    card = feed["rows"][1]["items"][0]
    first = ("The harbour council voted on Tuesday to run a two-year tidal energy trial off "
             "the pier.")
    second = ("Turbines will be installed next spring, and fishermen will be paid for the "
              "weeks the harbour channel is closed to all boats.")
    card["summary"] = f"{first} {second}"
    assert len(card["summary"]) > 200
    doc = build_roku_export(feed)
    item = next(v for v in doc["shortFormVideos"] if v["id"] == card["id"])
    assert item["shortDescription"] == first
    assert item["longDescription"] == card["summary"]
    assert item["shortDescription"] != card["ticker"]
    assert check_roku_export(doc) == []


def test_no_video_and_no_live_stream_is_refused() -> None:
    doc = build_roku_export(make_feed(videos=False, live=False))
    with pytest.raises(ExportInvalid) as caught:
        validate_roku_export(doc)
    assert any("shortFormVideos" in e for e in caught.value.errors)


def test_long_descriptions_are_used_and_clipped(feed: dict[str, Any]) -> None:
    story = f"{1:016x}"
    text = "The council heard evidence from engineers and fishermen for three hours. " * 12
    doc = build_roku_export(feed, long_descriptions={story: text})
    item = next(v for v in doc["shortFormVideos"] if v["id"] == story)
    assert len(item["longDescription"]) <= 500
    assert item["longDescription"].endswith("three hours.")  # cut at a sentence
    assert len(item["longDescription"]) > len(item["shortDescription"])
    assert item["longDescription"].startswith("The council heard evidence")
    assert check_roku_export(doc) == []


def test_long_description_equal_to_short_is_left_out(feed: dict[str, Any]) -> None:
    card = feed["rows"][1]["items"][0]
    card["summary"] = card["ticker"]
    doc = build_roku_export(feed, long_descriptions={card["id"]: card["ticker"].upper()})
    item = next(v for v in doc["shortFormVideos"] if v["id"] == card["id"])
    assert "longDescription" not in item
    assert check_roku_export(doc) == []


def test_thumbnail_falls_back_to_hero(feed: dict[str, Any]) -> None:
    card = feed["rows"][1]["items"][0]
    del card["thumbnails"]["dp"]
    item = build_roku_export(feed)["shortFormVideos"][0]
    assert item["thumbnail"] == card["thumbnails"]["hero"]["url"]


def test_story_without_a_big_enough_thumbnail_is_refused(feed: dict[str, Any]) -> None:
    card = feed["rows"][1]["items"][2]
    card["thumbnails"] = _thumbs(card["id"], {"fhd": (480, 270), "square": (1000, 1000)})
    with pytest.raises(ExportInvalid) as caught:
        build_roku_export(feed)
    assert len(caught.value.errors) == 1
    assert "thumbnails" in caught.value.errors[0] and card["id"] in caught.value.errors[0]


def test_oldest_videos_are_dropped_to_fit_the_budget(feed: dict[str, Any]) -> None:
    full = build_roku_export(feed)
    size = len(str(full).encode())  # a little over the JSON size; enough to force a trim
    doc = build_roku_export(feed, budget=size * 2 // 3)
    kept = [v["id"] for v in doc["shortFormVideos"]]
    assert f"{3:016x}" not in kept  # the oldest story went first
    assert all(f"{3:016x}" not in p["itemIds"] for p in doc["playlists"])
    assert check_roku_export(doc) == []


@pytest.mark.parametrize("size, ok", [
    ((800, 450), True), ((1280, 720), True), ((1920, 1080), True), ((801, 450), True),
    ((640, 360), False), ((799, 449), False), ((800, 600), False), ((1000, 1000), False),
])
def test_thumbnail_sizes(size: tuple[int, int], ok: bool) -> None:
    assert (thumbnail_problem(*size) is None) is ok


# -- every broken rule is caught, with a message naming the field ------------------------------

Doc = dict[str, Any]


def _set(path: str, value: Any) -> Callable[[Doc], None]:
    """A mutation that sets doc[a][b]... (path "a/0/b") to value."""
    def mutate(doc: Doc) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split("/")]
        target: Any = doc
        for key in parents:
            target = target[key]
        target[last] = value
    return mutate


def _delete(path: str) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split("/")]
        target: Any = doc
        for key in parents:
            target = target[key]
        del target[last]
    return mutate


def _long_equals_short(doc: Doc) -> None:
    item = doc["shortFormVideos"][0]
    item["longDescription"] = item["shortDescription"]


def _duplicate_id(doc: Doc) -> None:
    doc["shortFormVideos"][1]["id"] = doc["shortFormVideos"][0]["id"]


def _live_id_clashes(doc: Doc) -> None:
    doc["liveFeeds"][0]["id"] = doc["shortFormVideos"][0]["id"]


def _both_playlist_and_query(doc: Doc) -> None:
    doc["categories"][0]["query"] = "energy"


def _query_category(query: str, order: str = "most_recent") -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        doc["categories"].append({"name": "By tag", "query": query, "order": order})
    return mutate


def _oversize(doc: Doc) -> None:
    template = doc["shortFormVideos"][0]
    for n in range(500):  # ~1.15 KB each, every field within its own limit
        item = copy.deepcopy(template)
        item["id"] = f"padding-{n}"
        item["title"] = "t" * 200
        item["longDescription"] = "x" * 490 + str(n)
        doc["shortFormVideos"].append(item)


def _no_content(doc: Doc) -> None:
    for key in ("shortFormVideos", "liveFeeds", "playlists", "categories"):
        doc.pop(key, None)


BROKEN: list[tuple[str, Callable[[Doc], None], str]] = [
    ("short description over 200", _set("shortFormVideos/0/shortDescription", "s" * 201),
     "shortFormVideos/0/shortDescription"),
    ("long description over 500", _set("shortFormVideos/0/longDescription", "l" * 501),
     "shortFormVideos/0/longDescription"),
    ("long description equals short", _long_equals_short, "shortFormVideos/0/longDescription"),
    ("live long equals short", _set("liveFeeds/0/longDescription",
                                    "Newsdesk Live: live news from Newsdesk Demo."),
     "liveFeeds/0/longDescription"),
    ("genres missing", _delete("shortFormVideos/0/genres"), "genres"),
    ("genres empty", _set("shortFormVideos/0/genres", []), "shortFormVideos/0/genres"),
    ("genre not in the spec", _set("shortFormVideos/0/genres", ["breaking"]),
     "shortFormVideos/0/genres/0"),
    ("live genres empty", _set("liveFeeds/0/genres", []), "liveFeeds/0/genres"),
    ("releaseDate with slashes", _set("shortFormVideos/0/releaseDate", "2026/11/27"),
     "shortFormVideos/0/releaseDate"),
    ("releaseDate day first", _set("shortFormVideos/0/releaseDate", "27-11-2026"),
     "shortFormVideos/0/releaseDate"),
    ("releaseDate with a time", _set("shortFormVideos/0/releaseDate", "2026-11-27T08:30:00Z"),
     "shortFormVideos/0/releaseDate"),
    ("releaseDate not a date", _set("shortFormVideos/0/releaseDate", "2026-13-45"),
     "shortFormVideos/0/releaseDate"),
    ("releaseDate missing", _delete("shortFormVideos/0/releaseDate"), "releaseDate"),
    ("duration fractional", _set("shortFormVideos/0/content/duration", 84.5),
     "shortFormVideos/0/content/duration"),
    ("duration written as float", _set("shortFormVideos/0/content/duration", 84.0),
     "shortFormVideos/0/content/duration"),
    ("duration a string", _set("shortFormVideos/0/content/duration", "84"),
     "shortFormVideos/0/content/duration"),
    ("duration missing", _delete("shortFormVideos/0/content/duration"), "duration"),
    ("dateAdded without offset", _set("shortFormVideos/0/content/dateAdded",
                                      "2026-11-27T08:30:00"),
     "shortFormVideos/0/content/dateAdded"),
    ("lastUpdated without offset", _set("lastUpdated", "2026-11-27"), "lastUpdated"),
    ("providerName missing", _delete("providerName"), "providerName"),
    ("thumbnail relative", _set("shortFormVideos/0/thumbnail", "/v1/thumbnails/a.jpg"),
     "shortFormVideos/0/thumbnail"),
    ("thumbnail not http", _set("shortFormVideos/0/thumbnail", "ftp://cdn.test/a.jpg"),
     "shortFormVideos/0/thumbnail"),
    ("video url relative", _set("shortFormVideos/0/content/videos/0/url", "media/a.mp4"),
     "shortFormVideos/0/content/videos/0/url"),
    ("live video url relative", _set("liveFeeds/0/content/videos/0/url", "/live/index.m3u8"),
     "liveFeeds/0/content/videos/0/url"),
    ("live thumbnail relative", _set("liveFeeds/0/thumbnail", "poster.jpg"),
     "liveFeeds/0/thumbnail"),
    ("videoType not in the spec", _set("shortFormVideos/0/content/videos/0/videoType", "WEBM"),
     "shortFormVideos/0/content/videos/0/videoType"),
    ("quality not in the spec", _set("shortFormVideos/0/content/videos/0/quality", "4K"),
     "shortFormVideos/0/content/videos/0/quality"),
    ("mp4 without bitrate", _delete("shortFormVideos/0/content/videos/0/bitrate"), "bitrate"),
    ("no videos", _set("shortFormVideos/0/content/videos", []),
     "shortFormVideos/0/content/videos"),
    ("tag over 20", _set("shortFormVideos/0/tags", ["energy", "t" * 21]),
     "shortFormVideos/0/tags/1"),
    ("playlist name over 20", _set("playlists/0/name", "p" * 21), "playlists/0/name"),
    ("playlist names repeated", _set("playlists/2/name", "business"), "playlists/2/name"),
    ("playlist refers to no item", _set("playlists/0/itemIds", ["0000000000000099"]),
     "playlists/0/itemIds/0"),
    ("playlist empty", _set("playlists/0/itemIds", []), "playlists/0/itemIds"),
    ("category playlist and query", _both_playlist_and_query, "categories/0"),
    ("category neither playlist nor query", _delete("categories/0/playlistName"),
     "categories/0"),
    ("category refers to no playlist", _set("categories/0/playlistName", "featured"),
     "categories/0/playlistName"),
    ("category query tag on no item", _query_category("energy AND weather"),
     "categories/3/query"),
    ("category query mixes AND and OR", _query_category("energy AND markets OR business"),
     "categories/3/query"),
    ("category query malformed", _query_category("energy AND"), "categories/3/query"),
    ("category manual order with a query", _query_category("energy OR markets", "manual"),
     "categories/3/order"),
    ("category order not in the spec", _set("categories/0/order", "alphabetical"),
     "categories/0/order"),
    ("duplicate ids", _duplicate_id, "shortFormVideos/1/id"),
    ("live id clashes with a video", _live_id_clashes, "liveFeeds/0/id"),
    ("over 500 KB", _oversize, f"limit is {FEED_BUDGET} bytes"),
    ("no content item", _no_content, "shortFormVideos item"),
    ("unknown field", _set("shortFormVideos/0/shortDesc", "typo"), "shortFormVideos/0"),
]


@pytest.mark.parametrize("mutate, field", [(m, f) for _, m, f in BROKEN],
                         ids=[name for name, _, _ in BROKEN])
def test_each_broken_rule_is_caught(export: Doc, mutate: Callable[[Doc], None],
                                    field: str) -> None:
    doc = copy.deepcopy(export)
    mutate(doc)
    errors = check_roku_export(doc)
    assert errors, "the broken export passed"
    assert any(field in e for e in errors), errors
    with pytest.raises(ExportInvalid) as caught:
        validate_roku_export(doc)
    assert caught.value.errors == errors


def test_valid_query_categories_pass(export: Doc) -> None:
    doc = copy.deepcopy(export)
    doc["categories"] += [
        {"name": "Energy and markets", "query": "energy AND markets", "order": "most_recent"},
        {"name": "Live or harbour", "query": "live OR harbour council", "order": "most_popular"},
    ]
    assert check_roku_export(doc) == []


@pytest.mark.parametrize("size", [(640, 360), (1000, 1000)])
def test_thumbnail_pixel_size_is_caught(export: Doc, feed: Doc, size: tuple[int, int]) -> None:
    sizes = feed_image_sizes(feed)
    sizes[export["shortFormVideos"][0]["thumbnail"]] = size
    errors = check_roku_export(export, image_sizes=sizes)
    # the live feed borrowed the same picture, so both are refused
    assert [e.split(":")[0] for e in errors] == ["shortFormVideos/0/thumbnail",
                                                 "liveFeeds/0/thumbnail"], errors


def test_short_description_keeps_initials_inside_a_sentence() -> None:
    from channel.feed import descriptions

    summary = ("Officials at the U.S. Embassy said talks on the J.R.R. Tolkien archive would go "
               "on next week. " + "A second sentence that does not fit the limit at all. " * 4)
    short = descriptions.short_description(summary, limit=120)
    assert short == ("Officials at the U.S. Embassy said talks on the J.R.R. Tolkien archive would "
                     "go on next week.")
    assert descriptions.sentences("Dr. Halvorsen spoke. Then he left.") == [
        "Dr. Halvorsen spoke.", "Then he left."]
