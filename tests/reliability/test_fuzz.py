"""Fuzz the operator API, the CMS push endpoint included, from its own OpenAPI document.

Why: the hand-written tests in test_ops.py try the inputs their author thought of. Schemathesis
generates requests from /v1/ops/openapi.json (valid ones, and ones that break the schema) and
the test requires that none of them makes a 500, that every answer matches the documented
response schema, and that whatever the fuzzing stored or queued never leads to an invalid feed
being published: the feed is checked after the requests, and again after a real RQ worker has
run every job the requests queued.

Each operation is fuzzed twice with valid data: once as generated, once "anchored" to the ids
that exist (a real story, source, category and job), because random ids mostly meet a 404 and
never reach the code behind it. Before each operation the channel config is loaded again, so
that an earlier PUT /categories or DELETE /sources does not leave later anchors dangling.

Hypothesis runs derandomized with a fixed number of examples, so CI sees the same requests on
every run. No request leaves the machine: every URL in a generated body is replaced with a
loopback URL, which the fetcher refuses (NEWSDESK_ALLOW_LOOPBACK is unset) before connecting.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

from channel import keys, schemas, store  # noqa: E402
from channel.config import Settings, read_channel_config  # noqa: E402
from channel.feed import exports  # noqa: E402
from channel.feed.publish import FeedVersion  # noqa: E402
from channel.web import openapi  # noqa: E402
from tests.conftest import TOKEN, run_worker  # noqa: E402
from tests.newsroom import make_newsroom  # noqa: E402

EXAMPLES = 20  # per operation, for the generated and the schema-breaking pass
# The anchored pass reaches real stories, so its requests queue real jobs (a pull queues a
# publish, an accepted push a processing job) that the final worker run must all work through.
ANCHORED_EXAMPLES = 10
PUSH_EXAMPLES = 15  # the push endpoint, anchored: each accepted story is processed for real
ANCHORED = ("story", "source", "category")  # body fields that anchoring sets to existing ids
OFFLINE_URL = "http://127.0.0.1:9/fuzz"  # loopback: the fetch guard refuses it, no connection
CHECKS = [not_a_server_error, response_schema_conformance]
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
SLASHES = re.compile(r"/{2,}")


def offline(value: Any) -> Any:
    """The same JSON with every URL pointed at a refused loopback address.

    Pattern-checked URL fields ("^https?://") keep matching; in other strings "//" becomes "/",
    so no scheme-relative or absolute link inside generated HTML can name a remote host either.
    """
    if isinstance(value, dict):
        return {k: offline(v) for k, v in value.items()}
    if isinstance(value, list):
        return [offline(v) for v in value]
    if isinstance(value, str):
        if value.startswith(("http://", "https://")):
            return OFFLINE_URL
        return SLASHES.sub("/", value)
    return value


def feed_problems(r: redis.Redis) -> list[str]:
    """Every schema error of every document in the live version (empty: valid or none live)."""
    live = r.get(keys.FEED_CURRENT)
    if live is None:
        return []
    version = FeedVersion.load(r, int(live))
    if version is None:
        return [f"nd:feed:current names version {int(live)}, which is not stored"]
    problems = []
    for name, document in version.documents.items():
        problems += [f"version {version.version} {name}: {e}"
                     for e in exports.check_document(name, document.body)]
    return problems


@pytest.fixture
def fuzz_app(settings: Settings, r: redis.Redis, monkeypatch: pytest.MonkeyPatch):
    """The real app, with the write rate limit out of the way (the fuzzer writes thousands)."""
    monkeypatch.setenv("NEWSDESK_WRITE_RATE", "1000000")
    monkeypatch.delenv("NEWSDESK_ALLOW_LOOPBACK", raising=False)
    from app import create_app
    from channel.web import public

    application = create_app(Settings.from_env())
    application.testing = True
    public.live_feed.current = None
    return application


def _anchors(r: redis.Redis) -> dict[str, str]:
    """Ids that exist after the newsroom's first refresh, keyed by parameter or body field."""
    story = next(iter(r.hkeys(keys.CARDS))).decode()
    source = store.list_sources(r)[0]["id"]
    category = store.load_categories(r)[0]["id"]
    return {"story_id": story, "story": story, "source_id": source, "source": source,
            "category": category, "job_id": f"refresh-{source}"}


