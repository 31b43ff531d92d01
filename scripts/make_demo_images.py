"""Draw the images of the bundled demo newsroom (channel/demo/) with Pillow.

Every picture is generated from shapes, gradients and seeded noise, so the output is the
same on every run and no fonts or downloads are needed. Run from the repository root:

    .venv/bin/python scripts/make_demo_images.py

Article sidecars go beside their article in channel/demo/articles/ (same stem); the wire
feed's images go to channel/demo/rss/images/. 05-port-container-volumes.txt deliberately has
no image, so the pipeline draws a title card for it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

DEMO = Path(__file__).resolve().parent.parent / "channel" / "demo"
ARTICLES = DEMO / "articles"
RSS_IMAGES = DEMO / "rss" / "images"

RGB = tuple[int, int, int]


# --- helpers -------------------------------------------------------------------------------


def lerp(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def vgradient(size: tuple[int, int], stops: list[tuple[float, RGB]]) -> Image.Image:
    """A vertical gradient through colour stops given as (position 0..1, colour)."""
    w, h = size
    column = Image.new("RGB", (1, h))
    px = column.load()
    for y in range(h):
        t = y / max(h - 1, 1)
        for (t0, c0), (t1, c1) in zip(stops, stops[1:], strict=False):
            if t0 <= t <= t1:
                px[0, y] = lerp(c0, c1, (t - t0) / ((t1 - t0) or 1))
                break
    return column.resize((w, h))


def grain(img: Image.Image, seed: int, amount: float = 0.035) -> Image.Image:
    """Blend in seeded film grain: keeps the JPEG a realistic size and looks photographic."""
    rng = random.Random(seed)
    noise = Image.frombytes("L", img.size, rng.randbytes(img.size[0] * img.size[1]))
    noise = noise.filter(ImageFilter.GaussianBlur(0.8)).convert("RGB")
    return Image.blend(img, noise, amount)


def sun(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int, color: RGB) -> None:
    for i in range(6, 0, -1):
        glow = lerp(color, (255, 255, 255), 0.1 * (6 - i))
        rr = r + i * r // 6
        draw.ellipse((cx - rr, cy - rr, cx + rr, cy + rr), fill=glow)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 250, 225))


def hills(
    draw: ImageDraw.ImageDraw,
    w: int,
    h: int,
    base: int,
    amp: int,
    color: RGB,
    rng: random.Random,
    waves: int = 3,
) -> None:
    phases = [rng.uniform(0, math.tau) for _ in range(waves)]
    points = [(0, h)]
    for x in range(0, w + 20, 20):
        y = base + sum(
            amp / (k + 1) * math.sin(x / w * math.tau * (k + 1) + phases[k]) for k in range(waves)
        )
        points.append((x, round(y)))
    points.append((w, h))
    draw.polygon(points, fill=color)


def water(
    draw: ImageDraw.ImageDraw, w: int, top: int, h: int, deep: RGB, light: RGB, rng: random.Random
) -> None:
    for y in range(top, h):
        draw.line((0, y, w, y), fill=lerp(light, deep, (y - top) / max(h - top, 1)))
    for _ in range(w // 3):
        y = rng.randint(top + 4, h - 2)
        x = rng.randint(0, w)
        length = rng.randint(10, 60)
        draw.line((x, y, x + length, y), fill=lerp(light, (255, 255, 255), 0.4), width=2)


def skyline(
    draw: ImageDraw.ImageDraw,
    w: int,
    ground: int,
    rng: random.Random,
    color: RGB,
    window: RGB | None = None,
    height: tuple[int, int] = (80, 300),
) -> None:
    x = 0
    while x < w:
        bw = rng.randint(40, 120)
        bh = rng.randint(*height)
        draw.rectangle((x, ground - bh, x + bw, ground), fill=color)
        if rng.random() < 0.25:
            draw.polygon(
                [(x, ground - bh), (x + bw // 2, ground - bh - 30), (x + bw, ground - bh)],
                fill=color,
            )
        if window:
            for wy in range(ground - bh + 12, ground - 10, 18):
                for wx in range(x + 8, x + bw - 10, 16):
                    if rng.random() < 0.45:
                        draw.rectangle((wx, wy, wx + 7, wy + 9), fill=window)
        x += bw + rng.randint(0, 12)


# --- article sidecars ----------------------------------------------------------------------


def bridge(seed: int) -> Image.Image:
    """01: an iron arch footbridge over a river at morning light."""
    w, h = 1600, 900
    rng = random.Random(seed)
    img = vgradient((w, h), [(0, (120, 170, 220)), (0.55, (250, 215, 170)), (1, (250, 215, 170))])
    d = ImageDraw.Draw(img)
    sun(d, 1200, 330, 60, (255, 220, 150))
    skyline(d, w, 520, rng, (95, 105, 130), height=(60, 220))
    water(d, w, 520, h, (40, 70, 100), (120, 150, 175), rng)
    deck = 560
    d.rectangle((0, deck, w, deck + 22), fill=(60, 45, 35))
    for cx in (400, 1200):
        box = (cx - 380, deck - 180, cx + 380, deck + 180)
        d.arc(box, 180, 360, fill=(40, 55, 70), width=18)
        for k in range(-7, 8):
            x = cx + k * 48
            y = deck - round(180 * math.sqrt(max(0.0, 1 - (k * 48 / 380) ** 2)))
            d.line((x, y, x, deck), fill=(40, 55, 70), width=5)
    d.line((0, deck - 30, w, deck - 30), fill=(40, 55, 70), width=4)
    for pier in (0, 800, 1600):
        d.rectangle((pier - 30, deck, pier + 30, h), fill=(120, 105, 90))
    for _ in range(14):  # pedestrians
        x = rng.randint(40, w - 40)
        d.ellipse((x - 6, deck - 44, x + 6, deck - 32), fill=(30, 30, 30))
        d.rectangle(
            (x - 5, deck - 32, x + 5, deck), fill=lerp((30, 30, 30), (180, 60, 50), rng.random())
        )
    return grain(img, seed)


def lakes(seed: int) -> Image.Image:
    """02: a chain of lakes among green hills."""
    w, h = 1200, 800
    rng = random.Random(seed)
    img = vgradient((w, h), [(0, (150, 195, 235)), (0.5, (220, 235, 245)), (1, (220, 235, 245))])
    d = ImageDraw.Draw(img)
    for i, color in enumerate([(140, 160, 180), (95, 140, 110), (70, 120, 80)]):
        hills(d, w, h, 330 + i * 80, 70 - i * 15, color, rng)
    for _ in range(6):
        cx, cy = rng.randint(100, w - 100), rng.randint(560, 740)
        rx, ry = rng.randint(90, 220), rng.randint(25, 55)
        d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=(70, 130, 175))
        d.ellipse((cx - rx + 20, cy - ry + 8, cx + rx - 60, cy - 2), fill=(120, 175, 210))
    for _ in range(60):  # trees
        x, y = rng.randint(0, w), rng.randint(500, h)
        d.polygon([(x, y - 30), (x - 10, y), (x + 10, y)], fill=(35, 80, 45))
    return grain(img, seed)


def observatory(seed: int) -> Image.Image:
    """03 (portrait): an observatory dome under a starry dusk sky."""
    w, h = 900, 1200
    rng = random.Random(seed)
    img = vgradient(
        (w, h),
        [(0, (10, 15, 45)), (0.6, (60, 50, 110)), (0.8, (230, 140, 110)), (1, (230, 140, 110))],
    )
    d = ImageDraw.Draw(img)
    for _ in range(500):
        x, y = rng.randint(0, w), rng.randint(0, 700)
        r = rng.choice((1, 1, 1, 2, 3))
        b = rng.randint(160, 255)
        d.ellipse((x - r, y - r, x + r, y + r), fill=(b, b, min(255, b + 20)))
    d.line((120, 120, 380, 260), fill=(240, 240, 255), width=2)  # a meteor
    hills(d, w, h, 930, 60, (35, 30, 45), rng, waves=2)
    cx, base = 450, 920
    d.rectangle((cx - 170, base - 140, cx + 170, base + 40), fill=(215, 215, 220))
    d.pieslice((cx - 170, base - 310, cx + 170, base + 30), 180, 360, fill=(235, 235, 240))
    d.polygon(
        [
            (cx - 25, base - 310),
            (cx + 25, base - 310),
            (cx + 25, base - 140),
            (cx - 25, base - 140),
        ],
        fill=(30, 30, 50),
    )
    d.line((cx, base - 200, cx + 90, base - 380), fill=(90, 90, 110), width=26)
    d.rectangle((cx - 30, base - 40, cx + 30, base + 40), fill=(80, 70, 60))
    return grain(img, seed)


def regatta(seed: int) -> Image.Image:
    """04: a rowing eight on a river with spectators on the bank."""
    w, h = 1600, 900
    rng = random.Random(seed)
    img = vgradient((w, h), [(0, (170, 200, 230)), (0.35, (225, 235, 240)), (1, (225, 235, 240))])
    d = ImageDraw.Draw(img)
    hills(d, w, h, 300, 30, (110, 150, 100), rng)
    d.rectangle((0, 330, w, 360), fill=(90, 130, 80))
    for _ in range(260):  # spectators on the bank
        x = rng.randint(0, w)
        c = rng.choice(
            [(200, 60, 60), (40, 80, 160), (240, 200, 60), (240, 240, 240), (50, 50, 50)]
        )
        d.rectangle((x, 318, x + 6, 338), fill=c)
    water(d, w, 360, h, (30, 70, 110), (110, 160, 190), rng)
    y = 600
    d.polygon(
        [(250, y), (1350, y - 10), (1420, y + 5), (1350, y + 18), (250, y + 20)],
        fill=(250, 250, 250),
    )
    for k in range(8):
        x = 380 + k * 120
        d.line((x, y + 5, x - 90, y + 120), fill=(120, 80, 40), width=6)
        d.rectangle((x - 110, y + 112, x - 80, y + 128), fill=(180, 30, 40))
        d.line((x - 30, y + 5, x + 60, y - 120), fill=(120, 80, 40), width=6)
        d.rectangle((x + 50, y - 128, x + 80, y - 112), fill=(180, 30, 40))
        d.ellipse((x - 10, y - 60, x + 10, y - 40), fill=(220, 170, 140))
        d.rectangle((x - 12, y - 40, x + 12, y), fill=(180, 30, 40))
    d.ellipse((1290, y - 40, 1306, y - 24), fill=(220, 170, 140))  # cox
    return grain(img, seed)


def tidal(seed: int) -> Image.Image:
    """06: an underwater tidal turbine on the seabed."""
    w, h = 1600, 900
    rng = random.Random(seed)
    img = vgradient((w, h), [(0, (60, 150, 180)), (0.5, (20, 80, 120)), (1, (5, 30, 55))])
    d = ImageDraw.Draw(img)
    for _ in range(8):  # light shafts
        x = rng.randint(0, w)
        d.polygon([(x, 0), (x + 60, 0), (x + 260, h), (x + 160, h)], fill=(50, 130, 165))
    img = img.filter(ImageFilter.GaussianBlur(12))
    d = ImageDraw.Draw(img)
    hills(d, w, h, 800, 25, (70, 65, 50), rng)
    for cx in (520, 1180):
        d.rectangle((cx - 20, 420, cx + 20, 810), fill=(200, 170, 40))
        d.ellipse((cx - 45, 380, cx + 45, 470), fill=(220, 220, 215))
        for k in range(3):
            a = math.radians(90 + k * 120 + cx / 10)
            d.line(
                (cx, 425, cx + 260 * math.cos(a), 425 - 260 * math.sin(a)),
                fill=(235, 235, 230),
                width=22,
            )
    for _ in range(120):  # bubbles and plankton
        x, y, r = rng.randint(0, w), rng.randint(0, h), rng.randint(2, 6)
        d.ellipse((x - r, y - r, x + r, y + r), outline=(170, 220, 235))
    return grain(img, seed)


def archive_maps(seed: int) -> Image.Image:
    """07 (PNG with alpha): an old street map sheet with torn, transparent edges."""
    w, h = 1200, 800
    rng = random.Random(seed)
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    sheet = vgradient((w, h), [(0, (236, 222, 188)), (1, (214, 193, 150))]).convert("RGBA")
    d = ImageDraw.Draw(sheet)
    d.polygon([(0, 520), (w, 380), (w, 470), (0, 620)], fill=(150, 190, 205))  # the river
    for _ in range(40):  # streets
        if rng.random() < 0.5:
            x = rng.randint(0, w)
            d.line(
                (x, 0, x + rng.randint(-120, 120), h),
                fill=(120, 95, 70),
                width=rng.choice((2, 3, 5)),
            )
        else:
            y = rng.randint(0, h)
            d.line(
                (0, y, w, y + rng.randint(-80, 80)), fill=(120, 95, 70), width=rng.choice((2, 3, 5))
            )
    for _ in range(90):  # blocks
        x, y = rng.randint(0, w), rng.randint(0, h)
        d.rectangle((x, y, x + rng.randint(15, 50), y + rng.randint(15, 40)), fill=(190, 150, 120))
    d.ellipse((1000, 60, 1120, 180), outline=(90, 70, 50), width=4)  # compass rose
    d.polygon([(1060, 50), (1070, 120), (1060, 190), (1050, 120)], fill=(90, 70, 50))
    mask = Image.new("L", (w, h), 0)
    md = ImageDraw.Draw(mask)
    edge = []
    for x in range(40, w - 40, 15):
        edge.append((x, 40 + rng.randint(-12, 12)))
    for y in range(40, h - 40, 15):
        edge.append((w - 40 + rng.randint(-12, 12), y))
    for x in range(w - 40, 40, -15):
        edge.append((x, h - 40 + rng.randint(-12, 12)))
    for y in range(h - 40, 40, -15):
        edge.append((40 + rng.randint(-12, 12), y))
    md.polygon(edge, fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(2))
    shadow = Image.new("RGBA", (w, h), (40, 30, 20, 0))
    shadow.putalpha(mask.point(lambda v: v // 3).filter(ImageFilter.GaussianBlur(10)))
    img.alpha_composite(shadow, (8, 10))
    sheet.putalpha(mask)
    img.alpha_composite(sheet)
    return img


def harvest(seed: int) -> Image.Image:
    """08: golden wheat fields with a combine harvester and a silo."""
    w, h = 1600, 900
    rng = random.Random(seed)
    img = vgradient((w, h), [(0, (110, 165, 225)), (0.45, (230, 230, 215)), (1, (230, 230, 215))])
    d = ImageDraw.Draw(img)
    sun(d, 300, 180, 55, (255, 230, 160))
    hills(d, w, h, 400, 30, (150, 160, 110), rng)
    for i in range(10):  # field stripes
        top = 430 + i * 50
        c = (225, 185, 80) if i % 2 else (205, 160, 60)
        d.polygon([(0, top), (w, top - 30), (w, top + 20), (0, top + 50)], fill=c)
    for _ in range(1500):  # wheat stalks
        x, y = rng.randint(0, w), rng.randint(450, h)
        d.line((x, y, x + rng.randint(-3, 3), y - 14), fill=(170, 125, 40), width=2)
    d.rectangle((1200, 230, 1290, 470), fill=(180, 180, 185))
    d.pieslice((1200, 190, 1290, 270), 180, 360, fill=(150, 150, 160))
    d.rectangle((600, 470, 820, 560), fill=(60, 140, 60))  # combine
    d.rectangle((780, 420, 860, 500), fill=(50, 120, 50))
    d.rectangle((500, 520, 620, 555), fill=(90, 90, 90))
    for cx, r in ((660, 45), (800, 32)):
        d.ellipse((cx - r, 560 - r, cx + r, 560 + r), fill=(30, 30, 30))
    return grain(img, seed)


def high_street(seed: int) -> Image.Image:
    """09: a row of small shopfronts with awnings."""
    w, h = 1200, 800
    rng = random.Random(seed)
    img = vgradient((w, h), [(0, (150, 185, 220)), (0.4, (200, 215, 230)), (1, (200, 215, 230))])
    d = ImageDraw.Draw(img)
    x = 0
    while x < w:
        bw = rng.randint(150, 230)
        top = rng.randint(120, 240)
        wall = rng.choice(
            [(200, 120, 90), (230, 210, 170), (150, 160, 170), (190, 80, 70), (120, 150, 130)]
        )
        d.rectangle((x, top, x + bw, 640), fill=wall)
        for wx in range(x + 20, x + bw - 40, 55):
            for wy in range(top + 25, 420, 70):
                d.rectangle((wx, wy, wx + 32, wy + 44), fill=(70, 90, 120))
        d.rectangle((x + 15, 470, x + bw - 15, 640), fill=(60, 80, 100))
        d.rectangle((x + bw // 2 - 20, 520, x + bw // 2 + 20, 640), fill=(90, 55, 35))
        awning = rng.choice([(200, 40, 40), (40, 110, 70), (30, 60, 140), (230, 160, 40)])
        for k in range(0, bw - 20, 24):
            c = awning if (k // 24) % 2 == 0 else (245, 245, 240)
            d.polygon(
                [(x + 10 + k, 440), (x + 34 + k, 440), (x + 40 + k, 480), (x + 16 + k, 480)], fill=c
            )
        x += bw
    d.rectangle((0, 640, w, h), fill=(150, 150, 150))
    for k in range(0, w, 60):
        d.line((k, 640, k - 80, h), fill=(130, 130, 130), width=2)
    return grain(img, seed)


# --- wire feed images ----------------------------------------------------------------------


def seabird_islands(seed: int) -> Image.Image:
    w, h = 1600, 900
    rng = random.Random(seed)
    img = vgradient((w, h), [(0, (180, 205, 230)), (0.5, (240, 235, 225)), (1, (240, 235, 225))])
    d = ImageDraw.Draw(img)
    water(d, w, 480, h, (30, 60, 95), (130, 160, 185), rng)
    for cx in (250, 700, 1150, 1450):
        rx = rng.randint(90, 200)
        d.pieslice((cx - rx, 400, cx + rx, 560), 180, 360, fill=(100, 95, 80))
        d.pieslice((cx - rx + 20, 420, cx + rx - 40, 540), 180, 360, fill=(120, 140, 90))
    for _ in range(70):  # birds
        x, y, s = rng.randint(0, w), rng.randint(60, 420), rng.randint(6, 16)
        d.line((x - s, y - s // 2, x, y), fill=(40, 40, 50), width=3)
        d.line((x, y, x + s, y - s // 2), fill=(40, 40, 50), width=3)
    return grain(img, seed)


def rates_chart(seed: int) -> Image.Image:
    w, h = 1200, 800
    rng = random.Random(seed)
    img = vgradient((w, h), [(0, (20, 35, 60)), (1, (10, 15, 30))])
    d = ImageDraw.Draw(img)
    for y in range(120, 700, 58):
        d.line((100, y, 1120, y), fill=(50, 65, 95), width=1)
    for x in range(100, 1121, 85):
        d.line((x, 120, x, 696), fill=(40, 55, 85), width=1)
    value, points = 520.0, []
    for i in range(13):
        value += rng.uniform(-40, 25) if i < 8 else rng.uniform(-8, 8)
        points.append((100 + i * 85, round(value)))
    for x, y in points[:-1]:
        d.rectangle((x + 20, y + 40, x + 65, 696), fill=(40, 90, 140))
    d.line(points, fill=(250, 190, 60), width=7, joint="curve")
    for x, y in points:
        d.ellipse((x - 9, y - 9, x + 9, y + 9), fill=(255, 230, 160))
    d.line((100, 696, 1120, 696), fill=(200, 200, 210), width=3)
    d.line((100, 120, 100, 696), fill=(200, 200, 210), width=3)
    return grain(img, seed, 0.03)


def probe_moon(seed: int) -> Image.Image:
    w, h = 1600, 900
    rng = random.Random(seed)
    img = Image.new("RGB", (w, h), (4, 6, 14))
    d = ImageDraw.Draw(img)
    for _ in range(700):
        x, y = rng.randint(0, w), rng.randint(0, h)
        b = rng.randint(90, 255)
        d.point((x, y), fill=(b, b, b))
    d.ellipse((-500, 520, 700, 1720), fill=(200, 150, 100))  # the gas giant
    for k in range(8):
        y = 560 + k * 55
        d.arc(
            (-500, 520 + k * 8, 700, 1720 - k * 8), 250, 360, fill=(170 - k * 5, 120, 80), width=14
        )
    cx, cy, r = 1050, 380, 230
    for i in range(r, 0, -2):  # shaded icy sphere
        t = 1 - i / r
        d.ellipse(
            (cx - i - t * 40, cy - i - t * 40, cx + i - t * 40, cy + i - t * 40),
            fill=lerp((90, 110, 130), (235, 240, 245), t),
        )
    for _ in range(22):  # ridges
        a = rng.uniform(0, math.tau)
        x0, y0 = (
            cx + math.cos(a) * rng.uniform(0, r * 0.7),
            cy + math.sin(a) * rng.uniform(0, r * 0.7),
        )
        d.line((x0 - 90, y0 - 30, x0 + 90, y0 + 30), fill=(150, 120, 110), width=3)
    d.rectangle((280, 150, 340, 200), fill=(200, 170, 60))  # the probe
    d.rectangle((180, 165, 280, 185), fill=(60, 80, 150))
    d.rectangle((340, 165, 440, 185), fill=(60, 80, 150))
    d.ellipse((290, 110, 330, 150), outline=(220, 220, 220), width=4)
    return grain(img, seed, 0.03)


def stadium_night(seed: int) -> Image.Image:
    w, h = 1600, 900
    rng = random.Random(seed)
    img = vgradient((w, h), [(0, (8, 12, 30)), (0.45, (25, 35, 70)), (1, (25, 35, 70))])
    d = ImageDraw.Draw(img)
    for x in (150, 1450):  # floodlights
        d.line((x, 120, x, 480), fill=(90, 90, 100), width=14)
        d.rectangle((x - 70, 80, x + 70, 130), fill=(255, 250, 220))
        d.polygon([(x - 70, 130), (x + 70, 130), (800, 700), (700, 700)], fill=(45, 55, 85))
    d.polygon([(0, 480), (w, 480), (w, 560), (0, 560)], fill=(60, 60, 70))  # stands
    for _ in range(3000):
        x, y = rng.randint(0, w), rng.randint(482, 558)
        c = rng.choice([(200, 40, 40), (240, 240, 240), (60, 60, 90), (230, 190, 50)])
        d.point((x, y), fill=c)
    d.polygon([(0, 560), (w, 560), (w, h), (0, h)], fill=(40, 130, 60))
    for k in range(8):  # mowing stripes
        d.polygon(
            [(k * 200, 560), (k * 200 + 100, 560), (k * 230 + 130, h), (k * 230, h)],
            fill=(50, 145, 70),
        )
    d.line((0, 720, w, 720), fill=(235, 235, 235), width=5)
    d.ellipse((650, 660, 950, 780), outline=(235, 235, 235), width=5)
    for _ in range(12):
        x, y = rng.randint(100, 1500), rng.randint(600, 860)
        c = (200, 40, 40) if rng.random() < 0.5 else (240, 240, 240)
        d.ellipse((x - 7, y - 44, x + 7, y - 30), fill=(210, 170, 140))
        d.rectangle((x - 9, y - 30, x + 9, y), fill=c)
    return grain(img, seed)


def mountain_rail(seed: int) -> Image.Image:
    w, h = 1200, 800
    rng = random.Random(seed)
    img = vgradient((w, h), [(0, (100, 150, 210)), (0.5, (215, 225, 235)), (1, (215, 225, 235))])
    d = ImageDraw.Draw(img)
    for peak_x, peak_y, half in ((250, 120, 330), (650, 80, 380), (1050, 150, 300)):
        d.polygon(
            [(peak_x - half, 560), (peak_x, peak_y), (peak_x + half, 560)], fill=(110, 115, 130)
        )
        d.polygon(
            [
                (peak_x - 70, peak_y + 70),
                (peak_x, peak_y),
                (peak_x + 70, peak_y + 70),
                (peak_x + 20, peak_y + 55),
                (peak_x - 25, peak_y + 80),
            ],
            fill=(245, 245, 250),
        )
    hills(d, w, h, 540, 40, (70, 110, 70), rng)
    for _ in range(90):
        x, y = rng.randint(0, w), rng.randint(520, h)
        d.polygon([(x, y - 40), (x - 13, y), (x + 13, y)], fill=(30, 70, 40))
    d.line((0, 690, w, 600), fill=(90, 70, 50), width=14)
    d.line((0, 700, w, 610), fill=(60, 60, 60), width=4)
    for k in range(5):  # a red train
        x0 = 300 + k * 120
        y0 = 690 - (x0 / w) * 90
        d.polygon(
            [(x0, y0 - 55), (x0 + 112, y0 - 63), (x0 + 112, y0 - 9), (x0, y0)], fill=(190, 30, 40)
        )
        for wx in range(x0 + 12, x0 + 100, 28):
            wy = y0 - 45 - (wx - x0) * 0.075
            d.rectangle((wx, wy, wx + 18, wy + 16), fill=(220, 235, 245))
    return grain(img, seed)


# --- the list ------------------------------------------------------------------------------

IMAGES: list[tuple[Path, Callable[[int], Image.Image]]] = [
    (ARTICLES / "01-aldwater-bridge-reopens.jpg", bridge),
    (ARTICLES / "02-lakeland-water-accord.jpg", lakes),
    (ARTICLES / "03-observatory-new-telescope.jpg", observatory),
    (ARTICLES / "04-river-regatta-result.jpg", regatta),
    # 05-port-container-volumes.txt has no image on purpose: it gets a title card.
    (ARTICLES / "06-tidal-energy-trial.jpg", tidal),
    (ARTICLES / "07-archive-digitised.png", archive_maps),
    (ARTICLES / "08-grain-harvest-prices.jpg", harvest),
    (ARTICLES / "09-small-business-survey.jpg", high_street),
    (RSS_IMAGES / "seabird-islands.jpg", seabird_islands),
    (RSS_IMAGES / "rates-chart.jpg", rates_chart),
    (RSS_IMAGES / "probe-moon.jpg", probe_moon),
    (RSS_IMAGES / "stadium-night.jpg", stadium_night),
    (RSS_IMAGES / "mountain-rail.jpg", mountain_rail),
]


def main() -> None:
    for seed, (path, draw) in enumerate(IMAGES, start=1):
        path.parent.mkdir(parents=True, exist_ok=True)
        img = draw(seed * 7919)
        if path.suffix == ".png":
            img.save(path, "PNG", optimize=True)
        else:
            img.convert("RGB").save(path, "JPEG", quality=80, optimize=True, progressive=False)
        print(
            f"{path.relative_to(DEMO.parent.parent)}  {img.size[0]}x{img.size[1]}  "
            f"{path.stat().st_size // 1024} KB"
        )


if __name__ == "__main__":
    main()
