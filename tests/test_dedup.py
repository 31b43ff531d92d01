"""One story, one card: near-duplicates across sources, the best version leads, editors split."""

from __future__ import annotations

from channel import audit, dedup, schemas, store
from tests.conftest import run_worker
from tests.newsroom import load_newsroom
from workers import queues


def published(settings, r, tmp_path):
    load_newsroom(r, tmp_path)
    queues.enqueue_refresh_all(r, settings)
    run_worker(r)


def cards(client) -> dict[str, list[str]]:
    return {row["id"]: [c["id"] for c in row["items"]]
            for row in client.get("/v1/feed.json").get_json()["rows"]}


def wire_story(r) -> dict:
    """The longest ready story of the wire (an RSS source)."""
    found = [store.get_article(r, i.decode()) for i in r.zrange("nd:articles", 0, -1)]
    wire = [a for a in found if a["source_id"] == "wire" and a["status"] == "ready"]
    return max(wire, key=lambda a: sum(len(p.split()) for p in a["paragraphs"]))


def rewrite(client, auth, wire: dict, guid: str = "own-1", **fields) -> str:
    """The newsroom's own copy: its own wording of the first sentence, and a sign-off."""
    paragraphs = list(wire["paragraphs"])
    paragraphs[0] = "Our correspondent reports: " + paragraphs[0]
    body = "\n\n".join([*paragraphs, "Follow us for more on this story."])
    response = client.post("/v1/ops/articles", json={
        "guid": guid, "title": "Our own take: " + wire["title"], "category": "local",
        "body": body, **fields}, headers=auth)
    assert response.status_code == 202
    return response.get_json()["story"]


def test_a_rewrite_of_wire_copy_makes_one_card_led_by_the_own_version(settings, client, r, auth,
                                                                      tmp_path):
    published(settings, r, tmp_path)
    wire = wire_story(r)
    before = cards(client)
    assert wire["id"] in before["top"]
    own = rewrite(client, auth, wire)
    run_worker(r)  # processed, indexed, published by the real worker
    after = cards(client)
    shown = [i for row in after.values() for i in row]
    assert own in after["top"] and own in after["local"]
    assert wire["id"] not in shown  # one story, one card
    assert len(after["top"]) == len(before["top"])  # the copy took no second slot
    detail = client.get(f"/v1/articles/{own}.json").get_json()
    schemas.validate("article-detail", detail)
    assert detail["alsoFrom"] == [{"id": wire["id"], "source": "wire", "title": wire["title"],
                                   "canonicalUrl": wire.get("canonical_url") or wire["url"]}]
    versions = client.get(f"/v1/ops/stories/{wire['id']}/versions", headers=auth).get_json()
    assert versions["leader"] == own
    assert [v["id"] for v in versions["versions"]] == [own]

    # An editor splits the match: both are on air again, and stay apart when reprocessed.
    split = client.post(f"/v1/ops/stories/{wire['id']}/split", headers=auth)
    assert split.status_code == 200 and split.get_json()["splitFrom"] == [own]
    assert audit.entries(r, 1)[0]["action"] == "split duplicate"
    run_worker(r)
    shown = [i for row in cards(client).values() for i in row]
    assert own in shown and wire["id"] in shown
    assert "alsoFrom" not in client.get(f"/v1/articles/{own}.json").get_json()
    client.post("/v1/ops/refresh", json={"story": wire["id"]}, headers=auth)
    run_worker(r)
    assert dedup.versions(r, wire["id"]) == []
    again = client.post(f"/v1/ops/stories/{wire['id']}/split", headers=auth)
    assert again.status_code == 409


def test_stories_of_one_source_or_of_different_stories_stay_apart(settings, client, r, auth,
                                                                  tmp_path):
    published(settings, r, tmp_path)
    shown = sorted(i for row in cards(client).values() for i in row if True)
    # The newsroom's fixture stories are different stories: none is grouped.
    assert all(dedup.versions(r, i) == [] for i in set(shown))
    assert dedup.followers(r) == {}


def test_the_best_version_leads_more_complete_then_a_real_image(settings, r):
    own = {"paragraphs": ["a b c"], "image_kind": "photo"}
    wire_long = {"paragraphs": ["a b c d e f g h"], "image_kind": "photo"}
    assert dedup.rank(own, {"kind": "folder"}) > dedup.rank(wire_long, {"kind": "rss"})
    assert dedup.rank(own, {"kind": "rss", "origin": "own"}) > \
        dedup.rank(wire_long, {"kind": "rss"})
    assert dedup.rank(wire_long, {"kind": "rss"}) > dedup.rank(own, {"kind": "rss"})
    card = {"paragraphs": ["a b c"], "image_kind": "titlecard"}
    assert dedup.rank(own, {"kind": "rss"}) > dedup.rank(card, {"kind": "rss"})


def test_the_detector_on_small_cases():
    text = ("The harbour authority said on Monday that the new quay would open in the spring, "
            "after two years of work and a budget that grew by a third. Ferry operators welcomed "
            "the news and said timetables would change in April.")
    copy = "Share this article\n" + text.replace("welcomed", "praised") + "\nAll rights reserved."
    other = ("The city council voted on Tuesday to close two libraries next year, citing a "
             "shortfall in its budget. Campaigners said they would fight the plan in court and "
             "gathered outside the town hall in the rain.")
    assert dedup.is_duplicate(dedup.signature(text), dedup.signature(copy))
    assert not dedup.is_duplicate(dedup.signature(text), dedup.signature(other))


def test_cli_versions_and_split(settings, client, cli, r, auth, tmp_path):
    published(settings, r, tmp_path)
    wire = wire_story(r)
    own = rewrite(client, auth, wire)
    run_worker(r)
    shown = cli("versions", wire["id"])
    assert shown.exit_code == 0 and own in shown.output and "yes" in shown.output
    done = cli("split", own)
    assert done.exit_code == 0 and wire["id"] in done.output
    assert audit.entries(r, 1)[0]["who"] == "cli:tester"
    assert cli("split", own).exit_code != 0
