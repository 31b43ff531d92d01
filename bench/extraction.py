"""Benchmark: Newsdesk's extraction against plain trafilatura on real article pages.

Usage: .venv/bin/python bench/extraction.py ../shared/eval [--repeat 3] [--limit N]

Scores are printed for all pages and for each fixed half by id (bench/halves.py: rules are tuned
on "tune" only; "held-out" says whether they carry over).

The data folder holds extraction/html/<id>.html and extraction/ground-truth.json
({id: {"articleBody", "url"}}). Metric (the ScrapingHub article-extraction benchmark's): word
4-gram shingles (\\w+ tokens) as sets; per page precision = |both| / |extracted| and recall =
|both| / |truth|; macro-averaged over pages; F1 of the two means. An empty extraction scores 0
precision and 0 recall (when the truth is not empty).

"Leaks" counts pages whose output contains one of BOILERPLATE_PHRASES that the true article body
does not contain. Every system runs on each page in turn (interleaved, so machine noise hits all
of them alike); ms/page is the median over pages of each page's median over --repeat runs.

When the folder also holds summaries/*.jsonl, a rule probe feeds every sentence of those real
articles through the cleanup rules and counts what they drop (--show N prints them).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from halves import HALVES, half_of  # noqa: E402

from channel.text.cleanup import clean_paragraphs, normalize  # noqa: E402
from channel.text.extract import TRAFILATURA_OPTIONS, extract_html  # noqa: E402

_WORD = re.compile(r"\w+")

#: Phrases that mark boilerplate on news pages (share bars, promos, prompts, credits).
BOILERPLATE_PHRASES = (
    "share this",
    "share on facebook",
    "read more",
    "see more",
    "sign up",
    "newsletter",
    "subscribe",
    "click here",
    "follow us",
    "follow newsbeat",
    "you may also like",
    "related:",
    "don't miss",
    "all rights reserved",
    "copyright",
    "can also be accessed",
    "photo by",
    "getty images",
    "advertisement",
    "comments",
    "thanks for signing up",
    "popular on",
    "print article",
    "order reprints",
    "click to tweet",
    "get the app",
)


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    """Word n-gram shingles of a text, as the benchmark defines them."""
    words = _WORD.findall(text or "")
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def score(extracted: str, truth: str) -> tuple[float, float]:
    """(precision, recall) of one page."""
    got, want = shingles(extracted), shingles(truth)
    both = len(got & want)
    precision = both / len(got) if got else (1.0 if not want else 0.0)
    recall = both / len(want) if want else 1.0
    return precision, recall


def leaks(extracted: str, truth: str) -> bool:
    """Does the output carry a boilerplate phrase that the real article does not?"""
    out, real = extracted.lower(), truth.lower()
    return any(p in out and p not in real for p in BOILERPLATE_PHRASES)


def _traf(**options: object) -> Callable[[bytes, str], str]:
    def run(html: bytes, url: str) -> str:
        return trafilatura.extract(html, url=url, **options) or ""

    return run


def _newsdesk(html: bytes, url: str) -> str:
    return extract_html(html, url=url).text


SYSTEMS: dict[str, Callable[[bytes, str], str]] = {
    "trafilatura (default)": _traf(),
    "trafilatura (favor_precision)": _traf(favor_precision=True),
    "trafilatura as newsdesk calls it, no cleanup": _traf(**TRAFILATURA_OPTIONS),
    "newsdesk extract_html": _newsdesk,
}


def load(data: Path, limit: int | None) -> list[tuple[str, bytes, str, str]]:
    """(id, html, url, truth) for each page."""
    root = data / "extraction" if (data / "extraction").is_dir() else data
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for pid, item in sorted(truth.items()):
        path = root / "html" / f"{pid}.html"
        if path.is_file():
            pages.append((pid, path.read_bytes(), item.get("url", ""), item["articleBody"]))
    return pages[:limit] if limit else pages


_SENTENCE = re.compile(r"(?<=[.!?\"”])\s+(?=[A-Z\"“‘(])")
_NEUTRAL_LEAD = "A neutral first paragraph keeps every sentence out of the leading position."


def probe_false_positives(data: Path, show: int) -> None:
    """Feed every sentence of real articles (summaries/*.jsonl) through the rules.

    Real article text is nearly all prose, so each dropped sentence is either boilerplate the
    scrape kept or a rule false positive; the dropped ones are printed for a human to judge.
    """
    root = data.parent if data.name == "extraction" else data
    files = sorted((root / "summaries").glob("*.jsonl"))
    if not files:
        return
    total, dropped = 0, []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            article = json.loads(line)["article"]
            sentences = [
                s for para in article.split("\n") for s in _SENTENCE.split(para) if s.strip()
            ]
            total += len(sentences)
            kept = set(clean_paragraphs([_NEUTRAL_LEAD, *sentences]))
            dropped += [s for s in sentences if normalize(s) not in kept and normalize(s)]
    print(f"\nRule probe: {total} sentences of real articles, {len(dropped)} dropped or rewritten")
    for sentence in dropped[:show]:
        print(f"- {sentence[:90]!r}")


def main(argv: list[str] | None = None) -> None:
    """Run every system over every page and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="eval folder (holding extraction/) or extraction/")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per page and system")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument(
        "--show", type=int, default=0, help="print N dropped probe sentences (eval text: local use)"
    )
    args = parser.parse_args(argv)
    pages = load(args.data, args.limit)
    if not pages:
        sys.exit(f"no pages under {args.data}")

    for run in SYSTEMS.values():  # warm imports and caches outside the timings
        run(pages[0][1], pages[0][2])

    groups = ("all", *HALVES)
    results = {
        (g, name): {"p": [], "r": [], "ms": [], "leaks": 0} for g in groups for name in SYSTEMS
    }
    started = time.perf_counter()
    for pid, html, url, truth in pages:
        for name, run in SYSTEMS.items():
            times = []
            for _ in range(max(1, args.repeat)):
                t0 = time.perf_counter()
                out = run(html, url)
                times.append((time.perf_counter() - t0) * 1000)
            p, r = score(out, truth)
            for group in ("all", half_of(pid)):
                res = results[(group, name)]
                res["p"].append(p)
                res["r"].append(r)
                res["ms"].append(statistics.median(times))
                res["leaks"] += leaks(out, truth)
    elapsed = time.perf_counter() - started

    print(f"Extraction on {len(pages)} pages ({args.repeat} timed runs each, {elapsed:.0f} s)\n")
    print(
        "| pages | system | precision | recall | F1 | median ms/page | p90 ms/page "
        "| time vs default | pages with leaks |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for group in groups:
        baseline_ms = statistics.median(results[(group, next(iter(SYSTEMS)))]["ms"])
        for name in SYSTEMS:
            res = results[(group, name)]
            p, r = statistics.mean(res["p"]), statistics.mean(res["r"])
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            ms = sorted(res["ms"])
            p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
            print(
                f"| {group} ({len(ms)}) | {name} | {p:.3f} | {r:.3f} | {f1:.3f} "
                f"| {statistics.median(ms):.1f} | {p90:.1f} "
                f"| {statistics.median(ms) / baseline_ms:.2f}x | {res['leaks']} |"
            )

    fields = ("title", "section", "byline", "published", "language", "canonical_url", "lead_image")
    found = dict.fromkeys(fields, 0)
    for _pid, html, url, _truth in pages:
        result = extract_html(html, url=url)
        for name in fields:
            found[name] += getattr(result, name) is not None
    print(f"\nnewsdesk metadata found on {len(pages)} pages:\n")
    print("| " + " | ".join(fields) + " |")
    print("|" + "---:|" * len(fields))
    print("| " + " | ".join(str(found[name]) for name in fields) + " |")
    probe_false_positives(args.data, args.show)


if __name__ == "__main__":
    main()
