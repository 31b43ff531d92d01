"""The ``newsdesk`` operator commands, run through click against the test Redis and real workers.

Jobs run either in-process (``run_worker``) after a ``--no-wait`` command, or, where the command
itself waits for them, in a real ``newsdesk worker`` process started for that test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from click.testing import Result
from rq import SimpleWorker

from channel import audit, keys, status, store
from channel.config import Settings
from tests.conftest import run_worker
from tests.newsroom import load_newsroom, make_newsroom
from workers import queues

ROOT = Path(__file__).resolve().parent.parent


def _doc(result: Result) -> Any:
    assert result.stdout.count("\n") == 1, result.stdout  # --json: exactly one document
    return json.loads(result.stdout)


@pytest.fixture
def newsroom(r: redis.Redis, tmp_path: Path) -> dict:
    return load_newsroom(r, tmp_path)


@pytest.fixture
def live_worker(r: redis.Redis, tmp_path: Path) -> Iterator[subprocess.Popen]:
    """A real `newsdesk worker` process, for commands that wait for their jobs to finish."""
    log = (tmp_path / "worker.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "channel.cli", "worker", "--name", f"cli-test-{os.getpid()}"],
        cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


def _ready(r: redis.Redis) -> list[dict]:
    """Refresh, process and publish everything: stories the editorial commands can act on."""
    queues.enqueue_refresh_all(r, Settings.from_env())
    run_worker(r)
    return status.recent_stories(r, 50)


def _fetched(r: redis.Redis) -> list[dict]:
    """Only the fetch stage: stories exist (pending), the slower processing stays queued."""
    queues.enqueue_refresh_all(r, Settings.from_env())
    SimpleWorker([queues.queue(r, queues.FETCH)], connection=r).work(burst=True)
    return status.recent_stories(r, 50)


# --- sources ---------------------------------------------------------------------------------


def test_sources_list_as_table_and_json(cli, newsroom):
    table = cli("sources", "list")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["ID", "KIND", "CATEGORY"]
    assert [line.split()[0] for line in lines[1:]] == ["desk", "wire"]
    doc = _doc(cli("--json", "sources", "list"))
    assert [s["id"] for s in doc["sources"]] == ["desk", "wire"]
    assert doc["sources"][0]["health"]["consecutiveFailures"] == 0


def test_source_lifecycle_is_validated_and_audited(cli, r, newsroom, tmp_path, monkeypatch):
    added = cli("--json", "sources", "add", "extra", "--kind", "rss",
                "--url", "https://example.org/feed.xml", "--category", "world")
    assert added.exit_code == 0, added.output
    assert _doc(added)["source"] == {"id": "extra", "kind": "rss", "category": "world",
                                     "url": "https://example.org/feed.xml", "interval": 300,
                                     "enabled": True, "max_items": 50}
    again = cli("sources", "add", "extra", "--kind", "rss", "--url", "https://e.org/x",
                "--category", "world")
    assert again.exit_code == 1 and "exists" in again.stderr
    bad = cli("sources", "add", "slow", "--kind", "rss", "--url", "https://e.org/x",
              "--category", "world", "--interval", "1")
    assert bad.exit_code == 2 and "interval: 1 is less than the minimum of 30" in bad.stderr
    assert store.get_source(r, "slow") is None

    assert cli("sources", "update", "extra", "--interval", "600").exit_code == 0
    assert store.get_source(r, "extra")["interval"] == 600
    nothing = cli("sources", "update", "extra")
    assert nothing.exit_code == 2 and "nothing to change" in nothing.stderr
    too_fast = cli("sources", "update", "extra", "--interval", "5")
    assert too_fast.exit_code == 2 and "interval:" in too_fast.stderr

    disabled = cli("sources", "disable", "extra")
    assert disabled.exit_code == 0 and "disabled source extra" in disabled.stdout
    assert store.get_source(r, "extra")["enabled"] is False
    assert cli("sources", "enable", "extra").exit_code == 0
    assert store.get_source(r, "extra")["enabled"] is True

    monkeypatch.chdir(tmp_path)
    (tmp_path / "drop").mkdir()
    assert cli("sources", "update", "extra", "--path", "drop").exit_code == 0
    moved = store.get_source(r, "extra")
    assert moved["path"] == str(tmp_path / "drop") and "url" not in moved  # absolute, url gone

    deleted = cli("sources", "delete", "extra")
    assert deleted.exit_code == 0 and store.get_source(r, "extra") is None
    for command in ("delete", "enable", "disable"):
        unknown = cli("sources", command, "extra")
        assert unknown.exit_code == 1 and "no source 'extra'" in unknown.stderr

    actions = [(e["who"], e["action"], e["target"]) for e in audit.entries(r)][::-1]
    assert actions == [("cli:tester", "create source", "extra"),
                       ("cli:tester", "update source", "extra"),
                       ("cli:tester", "update source", "extra"),
                       ("cli:tester", "update source", "extra"),
                       ("cli:tester", "update source", "extra"),
                       ("cli:tester", "delete source", "extra")]


def test_import_reports_each_bad_source_by_field_and_keeps_the_good(cli, r, tmp_path):
    (tmp_path / "local").mkdir()
    listing = tmp_path / "sources.yaml"
    listing.write_text(
        "- {id: good-rss, kind: rss, url: https://example.org/a.xml, category: world}\n"
        "- {id: gopher, kind: gopher, url: https://example.org/b, category: world}\n"
        "- {id: hasty, kind: rss, url: https://example.org/c.xml, category: world, interval: 2}\n"
        "- {id: nowhere, kind: page, category: world}\n"
        "- {id: good-rss, kind: page, url: https://example.org/d.html, category: world}\n"
        "- {id: near, kind: folder, path: local, category: local}\n",
        encoding="utf-8",
    )
    result = cli("sources", "import", str(listing))
    assert result.exit_code == 1
    assert "importing 6 sources" in result.stderr  # the progress bar (its label off a terminal)
    assert "sources[1] (gopher): kind: 'gopher' is not one of" in result.stderr
    assert "sources[2] (hasty): interval: 2 is less than the minimum of 30" in result.stderr
    assert "sources[3] (nowhere): (document):" in result.stderr
    assert "sources[4] (good-rss): id: 'good-rss' appears earlier" in result.stderr
    assert "imported 2 sources (2 new, 0 replaced), 4 failed" in result.stdout
    assert [s["id"] for s in store.list_sources(r)] == ["good-rss", "near"]
    assert store.get_source(r, "near")["path"] == str(tmp_path / "local")
    assert store.get_source(r, "good-rss")["kind"] == "rss"  # the duplicate did not win
    assert {(e["who"], e["action"]) for e in audit.entries(r)} == {
        ("cli:tester", "import source")}


def test_import_a_channel_config_as_json_and_dry_run(cli, r, tmp_path):
    config = make_newsroom(tmp_path)
    dry = _doc(cli("--json", "sources", "import", "--dry-run", str(config)))
    assert dry == {"imported": [{"id": "desk", "replaced": False},
                                {"id": "wire", "replaced": False}],
                   "failed": [], "dryRun": True}
    assert store.list_sources(r) == []
    done = cli("--json", "sources", "import", str(config))
    assert done.exit_code == 0 and _doc(done)["failed"] == []
    assert store.get_source(r, "desk")["path"] == str(config.parent / "articles")
    replaced = _doc(cli("--json", "sources", "import", str(config)))
    assert [i["replaced"] for i in replaced["imported"]] == [True, True]

    as_json = tmp_path / "one.json"
    as_json.write_text(json.dumps([{"id": "x", "kind": "rss", "category": "world",
                                    "url": "ftp://example.org"}]), encoding="utf-8")
    failed = cli("--json", "sources", "import", str(as_json))
    assert failed.exit_code == 1
    assert _doc(failed)["failed"] == [{"index": 0, "id": "x", "errors": [
        "url: 'ftp://example.org' does not match '^https?://'"]}]


def test_import_rejects_files_that_hold_no_source_list(cli, r, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("sources: [unclosed\n", encoding="utf-8")
    result = cli("sources", "import", str(broken))
    assert result.exit_code == 2 and "not valid YAML/JSON" in result.stderr
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just words\n", encoding="utf-8")
    result = cli("sources", "import", str(scalar))
    assert result.exit_code == 2 and "expected a list of sources" in result.stderr
    assert cli("sources", "import", str(tmp_path / "missing.yaml")).exit_code == 2


# --- refresh and jobs ------------------------------------------------------------------------


def test_refresh_without_waiting_then_jobs_show(cli, r, newsroom):
    queued = _doc(cli("--json", "refresh", "desk", "--no-wait"))
    assert queued["job"]["id"] == "refresh-desk" and queued["job"]["status"] == "queued"
    run_worker(r)
    shown = cli("jobs", "show", "refresh-desk")
    assert shown.exit_code == 0
    assert "status:      finished" in shown.stdout and '"changed":[' in shown.stdout
    assert cli("job", "refresh-desk").stdout == shown.stdout  # the old name still works
    view = _doc(cli("--json", "jobs", "show", "refresh-desk"))["job"]
    assert view["status"] == "finished" and len(view["result"]["changed"]) == 2
    for args in (("jobs", "show", "nope"), ("job", "nope"), ("jobs", "retry", "no pe!")):
        missing = cli(*args)
        assert missing.exit_code == 1 and f"no job '{args[-1]}'" in missing.stderr


def test_refresh_rejects_bad_requests(cli, r, newsroom):
    unknown = cli("refresh", "nope", "--no-wait")
    assert unknown.exit_code == 2 and "no source 'nope'" in unknown.stderr
    invalid = cli("refresh", "Bad Id!", "--no-wait")
    assert invalid.exit_code == 2 and "source: 'Bad Id!' does not match" in invalid.stderr
    both = cli("refresh", "desk", "--category", "local", "--no-wait")
    assert both.exit_code == 2 and "one of SOURCE, --category or --story" in both.stderr
    category = cli("refresh", "--category", "sport", "--no-wait")
    assert category.exit_code == 2 and "no category 'sport'" in category.stderr
    story = cli("refresh", "--story", "0123456789abcdef", "--no-wait")
    assert story.exit_code == 2 and "no story '0123456789abcdef'" in story.stderr
    assert r.llen("rq:queue:fetch") == 0  # nothing was queued by the refused requests


def test_refresh_of_a_category_and_a_story(cli, r, newsroom):
    story = _fetched(r)[0]["id"]
    category = _doc(cli("--json", "refresh", "--category", "local", "--no-wait"))["job"]
    assert category["id"] == "refresh-category-local"
    text = cli("refresh", "--story", story, "--no-wait")
    assert text.stdout == f"queued process-{story}: process article {story}\n"
    SimpleWorker([queues.queue(r, queues.FETCH)], connection=r).work(burst=True)
    view = _doc(cli("--json", "job", "refresh-category-local"))["job"]
    assert view["result"] == {"queued": {"desk": "refresh-desk"}}


def test_refresh_waits_for_the_follow_ups_with_a_progress_bar(cli, r, newsroom, live_worker):
    result = cli("--json", "refresh", "--timeout", "90")
    assert result.exit_code == 0, result.output
    doc = _doc(result)
    assert doc["ok"] is True and doc["timedOut"] is False
    assert doc["job"]["id"] == "refresh-all" and doc["job"]["status"] == "finished"
    ids = [j["id"] for j in doc["jobs"]]
    assert ids[0] == "refresh-all"
    assert {"refresh-desk", "refresh-wire"} <= set(ids)
    processed = [i for i in ids if i.startswith("process-")]
    assert len(processed) == len(status.recent_stories(r, 50)) >= 3
    assert all(j["status"] == "finished" for j in doc["jobs"])
    assert "waiting for refresh-all" in result.stderr  # the bar, as seen off a terminal
    assert f"[{len(ids)}/{len(ids)}]" in result.stderr  # and the per-job lines for logs

    again = cli("refresh", "desk", "--timeout", "60")  # unchanged: nothing more to process
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines() == ["queued refresh-desk: refresh source desk",
                                         "done: 1 jobs (1 finished)"]


def test_refresh_wait_gives_up_after_the_timeout(cli, r, newsroom):
    result = cli("refresh", "desk", "--timeout", "1")  # no worker is running
    assert result.exit_code == 1
    assert "NOT done: 0 jobs (none ended)" in result.stdout
    assert "timed out waiting for refresh-desk" in result.stdout
    doc = _doc(cli("--json", "refresh", "wire", "--timeout", "1"))
    assert doc["ok"] is False and doc["timedOut"] is True and doc["jobs"] == []
    assert doc["job"]["id"] == "refresh-wire" and doc["job"]["status"] == "queued"


def test_failed_jobs_are_listed_retried_and_deleted(cli, r, newsroom, tmp_path):
    # refresh_source of an unknown source raises; queued without retries it fails at once.
    job = queues.queue(r, queues.FETCH).enqueue("workers.jobs.refresh_source", "late")
    run_worker(r)
    listed = cli("jobs")
    assert listed.exit_code == 0
    row = next(line for line in listed.stdout.splitlines() if line.startswith(job.id))
    assert "failed" in row and "LookupError: no source 'late'" in row
    failed = _doc(cli("--json", "jobs", "--status", "failed", "--limit", "5"))["jobs"]
    assert [j["id"] for j in failed] == [job.id]
    assert _doc(cli("--json", "jobs", "--status", "queued"))["jobs"] == []
    assert cli("jobs", "--status", "lost").exit_code == 2

    store.save_source(r, {"id": "late", "kind": "folder", "category": "local",
                          "path": newsroom["sources"][0]["path"]})
    retried = cli("jobs", "retry", job.id)
    assert retried.exit_code == 0 and retried.stdout == f"queued {job.id} again\n"
    run_worker(r)
    assert _doc(cli("--json", "jobs", "show", job.id))["job"]["status"] == "finished"
    not_failed = cli("jobs", "retry", job.id)
    assert not_failed.exit_code == 1
    assert f"job '{job.id}' is finished; only failed jobs retry" in not_failed.stderr

    deleted = cli("--json", "jobs", "delete", job.id)
    assert _doc(deleted) == {"deleted": job.id}
    assert cli("jobs", "show", job.id).exit_code == 1
    assert cli("jobs", "delete", job.id).exit_code == 1
    assert cli("jobs", "retry", "nope").exit_code == 1
    actions = [(e["who"], e["action"]) for e in audit.entries(r, 2)]
    assert actions == [("cli:tester", "delete job"), ("cli:tester", "retry job")]


# --- editorial, status, audit ----------------------------------------------------------------


def _feed_ids(client) -> set[str]:
    feed = client.get("/v1/feed.json").get_json()
    return {card["id"] for row in feed["rows"] for card in row["items"]}


def test_editorial_commands_change_the_feed_and_are_audited(cli, r, newsroom, client):
    ids = [s["id"] for s in _ready(r)]
    listed = _doc(cli("--json", "stories"))["stories"]
    assert [s["id"] for s in listed] == ids
    target = ids[-1]
    assert target in cli("stories").stdout

    pinned = _doc(cli("--json", "pin", target, "--order", "2"))
    assert pinned["story"] == target and pinned["publish"]
    run_worker(r)
    feed = client.get("/v1/feed.json").get_json()
    assert feed["rows"][0]["items"][0]["id"] == target  # Top stories leads with the pin
    bad_order = cli("pin", target, "--order", "5000")
    assert bad_order.exit_code == 2 and "order: 5000 is greater than" in bad_order.stderr

    assert cli("hide", target).stdout.startswith(f"hid {target}; publish")
    run_worker(r)
    assert target not in _feed_ids(client)
    assert cli("unhide", target).exit_code == 0
    run_worker(r)
    assert target in _feed_ids(client)

    assert cli("pull", target).exit_code == 0
    assert r.zscore(keys.PINS, target) is None  # pulling unpins
    run_worker(r)
    assert target not in _feed_ids(client)
    assert cli("unpull", target).exit_code == 0
    assert f"process-{target}" in r.lrange("rq:queue:process", 0, -1)[0].decode()
    run_worker(r)
    assert target in _feed_ids(client)
    assert cli("unpin", target).exit_code == 0

    for command in ("pin", "unpin", "hide", "unhide", "pull", "unpull"):
        unknown = cli(command, "0123456789abcdef")
        assert unknown.exit_code == 1 and "no story '0123456789abcdef'" in unknown.stderr

    entries = _doc(cli("--json", "audit", "--limit", "6"))["entries"]
    assert [(e["who"], e["action"], e["target"]) for e in entries][::-1] == [
        ("cli:tester", action, target)
        for action in ("pin", "hide", "unhide", "pull", "unpull", "unpin")]
    table = cli("audit", "--limit", "7").stdout.splitlines()
    assert table[0].split() == ["AT", "WHO", "ACTION", "TARGET", "DETAILS"]
    assert table[-1].split()[1:4] == ["cli:tester", "pin", target]
    assert '{"order":2}' in table[-1]


def test_status_as_text_and_json(cli, r, newsroom):
    stories = _fetched(r)  # fetched, not yet processed: nothing published so far
    doc = _doc(cli("--json", "status"))
    assert doc["feed"] == {"version": None, "publishedAt": None, "lastError": None}
    assert doc["queues"]["process"] == {"queued": len(stories), "failed": 0}
    assert [s["id"] for s in doc["sources"]] == ["desk", "wire"]
    assert doc["sources"][0]["health"]["lastSuccess"]
    text = cli("status").stdout
    assert "feed: version -, published -" in text
    assert f"queues: publish 0 queued/0 failed, process {len(stories)} queued/0 failed" in text
    assert "workers: 0" in text
    assert any(line.startswith("desk ") and " yes " in line for line in text.splitlines())


def test_load_config_and_publish_print_lines_or_json(cli, r, tmp_path):
    config = make_newsroom(tmp_path)
    loaded = cli("load-config", str(config))
    assert loaded.stdout == "loaded Test Channel: 2 categories, sources desk, wire\n"
    assert _doc(cli("--json", "load-config", str(config)))["sources"] == ["desk", "wire"]
    _ready(r)
    published = cli("--json", "publish")
    assert published.exit_code == 0 and isinstance(_doc(published)["version"], int)
    assert cli("publish").stdout.startswith("published feed version ")


def test_commands_need_redis_url(cli, monkeypatch):
    monkeypatch.delenv("REDIS_URL")
    for args in (("sources", "list"), ("status",), ("jobs",), ("pin", "0123456789abcdef")):
        result = cli(*args)
        assert result.exit_code == 2 and "REDIS_URL is not set" in result.stderr
