"""`newsdesk inspect`: what the TV would show for a page, without storing anything."""

from __future__ import annotations

from click.testing import CliRunner

from channel.cli import main
from channel.config import Settings
from channel.process import dry_run
from tests.newsroom import NEWSROOM

FERRY = str(NEWSROOM / "articles" / "01-ferry.txt")


def test_seed_shaped_page_is_inspected_clean():
    doc = dry_run(FERRY, Settings())
    assert doc["title"] == "‘Not negotiable’: Baltic ferry operators reject new port levy"
    assert doc["section"] == "EU"
    assert doc["paragraphs"][0].startswith("Ferry operators across the Baltic")
    assert doc["summary"].startswith("Ferry operators across the Baltic have rejected")
    assert len(doc["summary"]) <= 300 and len(doc["ticker"]) <= 110
    assert doc["language"] == "en"
    assert not any("SHARE THIS" in p or "Photo by" in p for p in doc["paragraphs"])


def test_inspect_command_prints_one_json_object_per_input(tmp_path):
    missing = str(tmp_path / "nope.txt")
    result = CliRunner().invoke(main, ["inspect", FERRY, missing])
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 2
    assert '"section":"EU"' in lines[0]
    assert '"error"' in lines[1]
    assert result.exit_code == 1
