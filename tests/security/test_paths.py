"""Finding 3: local sources read only real paths inside their roots. A symlinked file or
sidecar image pointing out of the folder is skipped with the reason; a folder that is (or later
becomes) a symlink out of the roots is refused."""

from __future__ import annotations

from pathlib import Path

from channel import actions, store
from tests.conftest import run_worker
from workers import queues


def _titles(r) -> set[str]:
    return {store.get_article(r, i.decode())["title"] for i in r.zrange("nd:articles", 0, -1)}


def test_a_symlinked_file_out_of_the_roots_is_never_read(client, auth, r, settings, tmp_path,
                                                        monkeypatch):
    roots = tmp_path / "roots"
    folder = roots / "news"
    folder.mkdir(parents=True)
    outside = tmp_path / "secret.txt"
    outside.write_text("Secret headline\n\nThe contents of a file outside the roots.")
    (folder / "leak.txt").symlink_to(outside)
    (folder / "ok.txt").write_text("A real story\n\nIts body, inside the folder as it should be.")
    (folder / "ok.jpg").symlink_to("/etc/hostname")  # a sidecar "image" pointing out
    (folder / "alias.txt").symlink_to(folder / "ok.txt")  # inside: allowed
    monkeypatch.setenv("NEWSDESK_LOCAL_ROOTS", str(roots))
    from app import create_app
    from channel.config import Settings

    api = create_app(Settings.from_env()).test_client()
    created = api.post("/v1/ops/sources", json={"id": "news", "kind": "folder", "path": "news",
                                                "category": "world"}, headers=auth)
    assert created.status_code == 201, created.get_json()
    store.save_categories(r, [{"id": "world", "title": "World"}])
    queues.enqueue_refresh(r, settings, "news")
    run_worker(r)
    titles = _titles(r)
    assert "Secret headline" not in titles and "A real story" in titles
    health = api.get("/v1/ops/sources/news", headers=auth).get_json()["source"]["health"]
    assert "leak.txt: a symlink out of the folder" in health["lastSkipped"]
    ok = next(store.get_article(r, i.decode()) for i in r.zrange("nd:articles", 0, -1)
              if store.get_article(r, i.decode())["title"] == "A real story")
    assert ok["raw"].get("image_path") is None  # the /etc/hostname "image" was not taken


def test_a_symlinked_folder_is_refused_now_and_later(auth, r, settings, tmp_path, monkeypatch):
    roots = tmp_path / "roots"
    roots.mkdir()
    (roots / "out").symlink_to("/etc")
    monkeypatch.setenv("NEWSDESK_LOCAL_ROOTS", str(roots))
    from app import create_app
    from channel.config import Settings

    api = create_app(Settings.from_env()).test_client()
    refused = api.post("/v1/ops/sources", json={"id": "etc", "kind": "folder", "path": "out",
                                                "category": "world"}, headers=auth)
    assert refused.status_code == 422 and "must be inside" in refused.get_json()["error"]
    # A folder saved inside the roots, swapped for a symlink afterwards, is refused at read.
    folder = roots / "desk"
    folder.mkdir()
    actions.create_source(r, {"id": "desk", "kind": "folder", "path": "desk",
                              "category": "world"}, who="t", roots=(roots,))
    folder.rmdir()
    folder.symlink_to("/etc")
    job = queues.enqueue_refresh(r, settings, "desk")
    run_worker(r)
    assert job.get_status() == "failed"
    assert "now resolves to /etc: refused" in store.source_state(r, "desk")["last_error"]
    assert r.zcard("nd:articles") == 0
    assert Path(store.get_source(r, "desk")["path"]) == folder  # stored as its real path
