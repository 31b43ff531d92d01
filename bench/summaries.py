"""Benchmark: Newsdesk TV summaries against Lead cut at 300 characters, in the same run.

Usage: .venv/bin/python bench/summaries.py ../shared/eval/summaries [--ablation]

Scores with rouge-score (ROUGE-1, ROUGE-2, ROUGE-Lsum F1, stemming; reference lines joined by
newlines, each summary's sentences on their own lines for Lsum). Prints one markdown table: mean
F1 x 100, median and maximum summary length in characters, how many exceed 300, and milliseconds
per article to summarize (not to score): wall-clock median and p95, and CPU-time median, each the
best of 3 runs per article because this machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rouge_score import rouge_scorer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from channel.text.sentences import split_sentences  # noqa: E402
from channel.text.summarize import (  # noqa: E402
    SUMMARY_MAX,
    LeadPlus,
    Summary,
    lead_baseline,
    summarize,
)

FILES = ("cnndm-dev.jsonl", "xsum-dev.jsonl")
REPEATS = 3


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run(
    system: Callable[..., Summary], rows: list[dict], scorer: rouge_scorer.RougeScorer
) -> dict[str, float]:
    """Summarize every row (timed), then score (untimed)."""
    outputs, times, cpu = [], [], []
    for row in rows:
        best, best_cpu = float("inf"), float("inf")
        for _ in range(REPEATS):  # best of a few runs: this machine is shared and noisy
            t0, c0 = time.perf_counter(), time.process_time()
            out = system(row["article"])
            best = min(best, time.perf_counter() - t0)
            best_cpu = min(best_cpu, time.process_time() - c0)
        times.append(best * 1000)
        cpu.append(best_cpu * 1000)
        outputs.append(out.summary)
    r1, r2, rl = [], [], []
    for row, summary in zip(rows, outputs, strict=True):
        scores = scorer.score(row["reference"], "\n".join(split_sentences(summary)))
        r1.append(scores["rouge1"].fmeasure)
        r2.append(scores["rouge2"].fmeasure)
        rl.append(scores["rougeLsum"].fmeasure)
    lengths = [len(s) for s in outputs]
    times.sort()
    return {
        "R1": 100 * statistics.fmean(r1),
        "R2": 100 * statistics.fmean(r2),
        "RLsum": 100 * statistics.fmean(rl),
        "len_med": statistics.median(lengths),
        "len_max": max(lengths),
        "over": sum(n > SUMMARY_MAX for n in lengths),
        "ms_med": statistics.median(times),
        "ms_p95": times[int(0.95 * (len(times) - 1))],
        "cpu_med": statistics.median(cpu),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="folder holding cnndm-dev.jsonl and xsum-dev.jsonl")
    parser.add_argument("--ablation", action="store_true", help="also score each idea alone")
    args = parser.parse_args(argv)

    systems: list[tuple[str, Callable[..., Summary]]] = [
        ("Lead-300 (baseline)", lead_baseline),
        ("Newsdesk summarize", summarize),
    ]
    if args.ablation:
        systems[1:1] = [
            ("+ clean", LeadPlus(compress=False, fill=False, tighten=False)),
            ("+ clean + compress", LeadPlus(fill=False, tighten=False)),
            ("+ clean + fill", LeadPlus(compress=False, tighten=False)),
            ("+ clean + compress + fill", LeadPlus(tighten=False)),
        ]
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    print(
        "| data | system | R-1 | R-2 | R-Lsum | len med | len max | >300 "
        "| ms med | ms p95 | CPU ms med |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in FILES:
        path = args.data / name
        if not path.exists():
            print(f"missing {path}", file=sys.stderr)
            return 2
        rows = load(path)
        for label, system in systems:
            m = run(system, rows, scorer)
            print(
                f"| {name.split('-')[0]} ({len(rows)}) | {label} | {m['R1']:.2f} | {m['R2']:.2f} "
                f"| {m['RLsum']:.2f} | {m['len_med']:.0f} | {m['len_max']} | {m['over']} "
                f"| {m['ms_med']:.2f} | {m['ms_p95']:.2f} | {m['cpu_med']:.2f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
