"""Thumbnails: every safety rule, orientation, colour, alpha, animation, padding and cropping."""

from __future__ import annotations

import io
import struct
import time
import warnings
import zlib
from functools import lru_cache

import numpy as np
import pytest
import simplejpeg
from PIL import Image, ImageCms, ImageDraw, ImageOps

from channel.images import thumbnails
from channel.images.thumbnails import (
    DEFAULT_SIZES,
    JPEG_QUALITY,
    MAX_PIXELS,
    ImageRefused,
    ThumbnailSet,
    check_sizes,
    encode_jpeg,
    image_size,
    make_thumbnails,
    sniff_format,
    write_thumbnails,
)

SMALL = {"a": (320, 180)}


def encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def decode(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def quadrants(size: tuple[int, int]) -> Image.Image:
    """Four flat colours plus a diagonal bar: any wrong flip or rotation shows."""
    w, h = size
    img = Image.new("RGB", size, (220, 30, 30))
    draw = ImageDraw.Draw(img)
    draw.rectangle((w // 2, 0, w, h // 2), fill=(30, 200, 40))
    draw.rectangle((0, h // 2, w // 2, h), fill=(30, 40, 210))
    draw.rectangle((w // 2, h // 2, w, h), fill=(240, 230, 40))
    draw.line((0, 0, w // 3, h // 3), fill=(0, 0, 0), width=max(4, w // 40))
    return img


def textured(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """A photo-like background: smooth greens with fine noise everywhere."""
    w, h = size
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([60 + 30 * x / w, 110 + 40 * y / h, 70 + 0 * x], axis=-1)
    base = base + rng.normal(0, 14, (h, w, 3))
    return Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))


@lru_cache(maxsize=4)
def png_bomb(width: int, height: int) -> bytes:
    """A real decompression bomb: a 1-bit PNG of width x height zeros, a few hundred KB."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    row = b"\x00" * (1 + (width + 7) // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def pixel(tset: ThumbnailSet, name: str, xy: tuple[float, float]) -> tuple[int, int, int]:
    thumb = next(t for t in tset.thumbnails if t.name == name)
    img = decode(thumb.data)
    return img.getpixel((int(xy[0] * (img.width - 1)), int(xy[1] * (img.height - 1))))


def close(a: tuple[int, ...], b: tuple[int, ...], tol: int = 30) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


# -- sniffing and refusals ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "pil"), [("jpeg", "JPEG"), ("png", "PNG"), ("webp", "WEBP"), ("gif", "GIF")]
)
def test_sniff_and_header_size_match_pillow(fmt: str, pil: str) -> None:
    for size in [(641, 359), (64, 4000)]:
        data = encode(quadrants(size), pil)
        assert sniff_format(data) == fmt
        assert image_size(data) == size
    if fmt == "webp":  # lossless (VP8L) and extended (VP8X, with alpha) headers too
        assert image_size(encode(quadrants((300, 200)), "WEBP", lossless=True)) == (300, 200)
        rgba = Image.new("RGBA", (300, 200), (1, 2, 3, 100))
        assert image_size(encode(rgba, "WEBP")) == (300, 200)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "looks like HTML"),
        (b"\n  <html><head>", "looks like HTML"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG"),
        (b"", "empty"),
        (b"%PDF-1.7 ...", "PDF"),
        (b"BM\x00\x00\x00\x00", "BMP"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "HEIC"),
        (b"\x00\x01\x02\x03garbage", "unknown format"),
    ],
)
def test_not_an_image_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ImageRefused, match="not an image") as err:
        make_thumbnails(data)
    assert reason in str(err.value)


def test_fake_images_with_real_magic_are_refused() -> None:
    for data in [
        b"\xff\xd8\xff\xe0" + b"\x00" * 20 + b"this is not a jpeg" * 10,
        b"\x89PNG\r\n\x1a\n" + b"garbage" * 20,
        b"GIF89a" + b"\xff" * 4,
        b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 30,
    ]:
        with pytest.raises(ImageRefused) as refused:
            make_thumbnails(data)
        assert "object at 0x" not in str(refused.value)  # a reason for people, not a repr


def test_truncated_jpeg_is_refused_not_half_decoded() -> None:
    data = encode(textured((1600, 900)), "JPEG", quality=90)
    with pytest.raises(ImageRefused, match="cannot decode jpeg"):
        make_thumbnails(data[: len(data) // 2])


def test_decompression_bomb_is_refused_from_the_header_fast() -> None:
    bomb = png_bomb(20_000, 20_000)  # 400 MP of zeros
    assert len(bomb) < 200_000
    start = time.perf_counter()
    with pytest.raises(ImageRefused, match=r"too large: 20000x20000 px"):
        make_thumbnails(bomb)
    assert time.perf_counter() - start < 0.5


def test_jpeg_claiming_a_huge_frame_is_refused_before_decoding() -> None:
    data = bytearray(encode(Image.new("RGB", (64, 64)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 30_000, 30_000)  # height, width
    assert image_size(bytes(data)) == (30_000, 30_000)
    with pytest.raises(ImageRefused, match=r"too large: 30000x30000 px"):
        make_thumbnails(bytes(data))


def test_pillow_bomb_checks_are_errors_even_when_our_limit_is_raised() -> None:
    filters = list(warnings.filters)
    limit = Image.MAX_IMAGE_PIXELS
    # Over Pillow's hard limit: DecompressionBombError, reported as a refusal.
    with pytest.raises(ImageRefused, match="too large"):
        make_thumbnails(png_bomb(20_000, 20_000), max_pixels=10**12)
    # Between Pillow's warning and error limits: its warning is turned into a refusal.
    with pytest.raises(ImageRefused, match="too large"):
        make_thumbnails(png_bomb(10_000, 10_000), max_pixels=10**12)
    assert warnings.filters == filters  # nothing leaks into the worker process
    assert Image.MAX_IMAGE_PIXELS == limit


def test_over_50_megapixels_is_refused_but_the_limit_is_configurable() -> None:
    assert MAX_PIXELS == 50_000_000
    data = encode(Image.new("L", (400, 300)), "PNG")
    with pytest.raises(ImageRefused, match=r"too large: 400x300 px"):
        make_thumbnails(data, max_pixels=100_000)
    assert make_thumbnails(data, SMALL, max_pixels=120_000).kind == "image"


def test_tracking_pixels_are_refused() -> None:
    with pytest.raises(ImageRefused, match="too small: 1x1 px"):
        make_thumbnails(encode(Image.new("P", (1, 1)), "GIF"))


def test_banners_and_strips_are_refused() -> None:
    with pytest.raises(ImageRefused, match="banner or a strip"):
        make_thumbnails(encode(Image.new("RGB", (3000, 100)), "PNG"))
    with pytest.raises(ImageRefused, match="banner or a strip"):
        make_thumbnails(encode(Image.new("RGB", (400, 6000)), "PNG"))
    assert make_thumbnails(encode(Image.new("RGB", (2000, 400)), "PNG")).kind == "image"


def test_bad_size_configuration_is_an_error() -> None:
    with pytest.raises(ValueError, match="not 1280:720"):
        check_sizes({"hero": (1280, 720), "square": (300, 300)})
    with pytest.raises(ValueError, match="out of range"):
        check_sizes({"hero": (0, 720)})
    assert check_sizes({"x": (426, 240), "y": (1280, 720)}) == {"x": (426, 240), "y": (1280, 720)}


# -- output -------------------------------------------------------------------------------


def test_default_sizes_baseline_jpeg_without_metadata() -> None:
    src = textured((2400, 1600))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(src, "JPEG", quality=90, exif=exif.tobytes(), icc_profile=icc, comment=b"hi")
    assert image_size(data) == (2400, 1600)  # found past the EXIF, ICC and comment segments
    tset = make_thumbnails(data)
    assert tset.kind == "image"
    assert [(t.name, t.width, t.height) for t in tset.thumbnails] == [
        (name, w, h) for name, (w, h) in DEFAULT_SIZES.items()
    ]
    for thumb in tset.thumbnails:
        img = decode(thumb.data)
        assert img.format == "JPEG" and img.mode == "RGB"
        assert img.size == (thumb.width, thumb.height)
        assert not (img.info.get("progressive") or img.info.get("progression"))
        assert b"\xff\xc0" in thumb.data and b"\xff\xc2" not in thumb.data  # SOF0: baseline
        for key in ("exif", "icc_profile", "comment", "xmp"):
            assert key not in img.info
    assert tset.crop_box is not None
    x0, y0, x1, y1 = tset.crop_box
    assert (x1 - x0, y1 - y0) == (2400, 1350)
    assert tset.placeholder.startswith("#") and len(tset.placeholder) == 7
    assert make_thumbnails(data).thumbnails == tset.thumbnails  # deterministic


def test_placeholder_is_the_mean_colour() -> None:
    data = encode(Image.new("RGB", (1600, 900), (10, 120, 200)), "PNG")
    assert make_thumbnails(data).placeholder == "#0a78c8"


def test_thumbnails_match_a_full_decode_reference() -> None:
    """The draft decode and derived sizes stay close to resizing the full image."""
    src = quadrants((4000, 2250))
    data = encode(src, "JPEG", quality=92)
    tset = make_thumbnails(data)
    for thumb in tset.thumbnails:
        ours = np.asarray(decode(thumb.data), dtype=np.float32)
        ref = np.asarray(src.resize((thumb.width, thumb.height), Image.Resampling.LANCZOS))
        assert np.abs(ours - ref).mean() < 6, thumb.name


@pytest.mark.parametrize(
    ("sizes", "decoded"),
    [
        (DEFAULT_SIZES, (1500, 1125)),  # 1280 px from a 4000 px crop: 3/8, not Pillow's 1/2
        ({"dp": (800, 450)}, (1000, 750)),  # 2/8
        (SMALL, (500, 375)),  # 1/8
    ],
)
def test_big_jpegs_decode_at_the_smallest_dct_scale_that_covers_the_output(
    sizes: dict[str, tuple[int, int]], decoded: tuple[int, int]
) -> None:
    data = encode(quadrants((4000, 3000)), "JPEG", quality=90)
    img = Image.open(io.BytesIO(data))
    largest = max(sizes.values())
    assert thumbnails._decode_jpeg_scaled(img, data, largest[0] / 4000).size == decoded
    tset = make_thumbnails(data, sizes)
    assert [(t.width, t.height) for t in tset.thumbnails] == list(sizes.values())


def test_greyscale_jpeg_takes_the_scaled_decode_too() -> None:
    grey = Image.linear_gradient("L").resize((3200, 1800))
    data = encode(grey, "JPEG", quality=92)
    assert thumbnails._decode_jpeg_scaled(Image.open(io.BytesIO(data)), data, 0.4).mode == "L"
    tset = make_thumbnails(data)
    assert close(pixel(tset, "hero", (0.5, 0.1)), (25, 25, 25), tol=8)
    assert close(pixel(tset, "hero", (0.5, 0.9)), (230, 230, 230), tol=8)


def test_a_glitch_simplejpeg_refuses_still_decodes_through_pillow() -> None:
    """A stray restart marker mid-stream: simplejpeg is strict about it, Pillow (and every
    browser) shows the picture, so Newsdesk does too rather than fall back to a title card."""
    data = bytearray(encode(textured((1600, 900)), "JPEG", quality=90))
    data[len(data) // 2 : len(data) // 2 + 2] = b"\xff\xd3"
    with pytest.raises(ValueError):
        simplejpeg.decode_jpeg(bytes(data))
    tset = make_thumbnails(bytes(data))
    assert tset.kind == "image"
    assert close(pixel(tset, "hd", (0.1, 0.1)), (63, 112, 70), tol=30)


# -- orientation, colour, alpha, animation ------------------------------------------------


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("focal", [(0.5, 0.0), (0.5, 1.0)])
def test_exif_orientation_is_applied(orientation: int, focal: tuple[float, float]) -> None:
    raw = quadrants((1200, 900))  # draft-decoded at 1/2 for a 320 px output
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(raw, "JPEG", quality=92, exif=exif.tobytes())
    tset = make_thumbnails(data, SMALL, focal=focal)
    shown = ImageOps.exif_transpose(decode(data))
    assert tset.crop_box is not None
    ref = shown.crop(tset.crop_box).resize((320, 180), Image.Resampling.BICUBIC)
    ours = decode(tset.thumbnails[0].data)
    diff = np.abs(np.asarray(ours, dtype=np.float32) - np.asarray(ref, dtype=np.float32))
    assert diff.mean() < 6
    w, h = shown.size
    x0, y0, x1, y1 = tset.crop_box
    assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h


def test_exif_rotated_photo_comes_out_upright() -> None:
    # Stored sideways (portrait pixels), tagged "rotate 90 CW": displayed landscape.
    raw = Image.new("RGB", (900, 1600), (30, 40, 210))
    ImageDraw.Draw(raw).rectangle((0, 0, 900, 800), fill=(220, 30, 30))  # stored top = red
    exif = Image.Exif()
    exif[0x0112] = 6
    tset = make_thumbnails(encode(raw, "JPEG", exif=exif.tobytes()))
    assert tset.crop_box == (0, 0, 1600, 900)
    assert close(pixel(tset, "hero", (0.9, 0.5)), (220, 30, 30))  # top went right
    assert close(pixel(tset, "hero", (0.1, 0.5)), (30, 40, 210))


def test_cmyk_jpeg_keeps_its_colours() -> None:
    cmyk = Image.new("CMYK", (1600, 900), (0, 255, 255, 0))  # pure red ink
    ImageDraw.Draw(cmyk).rectangle((800, 0, 1600, 900), fill=(255, 0, 0, 0))  # cyan
    tset = make_thumbnails(encode(cmyk, "JPEG", quality=95))
    assert close(pixel(tset, "dp", (0.25, 0.5)), (255, 0, 0), tol=40)
    assert close(pixel(tset, "dp", (0.75, 0.5)), (0, 255, 255), tol=40)


def test_embedded_icc_profile_is_converted_not_dropped() -> None:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(Image.new("RGB", (1600, 900), (200, 100, 50)), "PNG", icc_profile=icc)
    tset = make_thumbnails(data)
    assert close(pixel(tset, "hd", (0.5, 0.5)), (200, 100, 50), tol=6)


def test_alpha_is_flattened_on_white() -> None:
    logo = Image.new("RGBA", (1600, 900), (0, 0, 0, 0))
    ImageDraw.Draw(logo).rectangle((600, 300, 1000, 600), fill=(10, 10, 10, 255))
    for fmt in ("PNG", "WEBP"):
        tset = make_thumbnails(
            encode(logo, fmt, lossless=True) if fmt == "WEBP" else encode(logo, fmt)
        )
        assert close(pixel(tset, "fhd", (0.05, 0.05)), (255, 255, 255), tol=8)
        assert close(pixel(tset, "fhd", (0.5, 0.5)), (10, 10, 10), tol=12)


def test_palette_with_transparency_and_sixteen_bit_grey() -> None:
    pal = Image.new("P", (640, 360), 0)
    pal.putpalette([0, 0, 0, 200, 30, 30] + [0] * 762)
    ImageDraw.Draw(pal).rectangle((200, 100, 440, 260), fill=1)
    tset = make_thumbnails(encode(pal, "PNG", transparency=0), SMALL)
    assert close(pixel(tset, "a", (0.05, 0.05)), (255, 255, 255), tol=8)
    assert close(pixel(tset, "a", (0.5, 0.5)), (200, 30, 30))
    grey16 = Image.new("I;16", (640, 360), 30000)  # ~117 in 8 bits, not clipped to white
    tset = make_thumbnails(encode(grey16, "PNG"), SMALL)
    assert close(pixel(tset, "a", (0.5, 0.5)), (117, 117, 117), tol=4)


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_animation_uses_the_first_frame(fmt: str) -> None:
    frames = [
        Image.new("RGB", (640, 360), c) for c in [(220, 20, 20), (20, 20, 220), (20, 220, 20)]
    ]
    data = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(io.BytesIO(data)).n_frames == 3
    tset = make_thumbnails(data, SMALL)
    assert close(pixel(tset, "a", (0.5, 0.5)), (220, 20, 20))


# -- small images are padded, never blown up ----------------------------------------------


def test_small_image_is_padded_not_upscaled() -> None:
    small = Image.new("RGB", (200, 150), (230, 20, 20))
    tset = make_thumbnails(encode(small, "PNG"))
    for thumb in tset.thumbnails:
        img = decode(thumb.data)
        assert img.size == (thumb.width, thumb.height)
        row = np.asarray(img)[img.height // 2]
        bright = int((row[:, 0] > 200).sum())  # the image itself; the backdrop is dimmed
        assert 0 < bright <= 200 * 1.25 + 2
        assert close(tuple(row[img.width // 2]), (230, 20, 20))
        assert row[2, 0] < 170  # padded edge: dimmed blur of the image
    assert tset.placeholder == "#e61414"
    assert tset.crop_box == (0, 0, 200, 150)  # shown whole


def test_medium_image_pads_the_big_size_and_crops_the_small_ones() -> None:
    tset = make_thumbnails(encode(quadrants((700, 525)), "JPEG"))
    hero = np.asarray(decode(tset.thumbnails[0].data))
    assert hero[360, 5].max() < 170  # hero (1280 px) would need 1.8x: padded
    assert close(pixel(tset, "fhd", (0.02, 0.5)), (220, 30, 30), tol=60)  # cropped edge-to-edge


# -- cropping -----------------------------------------------------------------------------


def face_photo(size: tuple[int, int], face: tuple[int, int, int, int]) -> Image.Image:
    img = textured(size, seed=3)
    draw = ImageDraw.Draw(img)
    x0, y0, x1, y1 = face
    draw.ellipse((x0, y0 - (y1 - y0) // 4, x1, y0 + (y1 - y0) // 3), fill=(40, 28, 20))  # hair
    draw.ellipse(face, fill=(224, 172, 140))
    fw = x1 - x0
    eye_y = y0 + (y1 - y0) * 2 // 5
    for ex in (x0 + fw // 3, x0 + 2 * fw // 3):
        draw.ellipse((ex - 12, eye_y - 8, ex + 12, eye_y + 8), fill=(30, 30, 30))
    return img


def contains(box: tuple[int, int, int, int], inner: tuple[int, int, int, int]) -> bool:
    return box[0] <= inner[0] and box[1] <= inner[1] and box[2] >= inner[2] and box[3] >= inner[3]


def test_crop_keeps_a_face_near_the_top() -> None:
    face = (620, 120, 900, 480)
    data = encode(face_photo((1600, 1600), face), "JPEG", quality=90)
    tset = make_thumbnails(data)
    assert tset.crop_box is not None and contains(tset.crop_box, face), tset.crop_box
    assert not contains((0, 350, 1600, 1250), face)  # the centre crop would cut it off


def test_face_is_not_outvoted_by_a_busy_background_or_a_skin_coloured_wall() -> None:
    face = (620, 120, 900, 480)
    busy = face_photo((1600, 1600), face)
    draw = ImageDraw.Draw(busy)
    for v in range(0, 1600, 24):  # a dense high-contrast grid over the bottom 40%
        draw.line((v, 960, v, 1600), fill=(250, 250, 250), width=6)
        draw.line((0, 960 + v, 1600, 960 + v), fill=(10, 10, 10), width=6)
    wall = face_photo((1600, 1600), face)
    ImageDraw.Draw(wall).rectangle((0, 1000, 1600, 1600), fill=(200, 160, 120))
    for img in (busy, wall):
        tset = make_thumbnails(encode(img, "JPEG", quality=90))
        assert tset.crop_box is not None and contains(tset.crop_box, face), tset.crop_box


def test_without_skin_the_crop_follows_detail_and_colour() -> None:
    ball = Image.new("RGB", (1600, 1600), (150, 180, 220))
    ImageDraw.Draw(ball).ellipse((1100, 1250, 1400, 1550), fill=(220, 20, 20))
    tset = make_thumbnails(encode(ball, "PNG"))
    assert tset.crop_box is not None and contains(tset.crop_box, (1100, 1250, 1400, 1550))
    text = Image.new("RGB", (3200, 900), (200, 200, 200))
    for y in range(100, 800, 30):
        ImageDraw.Draw(text).line((100, y, 700, y), fill=(20, 20, 20), width=8)
    tset = make_thumbnails(encode(text, "PNG"))
    assert tset.crop_box is not None and contains(tset.crop_box, (100, 100, 700, 800))


def test_crop_finds_a_face_at_the_side_of_a_panorama() -> None:
    face = (150, 250, 450, 650)
    tset = make_thumbnails(encode(face_photo((3200, 900), face), "JPEG", quality=90))
    assert tset.crop_box is not None and contains(tset.crop_box, face), tset.crop_box


def test_crop_on_a_portrait_keeps_a_face_near_the_bottom_too() -> None:
    face = (300, 1500, 600, 1850)
    tset = make_thumbnails(encode(face_photo((900, 2000), face), "JPEG", quality=90))
    assert tset.crop_box is not None and contains(tset.crop_box, face), tset.crop_box


def test_focal_point_wins_and_is_clamped() -> None:
    data = encode(face_photo((1600, 1600), (620, 120, 900, 480)), "JPEG")
    assert make_thumbnails(data, focal=(1.0, 1.0)).crop_box == (0, 700, 1600, 1600)
    assert make_thumbnails(data, focal=(0.5, 0.5)).crop_box == (0, 350, 1600, 1250)
    assert make_thumbnails(data, focal=(float("nan"), 7.0)).crop_box == (0, 700, 1600, 1600)


def test_flat_image_gets_the_centre() -> None:
    data = encode(Image.new("RGB", (1600, 1600), (90, 90, 90)), "PNG")
    assert make_thumbnails(data).crop_box == (0, 350, 1600, 1250)


# -- helpers for the CLI ---------------------------------------------------------------


def test_write_thumbnails(tmp_path) -> None:
    tset = make_thumbnails(encode(quadrants((1280, 720)), "PNG"))
    written = write_thumbnails(tset, tmp_path / "out", "story")
    assert [w["name"] for w in written] == list(DEFAULT_SIZES)
    for item in written:
        data = (tmp_path / "out" / f"story-{item['name']}.jpg").read_bytes()
        assert len(data) == item["bytes"] and item["path"].endswith(".jpg")
        assert decode(data).size == (item["width"], item["height"])


def test_baseline_jpeg_has_optimised_huffman_tables() -> None:
    img = textured((1280, 720))
    ours = encode_jpeg(img)
    plain = io.BytesIO()
    img.save(plain, "JPEG", quality=JPEG_QUALITY, subsampling="4:2:0")
    assert b"\xff\xc2" not in ours and len(ours) < len(plain.getvalue())  # optimised tables
