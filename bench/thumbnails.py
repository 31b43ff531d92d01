"""Thumbnail speed and memory: Newsdesk's path against naive Pillow, in the same run.

    .venv/bin/python bench/thumbnails.py [--quick]

Generates a varied image set (12 MP, 48 MP, small, EXIF-rotated and CMYK JPEGs, a PNG with
alpha, an animated GIF, a PNG decompression bomb), then runs each (image, method) pair in a
fresh process: peak memory is the first call's rise in peak RSS (VmHWM, reset through
/proc/self/clear_refs). Time is the median of repeated calls with the two methods alternating
in one process, as wall time and as CPU time (steadier when the machine is shared). Both
methods write the same sizes as progressive JPEGs at the same quality; naive Pillow
centre-crops with ImageOps.fit.
PSNR compares each method's hero image with a full-resolution Lanczos rendering of the same
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

from PIL import Image, ImageChops, ImageDraw, ImageOps  # noqa: E402

from channel import images  # noqa: E402
from channel.crop import centre_crop  # noqa: E402

SIZES = images.DEFAULT_SIZES


# -- the two methods ----------------------------------------------------------------------


def newsdesk(data: bytes) -> tuple[dict[str, bytes], tuple[int, int, int, int] | None]:
    tset = images.make_thumbnails(data, SIZES)
    return {t.name: t.data for t in tset.thumbnails}, tset.crop_box


def naive(data: bytes) -> tuple[dict[str, bytes], tuple[int, int, int, int] | None]:
    """What most thumbnail code does: full decode, transpose, convert, fit() per size."""
    img = Image.open(io.BytesIO(data))
    img = ImageOps.exif_transpose(img).convert("RGB")
    out = {}
    for name, size in SIZES.items():
        thumb = ImageOps.fit(img, size, Image.Resampling.BICUBIC)
        out[name] = images.encode_jpeg(thumb)  # the same encoder settings for both
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


def image_set(quick: bool) -> list[tuple[str, str, bytes, int]]:
    """(label, description, bytes, repetitions)."""
    exif6 = Image.Exif()
    exif6[0x0112] = 6
    p12 = photo((4000, 3000))
    cases = [
        ("12 MP JPEG", "4000x3000 q90", encode(p12, "JPEG", quality=90), 7),
        (
            "12 MP JPEG, EXIF rotated",
            "4000x3000 orientation 6",
            encode(p12, "JPEG", quality=90, exif=exif6.tobytes()),
            7,
        ),
        ("8 MP CMYK JPEG", "3264x2448", encode(photo((3264, 2448), 2).convert("CMYK"), "JPEG"), 7),
        ("small JPEG", "640x480", encode(photo((640, 480), 3), "JPEG", quality=85), 15),
        ("PNG with alpha", "1600x1200 RGBA", encode(_alpha((1600, 1200)), "PNG"), 9),
        ("animated GIF", "800x450, 10 frames", _gif((800, 450), 10), 15),
        ("PNG bomb (refused)", "20000x20000 1-bit", png_bomb(20_000, 20_000), 15),
    ]
    del p12
    if not quick:
        huge = photo((8000, 6000), 4)
        cases.insert(3, ("48 MP JPEG", "8000x6000 q90", encode(huge, "JPEG", quality=90), 5))
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


def child_memory(path: str, method: str) -> None:
    """One call in a fresh process, so the peak does not inherit another run's heap."""
    fn = METHODS[method]
    data = Path(path).read_bytes()
    fn(encode(Image.new("RGB", (64, 48), (1, 2, 3)), "JPEG"))  # imports and plugin set-up
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak to the current RSS
    except OSError:
        pass
    before = _status()["VmRSS"]
    result: dict = {}
    try:
        out, box = fn(data)
    except Exception as exc:  # a refusal is a result too
        result["refused"] = type(exc).__name__
        out, box = None, None
    result["peak_mb"] = (_status()["VmHWM"] - before) / 1024
    if out is not None and box is not None:
        result["psnr"] = _psnr(data, out["hero"], box)
    print(json.dumps(result))


def child_time(path: str, reps: int) -> None:
    """Both methods alternately in one process: on a shared, noisy machine each gets the same
    background load. Wall and CPU (process_time) medians."""
    data = Path(path).read_bytes()
    samples: dict[str, dict[str, list[float]]] = {m: {"ms": [], "cpu": []} for m in METHODS}
    for rep in range(reps + 1):
        for name, fn in METHODS.items():
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                fn(data)
            except Exception:
                pass
            if rep:  # the first round warms caches and imports
                samples[name]["ms"].append((time.perf_counter() - wall) * 1000)
                samples[name]["cpu"].append((time.process_time() - cpu) * 1000)
    print(
        json.dumps({m: {k: statistics.median(v) for k, v in d.items()} for m, d in samples.items()})
    )


def _psnr(data: bytes, hero: bytes, box: tuple[int, int, int, int]) -> float | None:
    src = Image.open(io.BytesIO(data))
    if src.format != "JPEG" or (box[2] - box[0]) * images.MAX_UPSCALE < SIZES["hero"][0]:
        return None  # only photos big enough to crop (small ones are padded by design)
    ref = ImageOps.exif_transpose(src).convert("RGB")
    ref = ref.resize(SIZES["hero"], Image.Resampling.LANCZOS, box=box)
    got = Image.open(io.BytesIO(hero)).convert("RGB")
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
        child_memory(args.child[1], args.child[2])
        return
    if args.child:
        child_time(args.child[1], int(args.child[2]))
        return
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        cases = image_set(args.quick)
        print(
            f"sizes: {', '.join(f'{n} {w}x{h}' for n, (w, h) in SIZES.items())}. "
            "ms: median wall time of N calls, the two methods alternating in one process; "
            "CPU: median process CPU time; peak: the first call's rise in peak RSS in a fresh "
            "process.\n"
        )
        print(
            "| image | source | bytes | N | Newsdesk ms | naive ms | speedup | Newsdesk CPU ms "
            "| naive CPU ms | CPU speedup | Newsdesk peak MB | naive peak MB "
            "| hero PSNR dB (Newsdesk / naive) |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for i, (label, desc, data, reps) in enumerate(cases):
            path = Path(tmp) / f"case{i}"
            path.write_bytes(data)
            mem = {m: run_child("memory", str(path), m) for m in METHODS}
            times = run_child("time", str(path), str(reps))
            ours, base = times["newsdesk"], times["naive"]
            r_ours, r_base = mem["newsdesk"].get("refused"), mem["naive"].get("refused")
            psnr = " / ".join(
                f"{mem[m]['psnr']:.1f}" if mem[m].get("psnr") else "-" for m in METHODS
            )
            speed = "-" if r_ours or r_base else f"{base['ms'] / ours['ms']:.1f}x"
            cpu_speed = "-" if r_ours or r_base else f"{base['cpu'] / ours['cpu']:.1f}x"
            print(
                f"| {label} | {desc} | {len(data):,} | {reps} "
                f"| {_ms(ours['ms'], r_ours)} | {_ms(base['ms'], r_base)} | {speed} "
                f"| {ours['cpu']:.1f} | {base['cpu']:.1f} | {cpu_speed} "
                f"| {mem['newsdesk']['peak_mb']:+.1f} | {mem['naive']['peak_mb']:+.1f} | {psnr} |",
                flush=True,
            )
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
