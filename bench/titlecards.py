"""Title cards: time to draw and encode all four sizes, against the floor of encoding alone.

    .venv/bin/python bench/titlecards.py [--cards 60]

Headlines are the <title>s of the pages in ../shared/eval/extraction/html (real headlines of
every length), else generated ones. Each card is timed in one process, after a warm-up (fonts and
backdrops are cached per process, as in a worker; the cache of word widths is emptied before
every card, as if each headline's words were new). The floor is the four JPEG encodes of the
same card images with the same settings: no title card can cost less than writing its JPEGs.
"""

from __future__ import annotations

import argparse
import html
import io
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from channel.images import titlecard  # noqa: E402
from channel.images.thumbnails import DEFAULT_SIZES, JPEG_QUALITY  # noqa: E402

PAGES = ROOT.parent / "shared" / "eval" / "extraction" / "html"
TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


def _headlines(count: int) -> list[str]:
    titles: list[str] = []
    for page in sorted(PAGES.glob("*.html")):
        found = TITLE.search(page.read_text(errors="replace"))
        if found and found.group(1).strip():
            titles.append(html.unescape(" ".join(found.group(1).split())))
    titles = titles or [f"Headline number {n} about the council's new budget" for n in range(30)]
    return [titles[n % len(titles)] for n in range(count)]


def _ms(fn, reps: int = 5) -> float:
    samples = []
    for _ in range(reps):
        titlecard._reference_width.cache_clear()  # every headline's words are new to the worker
        started = time.process_time()
        fn()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=60)
    args = parser.parse_args()
    print("$ .venv/bin/python bench/titlecards.py " + " ".join(sys.argv[1:]))
    headlines = _headlines(args.cards)
    titlecard.title_card(headlines[0], "world")  # warm: fonts, backdrops
    card_ms, floor_ms = [], []
    for title in headlines:
        card_ms.append(_ms(lambda t=title: titlecard.title_card(t, "world")))
        images = [titlecard._draw(size, title, "WORLD", (11, 31, 58), (242, 183, 5),
                                  (255, 255, 255)) for size in DEFAULT_SIZES.values()]

        def encode_all(images=images):
            for img in images:
                img.save(io.BytesIO(), "JPEG", quality=JPEG_QUALITY, optimize=True,
                         subsampling=titlecard.subsampling(img.width))

        floor_ms.append(_ms(encode_all))
    card, floor = statistics.median(card_ms), statistics.median(floor_ms)
    p95 = sorted(card_ms)[int(len(card_ms) * 0.95) - 1]
    print(f"\n{len(headlines)} real headlines, four sizes "
          f"({', '.join(f'{w}x{h}' for w, h in DEFAULT_SIZES.values())}), CPU ms per card\n")
    print("| what | median ms | p95 ms | share of the card |")
    print("|---|---:|---:|---:|")
    print(f"| title card, all four sizes | {card:.1f} | {p95:.1f} | 100% |")
    print(f"| the four JPEG encodes alone (the floor) | {floor:.1f} | "
          f"{sorted(floor_ms)[int(len(floor_ms) * 0.95) - 1]:.1f} | {floor / card:.0%} |")
    print(f"| drawing (backdrop, wrap, text) | {card - floor:.1f} | - | "
          f"{(card - floor) / card:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
