"""The operator API: token auth, refresh, job status through a real worker."""

from __future__ import annotations

from tests.conftest import run_worker
from tests.newsroom import load_newsroom


def test_refresh_needs_a_token(client, r, tmp_path):
    load_newsroom(r, tmp_path)
    assert client.post("/v1/ops/refresh").status_code == 401
    wrong = client.post("/v1/ops/refresh", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.get_json()["error"] == "missing or invalid bearer token"


def test_refresh_with_token_queues_a_job_that_a_worker_runs(client, r, auth, tmp_path):
    load_newsroom(r, tmp_path)
    response = client.post("/v1/ops/refresh", json={"source": "desk"}, headers=auth)
    assert response.status_code == 202
    job = response.get_json()["job"]
    assert job["status"] == "queued"
    again = client.post("/v1/ops/refresh", json={"source": "desk"}, headers=auth)
    assert again.get_json()["job"]["id"] == job["id"]  # de-duplicated while queued
    run_worker(r)
    status = client.get(f"/v1/ops/jobs/{job['id']}", headers=auth).get_json()["job"]
    assert status["status"] == "finished"
    assert len(status["result"]["changed"]) == 2
    assert client.get("/v1/feed.json").status_code == 200


def test_refresh_rejects_bad_requests(client, r, auth, tmp_path):
    load_newsroom(r, tmp_path)
    unknown = client.post("/v1/ops/refresh", json={"source": "nope"}, headers=auth)
    assert unknown.status_code == 404
    invalid = client.post("/v1/ops/refresh", json={"source": "Bad Id!"}, headers=auth)
    assert invalid.status_code == 422
    assert invalid.get_json()["error"].startswith("source:")
    extra = client.post("/v1/ops/refresh", json={"sauce": "desk"}, headers=auth)
    assert extra.status_code == 422
    broken = client.post("/v1/ops/refresh", data="{", headers={**auth,
                         "Content-Type": "application/json"})
    assert broken.status_code == 400


def test_unknown_job_is_404(client, auth, r):
    assert client.get("/v1/ops/jobs/nope", headers=auth).status_code == 404