def _anchorable(operation) -> bool:
    """Whether anchoring changes this operation's requests: ids in its path or its body."""
    if "{" in operation.path:
        return True
    spec = openapi.document()
    body = spec["paths"][operation.path][operation.method.lower()].get("requestBody", {})
    ref = body.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    component = spec["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    return any(field in component.get("properties", {}) for field in ANCHORED)


def _fuzz(operation, mode: GenerationMode, examples: int, anchors: dict[str, str] | None,
          reset: Callable[[], None]) -> tuple[dict[int, int], str | None]:
    """Run one operation's examples; (status counts, the failure report or None)."""
    reset()
    path_parameters = {p: anchors[p] for p in re.findall(r"{(\w+)}", operation.path)
                       if anchors and p in anchors}
    statuses: dict[int, int] = {}

    @given(operation.as_strategy(mode, path_parameters=path_parameters or None))
    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), print_blob=False)
    def run(case) -> None:
        body = getattr(case, "body", None)
        if isinstance(body, dict | list | str):
            body = offline(body)
            if anchors and isinstance(body, dict):
                body.update({k: anchors[k] for k in ANCHORED if k in body})
            case.body = body
        response = case.call(headers=HEADERS)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS, headers=HEADERS)

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a FailureGroup
        where = f"{operation.label} [{mode.value}{', anchored' if anchors else ''}]"
        return statuses, f"{where}:\n{exc}"
    return statuses, None


def test_operator_api_survives_fuzzing(fuzz_app, r: redis.Redis, tmp_path: Path) -> None:
    config = make_newsroom(tmp_path)
    store.save_channel_config(r, read_channel_config(config))
    client = fuzz_app.test_client()
    assert client.post("/v1/ops/refresh", json={}, headers=HEADERS).status_code == 202
    run_worker(r)
    assert r.get(keys.FEED_CURRENT) is not None, "the newsroom should publish a first feed"
    assert feed_problems(r) == []
    anchors = _anchors(r)

    def reset() -> None:
        store.save_channel_config(r, read_channel_config(config))

    schema = schemathesis.openapi.from_wsgi("/v1/ops/openapi.json", fuzz_app)
    failures: list[str] = []
    seen: dict[str, dict[int | str, float]] = {}
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        passes = [(GenerationMode.POSITIVE, None, EXAMPLES),
                  (GenerationMode.NEGATIVE, None, EXAMPLES)]
        if _anchorable(operation):
            push = operation.path == "/v1/ops/articles"
            passes.append((GenerationMode.POSITIVE, anchors,
                           PUSH_EXAMPLES if push else ANCHORED_EXAMPLES))
        for mode, anchored, examples in passes:
            began = time.monotonic()
            statuses, failure = _fuzz(operation, mode, examples, anchored, reset)
            label = f"{operation.label} [{mode.value}{'+' if anchored else ''}]"
            seen[label] = {**statuses, "s": round(time.monotonic() - began, 1)}
            if failure:
                failures.append(failure)
    elapsed = time.monotonic() - started
    summary = "\n".join(f"  {label}: {s}" for label, s in seen.items())
    assert not failures, "\n\n".join(failures) + f"\n\nstatuses seen:\n{summary}"
    assert len(seen) >= 55, f"only {len(seen)} operation passes ran:\n{summary}"
    # Anchoring must reach the code behind the 404s: the push endpoint accepted real stories.
    assert any(s.get(202) for label, s in seen.items() if label.startswith("POST /v1/ops/arti")), \
        summary
    print(f"fuzzed {len(seen)} operation passes in {elapsed:.0f}s:\n{summary}")

    assert feed_problems(r) == [], "an invalid feed is live after fuzzing"
    began = time.monotonic()
    run_worker(r)  # every refresh, process and publish job the fuzzing queued
    print(f"the jobs the fuzzing queued ran in {time.monotonic() - began:.0f}s")
    assert feed_problems(r) == [], "an invalid feed is live after the fuzzed jobs ran"
    live = r.get(keys.FEED_CURRENT)
    assert live is not None, "the live feed disappeared"
    served = client.get("/v1/feed.json")
    assert served.status_code == 200
    assert served.headers["X-Feed-Version"] == live.decode()
    assert schemas.errors("channel-feed", served.get_json()) == []


# -- what the fuzzing found, pinned as plain examples ---------------------------------------------


def test_a_job_id_rq_cannot_hold_is_404_not_500(fuzz_app, r: redis.Redis) -> None:
    """RQ raises ValueError for ids outside [A-Za-z0-9_-]; no such job can exist, so 404."""
    client = fuzz_app.test_client()
    for method in ("get", "delete"):
        response = getattr(client, method)("/v1/ops/jobs/%C2%A3x", headers=HEADERS)
        assert response.status_code == 404, response.get_data(as_text=True)
    assert client.post("/v1/ops/jobs/a.b/retry", headers=HEADERS).status_code == 404


def test_unpulling_an_unknown_story_queues_nothing(fuzz_app, r: redis.Redis) -> None:
    """An unknown story is a 404 for unpull as for every editorial action (issue 13; it was an
    idempotent 200 before), and nothing is queued for processing."""
    from workers import queues

    client = fuzz_app.test_client()
    for story in ("%C3%9F%20x", "0123456789abcdef"):
        response = client.delete(f"/v1/ops/stories/{story}/pull", headers=HEADERS)
        assert response.status_code == 404, response.get_data(as_text=True)
    assert queues.queue(r, queues.PROCESS).count == 0
