"""Run ../shared/eval/summary_defects.py (an independent parser, in its own venv) and count kinds.

The instrument prints one line per defective summary ("<id>: kind: ... | kind: ..."); this
module writes the articles and summaries it needs to a temporary folder, runs it on Newsdesk's
summaries and again with --lead3 (the article's own first sentences: the noise floor), and
returns how many summaries have each kind of defect.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["KINDS", "Defects", "count_defects"]

KINDS = ("lower", "noverb", "nosubj", "cut", "dangle", "empty", "over300")


@dataclass(frozen=True)
class Defects:
    """Summaries with at least one defect, and how many summaries show each kind."""

    bad: int
    total: int
    kinds: Counter[str]
    lines: tuple[str, ...]  # the instrument's own lines, for reading (eval text: local use)

    def by_kind(self) -> str:
        """"nosubj 2, cut 1" (kinds in KINDS order; "-" when none)."""
        parts = [f"{k} {self.kinds[k]}" for k in KINDS if self.kinds[k]]
        return ", ".join(parts) or "-"


def _parse(output: str, total: int) -> Defects:
    kinds: Counter[str] = Counter()
    lines = []
    bad = 0
    for line in output.splitlines():
        if line.startswith("defects:") or ": " not in line:
            continue
        bad += 1
        lines.append(line)
        body = line.split(": ", 1)[1]
        kinds.update({part.strip().split(":")[0].split(" ")[0] for part in body.split(" | ")})
    return Defects(bad=bad, total=total, kinds=kinds, lines=tuple(lines))


def count_defects(
    python: Path, script: Path, articles: Sequence[tuple[str, str]], summaries: Sequence[str]
) -> tuple[Defects, Defects]:
    """(Newsdesk's defects, the lead's defects) on these (id, article text) pairs."""
    with tempfile.TemporaryDirectory(prefix="newsdesk-defects-") as tmp:
        arts, sums = Path(tmp) / "articles.jsonl", Path(tmp) / "summaries.jsonl"
        arts.write_text(
            "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in articles), "utf-8"
        )
        sums.write_text(
            "".join(
                json.dumps({"id": i, "summary": s}) + "\n"
                for (i, _), s in zip(articles, summaries, strict=True)
            ),
            "utf-8",
        )
        results = []
        for extra in ([], ["--lead3"]):
            proc = subprocess.run(
                [str(python), str(script), str(arts), str(sums), *extra],
                capture_output=True, text=True, check=False,
            )
            if proc.returncode not in (0, 1):
                raise RuntimeError(f"summary_defects.py failed: {proc.stderr[-500:]}")
            results.append(_parse(proc.stdout, len(articles)))
    return results[0], results[1]
