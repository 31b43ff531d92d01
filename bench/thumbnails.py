"""Thumbnail speed and memory: Newsdesk's path against naive Pillow, in the same run.

    .venv/bin/python bench/thumbnails.py [--quick]

Generates a varied image set (12 MP grainy and smooth, 48 MP, small, EXIF-rotated and CMYK
JPEGs, a PNG with alpha, an animated GIF, a PNG decompression bomb), then runs each (image,
method) pair in a fresh process: peak memory is the first call's rise in peak RSS (VmHWM, reset
through /proc/self/clear_refs). Time is the median of repeated calls with the two methods
alternating in one process, as wall time and as CPU time (steadier when the machine is shared).
Newsdesk writes baseline Huffman-optimised JPEGs (quality 85); naive Pillow centre-crops with
ImageOps.fit and LANCZOS and writes baseline JPEGs at quality 85, as issue 17 defines it.
The 12 MP photo runs twice: with the four default sizes, and
with the three below the 1280x720 hero.
PSNR compares each method's largest size with a full-resolution Lanczos rendering of the same
crop, to show the fast path does not trade away quality.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps  # noqa: E402

from channel.images import thumbnails  # noqa: E402
from channel.images.crop import centre_crop  # noqa: E402

# The default four sizes, and the three below the hero (without the 1280x720 hero the decode is
# 2/8 instead of 3/8, and the most expensive encode is gone).
SIZE_SETS = {
    "4": thumbnails.DEFAULT_SIZES,
    "3": {k: thumbnails.DEFAULT_SIZES[k] for k in ("dp", "fhd", "hd")},
}


# -- the two methods ----------------------------------------------------------------------


Sizes = dict[str, tuple[int, int]]
Result = tuple[dict[str, bytes], tuple[int, int, int, int] | None]


def newsdesk(data: bytes, sizes: Sizes) -> Result:
    tset = thumbnails.make_thumbnails(data, sizes)
    return {t.name: t.data for t in tset.thumbnails}, tset.crop_box


def naive(data: bytes, sizes: Sizes) -> Result:
    """What most thumbnail code does (issue 17's baseline): full decode, transpose, convert to
    RGB, a LANCZOS centre-crop resize per size, baseline JPEG at quality 85."""
    img = Image.open(io.BytesIO(data))
    img = ImageOps.exif_transpose(img).convert("RGB")
    out = {}
    for name, size in sizes.items():
        thumb = ImageOps.fit(img, size, Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        thumb.save(buf, "JPEG", quality=85)
        out[name] = buf.getvalue()
    return out, centre_crop(img.size, 16 / 9)


METHODS = {"newsdesk": newsdesk, "naive": naive}


# -- the image set ------------------------------------------------------------------------


def photo(size: tuple[int, int], seed: int = 1) -> Image.Image:
    """Photo-like: sky and ground gradients, buildings, a face, texture and sensor grain."""
    w, h = size
    small = (max(1, w // 8), max(1, h // 8))
    img = Image.linear_gradient("L").resize(small).convert("RGB")
    img = ImageChops.multiply(img, Image.new("RGB", small, (120, 170, 255)))
    draw = ImageDraw.Draw(img)
    sw, sh = small
    draw.rectangle((0, sh * 2 // 3, sw, sh), fill=(70, 110, 50))
    for i in range(12):
        x = (seed * 97 + i * 131) % sw
        top = sh // 4 + (i * 37 % (sh // 3))
        draw.rectangle((x, top, x + sw // 14, sh * 2 // 3), fill=(90 + 12 * i, 80, 70 + 5 * i))
        for wy in range(top + 4, sh * 2 // 3 - 4, 8):  # windows: edges for the detail map
            if sw // 14 > 8:
                draw.rectangle((x + 3, wy, x + sw // 14 - 3, wy + 3), fill=(230, 220, 160))
    draw.ellipse((sw * 0.6, sh * 0.1, sw * 0.72, sh * 0.32), fill=(224, 172, 140))
    img = img.resize(size, Image.Resampling.BICUBIC)
    texture = Image.effect_noise(small, 24).resize(size, Image.Resampling.BICUBIC).convert("RGB")
    img = ImageChops.add(img, texture, scale=1.0, offset=-128)
    grain = Image.effect_noise(size, 4).convert("RGB")
    return ImageChops.add(img, grain, scale=1.0, offset=-128)


def encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    row = b"\x00" * (1 + (width + 7) // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def image_set(quick: bool) -> list[tuple[str, str, bytes, int, str]]:
    """(label, description, bytes, repetitions, size set)."""
    exif6 = Image.Exif()
    exif6[0x0112] = 6
    p12 = photo((4000, 3000))
    j12 = encode(p12, "JPEG", quality=90)
    cases = [
        ("12 MP JPEG", "4000x3000 q90", j12, 9, "4"),
        ("12 MP JPEG, 3 sizes (no hero)", "4000x3000 q90", j12, 9, "3"),
        (
            "12 MP JPEG, smooth (no grain)",
            "4000x3000 q90, blurred r3",
            encode(p12.filter(ImageFilter.GaussianBlur(3)), "JPEG", quality=90),
            9,
            "4",
        ),
        (
            "12 MP JPEG, EXIF rotated",
            "4000x3000 orientation 6",
            encode(p12, "JPEG", quality=90, exif=exif6.tobytes()),
            9,
            "4",
        ),
        (
            "8 MP CMYK JPEG",
            "3264x2448",
            encode(photo((3264, 2448), 2).convert("CMYK"), "JPEG"),
            7,
            "4",
        ),
        ("small JPEG", "640x480", encode(photo((640, 480), 3), "JPEG", quality=85), 15, "4"),
        ("PNG with alpha", "1600x1200 RGBA", encode(_alpha((1600, 1200)), "PNG"), 9, "4"),
        ("animated GIF", "800x450, 10 frames", _gif((800, 450), 10), 15, "4"),
        ("PNG bomb (refused)", "20000x20000 1-bit", png_bomb(20_000, 20_000), 15, "4"),
    ]
    del p12
    if not quick:
        huge = photo((8000, 6000), 4)
        cases.insert(4, ("48 MP JPEG", "8000x6000 q90", encode(huge, "JPEG", quality=90), 5, "4"))
    return cases


def _alpha(size: tuple[int, int]) -> Image.Image:
    img = photo(size, 5).convert("RGBA")
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse(
        (size[0] // 8, size[1] // 8, size[0] * 7 // 8, size[1] * 7 // 8), 255
    )
    img.putalpha(mask)
    return img


def _gif(size: tuple[int, int], n: int) -> bytes:
    frames = [photo(size, i).quantize(64) for i in range(n)]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=80, loop=0)


# -- measuring in a fresh process ---------------------------------------------------------


def _status() -> dict[str, int]:
    text = Path("/proc/self/status").read_text()
    return {k: int(re.search(rf"{k}:\s+(\d+)", text).group(1)) for k in ("VmRSS", "VmHWM")}


def child_memory(path: str, method: str, size_set: str) -> None:
    """One call in a fresh process, so the peak does not inherit another run's heap."""
    fn, sizes = METHODS[method], SIZE_SETS[size_set]
    data = Path(path).read_bytes()
    fn(encode(Image.new("RGB", (64, 48), (1, 2, 3)), "JPEG"), sizes)  # imports and plugins
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak to the current RSS
    except OSError:
        pass
    before = _status()["VmRSS"]
    result: dict = {}
    try:
        out, box = fn(data, sizes)
    except Exception as exc:  # a refusal is a result too
        result["refused"] = type(exc).__name__
        out, box = None, None
    result["peak_mb"] = (_status()["VmHWM"] - before) / 1024
    if out is not None and box is not None:
        name, size = max(sizes.items(), key=lambda item: item[1])
        result["psnr"] = _psnr(data, out[name], size, box)
    print(json.dumps(result))


def child_time(path: str, reps: int, size_set: str) -> None:
    """Both methods alternately in one process: on a shared, noisy machine each gets the same
    background load. Wall and CPU (process_time) medians."""
    data, sizes = Path(path).read_bytes(), SIZE_SETS[size_set]
    samples: dict[str, dict[str, list[float]]] = {m: {"ms": [], "cpu": []} for m in METHODS}
    for rep in range(reps + 1):
        for name, fn in METHODS.items():
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                fn(data, sizes)
            except Exception:
                pass
            if rep:  # the first round warms caches and imports
                samples[name]["ms"].append((time.perf_counter() - wall) * 1000)
                samples[name]["cpu"].append((time.process_time() - cpu) * 1000)
    print(
        json.dumps({m: {k: statistics.median(v) for k, v in d.items()} for m, d in samples.items()})
    )


def child_breakdown(path: str, reps: int) -> None:
    """Where the time of the default four sizes goes, against the part no thumbnailer built on
    libjpeg-turbo can skip: entropy-decoding every byte and the four JPEG encodes."""
    import simplejpeg

    data, sizes = Path(path).read_bytes(), SIZE_SETS["4"]
    tset = thumbnails.make_thumbnails(data, sizes)
    outs = [Image.open(io.BytesIO(t.data)).convert("RGB") for t in tset.thumbnails]
    w, h = Image.open(io.BytesIO(data)).size
    parts = {
        "naive Pillow, all of it": lambda: naive(data, sizes),
        "Newsdesk, all of it": lambda: newsdesk(data, sizes),
        "entropy decoding alone (a 1/8-scale decode)": lambda: simplejpeg.decode_jpeg(
            data, min_width=w // 8, min_height=h // 8
        ),
        "decoding at the 3/8 scale Newsdesk uses": lambda: simplejpeg.decode_jpeg(
            data, min_width=w * 3 // 8, min_height=h * 3 // 8
        ),
        "four JPEG encodes": lambda: [thumbnails.encode_jpeg(o) for o in outs],
    }
    samples: dict[str, list[float]] = {k: [] for k in parts}
    for rep in range(reps + 1):
        for name, fn in parts.items():
            cpu = time.process_time()
            fn()
            if rep:
                samples[name].append((time.process_time() - cpu) * 1000)
    print(json.dumps({k: statistics.median(v) for k, v in samples.items()}))


def _psnr(
    data: bytes, largest: bytes, size: tuple[int, int], box: tuple[int, int, int, int]
) -> float | None:
    src = Image.open(io.BytesIO(data))
    if src.format != "JPEG" or (box[2] - box[0]) * thumbnails.MAX_UPSCALE < size[0]:
        return None  # only photos big enough to crop (small ones are padded by design)
    ref = ImageOps.exif_transpose(src).convert("RGB")
    ref = ref.resize(size, Image.Resampling.LANCZOS, box=box)
    got = Image.open(io.BytesIO(largest)).convert("RGB")
    diff = ImageChops.difference(ref, got)
    hist = diff.histogram()
    sq = sum(count * (i % 256) ** 2 for i, count in enumerate(hist))
    mse = sq / (3 * ref.width * ref.height)
    return 99.0 if mse == 0 else 10 * __import__("math").log10(255**2 / mse)


def run_child(*args: str) -> dict:
    cmd = [sys.executable, __file__, "--child", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=300)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ms(value: float, refused: str | None) -> str:
    return f"{value:.2f} ({refused})" if refused else f"{value:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 48 MP image")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child and args.child[0] == "memory":
        child_memory(*args.child[1:4])
        return
    if args.child and args.child[0] == "breakdown":
        child_breakdown(args.child[1], int(args.child[2]))
        return
    if args.child:
        child_time(args.child[1], int(args.child[2]), args.child[3])
        return
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        cases = image_set(args.quick)
        for key, sizes in SIZE_SETS.items():
            print(f"size set {key}: {', '.join(f'{n} {w}x{h}' for n, (w, h) in sizes.items())}")
        print(
            "ms: median wall time of N calls, the two methods alternating in one process; "
            "CPU: median process CPU time; peak: the first call's rise in peak RSS in a fresh "
            "process.\n"
        )
        print(
            "| image | source | bytes | sizes | N | Newsdesk ms | naive ms | speedup "
            "| Newsdesk CPU ms | naive CPU ms | CPU speedup | Newsdesk peak MB | naive peak MB "
            "| largest size PSNR dB (Newsdesk / naive) |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for i, (label, desc, data, reps, size_set) in enumerate(cases):
            path = Path(tmp) / f"case{i}"
            path.write_bytes(data)
            mem = {m: run_child("memory", str(path), m, size_set) for m in METHODS}
            times = run_child("time", str(path), str(reps), size_set)
            ours, base = times["newsdesk"], times["naive"]
            r_ours, r_base = mem["newsdesk"].get("refused"), mem["naive"].get("refused")
            psnr = " / ".join(
                f"{mem[m]['psnr']:.1f}" if mem[m].get("psnr") else "-" for m in METHODS
            )
            speed = "-" if r_ours or r_base else f"{base['ms'] / ours['ms']:.2f}x"
            cpu_speed = "-" if r_ours or r_base else f"{base['cpu'] / ours['cpu']:.2f}x"
            print(
                f"| {label} | {desc} | {len(data):,} | {size_set} | {reps} "
                f"| {_ms(ours['ms'], r_ours)} | {_ms(base['ms'], r_base)} | {speed} "
                f"| {ours['cpu']:.1f} | {base['cpu']:.1f} | {cpu_speed} "
                f"| {mem['newsdesk']['peak_mb']:+.1f} | {mem['naive']['peak_mb']:+.1f} | {psnr} |",
                flush=True,
            )
        first = Path(tmp) / "case0"  # the 12 MP photo
        parts = run_child("breakdown", str(first), "9")
        floor = parts["decoding at the 3/8 scale Newsdesk uses"]
        floor += parts["four JPEG encodes"]
        naive_ms = parts["naive Pillow, all of it"]
        print("\nWhere the 12 MP photo's time goes (4 sizes; median CPU ms, parts alternating):\n")
        print("| part | CPU ms | naive / part |\n|---|---:|---:|")
        for name, ms in parts.items():
            print(f"| {name} | {ms:.1f} | {naive_ms / ms:.2f} |")
        print(f"| decode at 3/8 + the four encodes | {floor:.1f} | {naive_ms / floor:.2f} |")
        rest = parts["Newsdesk, all of it"] - floor
        print(f"| Newsdesk's crop analysis, resizes and the rest | {rest:.1f} | - |")
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
