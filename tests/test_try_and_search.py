"""Trying a source before saving it (nothing stored), and searching stories (operator API)."""

from __future__ import annotations

import pytest

from channel import store
from tests.conftest import run_worker
from tests.newsroom import load_newsroom, make_newsroom
from workers import queues


@pytest.fixture
def client(settings, r, tmp_path, monkeypatch):
    """The app with local sources allowed under tmp_path (NEWSDESK_LOCAL_ROOTS)."""
    from dataclasses import replace

    from app import create_app

    monkeypatch.setenv("NEWSDESK_LOCAL_ROOTS", str(tmp_path))
    app = create_app(replace(settings, local_roots=(tmp_path.resolve(),)))
    return app.test_client()


def test_try_a_source_shows_its_first_entries_and_stores_nothing(client, r, auth, tmp_path):
    config = make_newsroom(tmp_path)
    load_newsroom(r, tmp_path / "other")
    def stored() -> list[bytes]:  # every key but the write-rate counter the request bumps
        return sorted(k for k in r.keys("*") if not k.startswith(b"nd:ratelimit:"))

    before = stored()
    rss = str(config.parent / "rss" / "feed.xml")
    tried = client.post("/v1/ops/sources/try", json={"id": "new-wire", "kind": "rss",
                                                     "path": rss, "category": "world"},
                        headers=auth)
    assert tried.status_code == 200, tried.get_json()
    doc = tried.get_json()
    assert doc["found"] >= 1 and doc["entries"]
    first = doc["entries"][0]
    assert first["title"] and first["summary"] and first["ticker"]
    assert "image" in first
    assert stored() == before  # nothing stored
    assert store.get_source(r, "new-wire") is None

    folder = client.post("/v1/ops/sources/try", json={"id": "desk2", "kind": "folder",
                                                      "path": str(config.parent / "articles"),
                                                      "category": "local"}, headers=auth)
    assert folder.status_code == 200
    assert any(e.get("image") == "01-ferry.jpg" for e in folder.get_json()["entries"])


def test_try_names_the_field_that_is_wrong(client, r, auth, tmp_path):
    load_newsroom(r, tmp_path)
    bad = client.post("/v1/ops/sources/try", json={"id": "x", "kind": "rss", "category": "world",
                                                   "url": "ftp://nope"}, headers=auth)
    assert bad.status_code == 422 and bad.get_json()["error"].startswith("url:")
    missing = client.post("/v1/ops/sources/try", json={"id": "x", "kind": "rss",
                                                       "category": "world",
                                                       "path": str(tmp_path / "none.xml")},
                          headers=auth)
    assert missing.status_code == 422 and missing.get_json()["error"].startswith("path:")
    refused = client.post("/v1/ops/sources/try", json={"id": "x", "kind": "rss",
                                                       "category": "world",
                                                       "url": "http://127.0.0.1:9/feed.xml"},
                          headers=auth)
    assert refused.status_code == 422 and refused.get_json()["error"].startswith("url:")


def test_search_stories(settings, client, r, auth, tmp_path):
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, settings)
    run_worker(r)
    every = client.get("/v1/ops/stories", headers=auth).get_json()["stories"]
    title = every[0]["title"]
    word = max(title.split(), key=len).strip("‘’'\":,.").lower()
    found = client.get(f"/v1/ops/stories?q={word}", headers=auth).get_json()["stories"]
    assert every[0]["id"] in [s["id"] for s in found]
    assert all(word in (s["title"] + s["id"] + s["source"] + s["category"]).lower()
               for s in found)
    assert client.get("/v1/ops/stories?q=zzzqqq", headers=auth).get_json()["stories"] == []
    assert client.get("/v1/ops/stories?q=wire", headers=auth).get_json()["stories"]
    assert client.get("/v1/ops/stories?q=" + "x" * 201, headers=auth).status_code == 400
