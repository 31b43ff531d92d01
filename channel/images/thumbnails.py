"""Story images to TV thumbnails: refuse unsafe input, decode cheaply, crop well, encode JPEG.

Every rule here answers a known failure of thumbnail services: sniffing the real format (an HTML
error page is not an image), refusing pixel bombs from the header before any decode, honouring
EXIF orientation, converting CMYK/ICC/palette/alpha to sRGB, first frame only, never upscaling a
small image (it is padded on a blurred copy of itself instead) and never zooming into a detail.
Big JPEGs are decoded by libjpeg-turbo at the smallest of its DCT scales (1/8 to 7/8, through
simplejpeg) that still covers the largest output, then cropped and resized in one step in the
file's own orientation; the smaller sizes are derived from the largest. JPEGs simplejpeg will
not take (CMYK, or a recoverable glitch it treats strictly) go through Pillow's `draft()`.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import simplejpeg
from PIL import Image, ImageCms, ImageFilter, ImageOps, UnidentifiedImageError

from channel.config import THUMBNAIL_SIZES
from channel.images import crop as cropping

DEFAULT_SIZES: dict[str, tuple[int, int]] = {name: (w, h) for name, w, h in THUMBNAIL_SIZES}
MAX_PIXELS = 50_000_000
MIN_SIDE = 32  # tracking pixels and spacers are not story images
MAX_ASPECT = 5.0  # wider or taller than 5:1 is a banner, divider or long infographic
MAX_UPSCALE = 1.25  # beyond this a small image is padded rather than blown up
JPEG_QUALITY = 85  # as naive Pillow in bench/thumbnails.py: within 0.5 dB of its PSNR
# Bicubic (ImageOps.fit's default): from the scaled decode the hero is within 0.2 dB PSNR of
# naive full-resolution Pillow (bench/thumbnails.py) and costs less than Lanczos; Hamming or
# bilinear would be faster but lose 0.6-1.5 dB on the derived sizes.
_RESAMPLE = Image.Resampling.BICUBIC
_BACKDROP_DIM = 0.55  # brightness of the blurred backdrop behind a padded small image
_ASPECT_TOLERANCE = 0.01
_MAX_ICC_BYTES = 1_000_000
_PIL_FORMATS = {"jpeg": ["JPEG", "MPO"], "png": ["PNG"], "webp": ["WEBP"], "gif": ["GIF"]}
_ORIENT_OPS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_AXES = {5, 6, 7, 8}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class ImageRefused(ValueError):
    """The bytes are not a story image we will decode; the message says why, for operators."""


@dataclass(frozen=True)
class Thumbnail:
    name: str
    width: int
    height: int
    data: bytes  # baseline JPEG, Huffman-optimised, no metadata


@dataclass(frozen=True)
class ThumbnailSet:
    thumbnails: list[Thumbnail]
    crop_box: tuple[int, int, int, int] | None  # source pixels after EXIF transpose
    placeholder: str  # "#rrggbb", paints the card before the image arrives
    kind: str  # "image" or "titlecard"


def sniff_format(data: bytes) -> str:
    """Trust the bytes, not the URL or Content-Type: only JPEG, PNG, WebP and GIF get decoded."""
    head = bytes(data[:64])
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    raise ImageRefused(f"not an image: {_describe(head)}")


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the file header alone, so a pixel bomb is refused before Pillow
    allocates anything; None when the header is not one we parse (Pillow then decides)."""
    try:
        fmt = sniff_format(data)
        if fmt == "png":
            if data[12:16] == b"IHDR":
                return struct.unpack(">II", data[16:24])
        elif fmt == "gif":
            return struct.unpack("<HH", data[6:10])
        elif fmt == "webp":
            return _webp_size(data)
        else:
            return _jpeg_size(data)
    except (ImageRefused, struct.error, IndexError):
        pass
    return None


def check_sizes(sizes: Mapping[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Sizes must be positive and share one aspect ratio (the smaller ones derive from the
    largest); raise ValueError for a bad configuration rather than make odd crops."""
    if not sizes:
        raise ValueError("no thumbnail sizes configured")
    out: dict[str, tuple[int, int]] = {}
    for name, size in sizes.items():
        w, h = int(size[0]), int(size[1])
        if w <= 0 or h <= 0 or w > 4096 or h > 4096:
            raise ValueError(f"thumbnail size {name}: {w}x{h} is out of range")
        out[name] = (w, h)
    aspect = _aspect(out)
    for name, (w, h) in out.items():
        if abs(w / h - aspect) / aspect > _ASPECT_TOLERANCE:
            raise ValueError(f"thumbnail size {name}: {w}x{h} is not {_ratio(out)}")
    return out


def make_thumbnails(
    data: bytes,
    sizes: Mapping[str, tuple[int, int]] = DEFAULT_SIZES,
    *,
    focal: tuple[float, float] | None = None,
    max_pixels: int = MAX_PIXELS,
) -> ThumbnailSet:
    """Every configured size of one story image, or ImageRefused with the reason.

    `focal` is an editor's point of interest as (x, y) fractions of the displayed image.
    Pure and repeatable in a worker: no Pillow global is changed. The bomb-warning filter is
    scoped with warnings.catch_warnings, which is process-wide while it runs, so call this from
    one thread per process (RQ workers do).
    """
    sizes = check_sizes(sizes)
    fmt = sniff_format(data)
    header = image_size(data)
    if header is not None:
        _check_pixels(header, max_pixels)
    with warnings.catch_warnings():
        # Pillow's own bomb check only warns below 2x its limit; here it is always an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data), formats=_PIL_FORMATS[fmt])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRefused(f"too large: {exc}") from None
        except UnidentifiedImageError:  # Pillow's message names a BytesIO object: say it plainly
            raise ImageRefused(f"cannot read {fmt} header: not a valid {fmt} file") from None
        except Exception as exc:
            raise ImageRefused(f"cannot read {fmt} header: {_short(exc)}") from None
        with img:
            return _thumbnails(img, data, fmt, sizes, focal, max_pixels)


def write_thumbnails(tset: ThumbnailSet, out_dir: str | Path, stem: str) -> list[dict[str, Any]]:
    """Write each thumbnail as `<stem>-<name>.jpg` (for the CLI); return what was written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for thumb in tset.thumbnails:
        path = out / f"{stem}-{thumb.name}.jpg"
        path.write_bytes(thumb.data)
        written.append(
            {
                "name": thumb.name,
                "path": str(path),
                "width": thumb.width,
                "height": thumb.height,
                "bytes": len(thumb.data),
            }
        )
    return written


def encode_jpeg(img: Image.Image, quality: int = JPEG_QUALITY, subsampling: str = "4:2:0") -> bytes:
    """Baseline JPEG with Huffman tables optimised, and no EXIF, ICC, XMP or comments: sRGB is
    assumed by every TV.

    Baseline, not progressive: a Roku Poster shows nothing until the whole image is decoded, so
    progressive's one benefit never shows on a TV, while it costs the device about 3x the decode
    time and more memory for about 3% fewer bytes (issue 17's measurement). Photos use 4:2:0
    chroma; graphics with thin coloured text want "4:4:4"."""
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, optimize=True, subsampling=subsampling)
    return buf.getvalue()


def mean_colour(img: Image.Image) -> str:
    """The average colour as "#rrggbb", for painting a card before its image loads."""
    r, g, b = img.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    return f"#{r:02x}{g:02x}{b:02x}"


# -- the pipeline ---------------------------------------------------------------------------


def _thumbnails(
    img: Image.Image,
    data: bytes,
    fmt: str,
    sizes: dict[str, tuple[int, int]],
    focal: tuple[float, float] | None,
    max_pixels: int,
) -> ThumbnailSet:
    raw_w, raw_h = img.size
    _check_pixels(img.size, max_pixels)
    aspect = _aspect(sizes)
    if fmt == "jpeg":  # EXIF sits in the header: plan before decoding, to decode less
        orientation = _orientation(img)
        width, height, cropped, padded = _plan(img.size, orientation, sizes)
        scale = 1.0 if padded else cropped[0][1][0] / cropping.crop_size(width, height, aspect)[0]
        loaded = _decode_jpeg_scaled(img, data, scale)
    else:
        loaded = img
    try:
        loaded.load()  # a no-op for simplejpeg's pixels; Pillow decodes everything else here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused(f"too large: {exc}") from None
    except Exception as exc:
        raise ImageRefused(f"cannot decode {fmt}: {_short(exc)}") from None
    if fmt != "jpeg":  # PNG and WebP may carry EXIF after the pixels
        orientation = _orientation(img)
        width, height, cropped, padded = _plan(img.size, orientation, sizes)
    icc = img.info.get("icc_profile")
    if icc is not None and len(icc) > _MAX_ICC_BYTES:
        icc = None  # real profiles are a few KB; a huge one is not worth parsing
    work = _working_mode(loaded)
    # Coordinates below: `width x height` is the displayed full-size image; `work` may be a
    # 1/8..7/8 scaled decode of it, still in the file's orientation.
    if not cropped or abs(width / height - aspect) / aspect <= _ASPECT_TOLERANCE:
        box = (0, 0, width, height)  # shown whole: already 16:9, or small and padded
    elif focal is not None:
        box = cropping.focal_crop((width, height), aspect, focal)
    else:
        small = work.resize(
            _raw_size(cropping.analysis_size((width, height)), orientation),
            Image.Resampling.BILINEAR,
            reducing_gap=1.0,  # mostly a box reduce: the analysis needs no finer filter
        )
        small = _orient(_to_srgb(small, icc), orientation)
        box = cropping.smart_crop(small, (width, height), aspect)

    thumbs: dict[str, Thumbnail] = {}
    placeholder = None
    if cropped:
        name, (tw, th) = cropped[0]
        # Per axis: a scaled decode rounds each side up, so the two scales differ slightly.
        sx, sy = work.width / raw_w, work.height / raw_h
        x0, y0, x1, y1 = _raw_box(box, orientation, (width, height))
        largest = work.resize(
            _raw_size((tw, th), orientation),
            _RESAMPLE,
            box=(x0 * sx, y0 * sy, x1 * sx, y1 * sy),
            reducing_gap=3.0,
        )
        largest = _orient(_to_srgb(largest, icc), orientation)
        thumbs[name] = Thumbnail(name, tw, th, encode_jpeg(largest))
        made = [largest]  # widest first
        for name, (w, h) in cropped[1:]:
            # From the smallest rendering still 1.5x wider: cheap, and sharp enough.
            source = next(m for m in reversed(made) if m.width >= 1.5 * w or m is largest)
            smaller = source.resize((w, h), _RESAMPLE, reducing_gap=3.0)
            made.append(smaller)
            thumbs[name] = Thumbnail(name, w, h, encode_jpeg(smaller))
        placeholder = mean_colour(made[-1])  # the smallest: same mean, less work
    if padded:
        whole = _orient(_to_srgb(work, icc), orientation)
        if placeholder is None:
            placeholder = mean_colour(whole)
        for name, (w, h) in padded:
            thumbs[name] = Thumbnail(name, w, h, encode_jpeg(_pad(whole, (w, h))))
    return ThumbnailSet(
        thumbnails=[thumbs[name] for name in sizes],
        crop_box=box,
        placeholder=placeholder or "#000000",
        kind="image",
    )


def _decode_jpeg_scaled(img: Image.Image, data: bytes, scale: float) -> Image.Image:
    """Decode at the smallest libjpeg-turbo scale (n/8) at or above `scale`, or return `img`
    drafted for Pillow's own decode. Pillow's `draft` only offers 1/2, 1/4 and 1/8: for a
    12 MP photo and a 1280 px hero that means 2000 px wide where 3/8 (1500 px) is enough."""
    need_w = min(img.width, math.ceil(img.width * scale))
    need_h = min(img.height, math.ceil(img.height * scale))
    colorspace = {"RGB": "RGB", "L": "GRAY"}.get(img.mode)
    if colorspace is not None:
        try:
            pixels = simplejpeg.decode_jpeg(
                data, colorspace=colorspace, min_width=need_w, min_height=need_h
            )
        except Exception:  # strict about glitches Pillow tolerates, or a variant it lacks:
            pass  # either way Pillow decides, and refuses what it cannot read
        else:
            return Image.fromarray(pixels[..., 0] if colorspace == "GRAY" else pixels)
    if scale < 1.0:
        img.draft(None, (need_w, need_h))
    return img


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    w, h = size
    if w * h > max_pixels:
        raise ImageRefused(f"too large: {w}x{h} px (limit {max_pixels:,} px)")
    if min(w, h) < MIN_SIDE:
        raise ImageRefused(f"too small: {w}x{h} px")
    if max(w, h) > MAX_ASPECT * min(w, h):
        raise ImageRefused(f"not a picture: {w}x{h} px is a banner or a strip")


def _plan(
    raw: tuple[int, int], orientation: int, sizes: dict[str, tuple[int, int]]
) -> tuple[int, int, list[tuple[str, tuple[int, int]]], list[tuple[str, tuple[int, int]]]]:
    """Displayed size, then the sizes cropped from the image and those padded (too small)."""
    width, height = (raw[1], raw[0]) if orientation in _SWAPS_AXES else raw
    cw, _ = cropping.crop_size(width, height, _aspect(sizes))
    ordered = sorted(sizes.items(), key=lambda item: -item[1][0])
    cropped = [(n, s) for n, s in ordered if cw * MAX_UPSCALE >= s[0]]
    padded = [(n, s) for n, s in ordered if cw * MAX_UPSCALE < s[0]]
    return width, height, cropped, padded


def _pad(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    """A small image at (at most MAX_UPSCALE times) its own size, on a dimmed blur of itself."""
    w, h = size
    fit = min(w / img.width, h / img.height, MAX_UPSCALE)
    inner = (max(1, round(img.width * fit)), max(1, round(img.height * fit)))
    back = ImageOps.fit(img, (max(1, w // 16), max(1, h // 16)), Image.Resampling.BOX)
    back = back.filter(ImageFilter.GaussianBlur(1.5)).resize((w, h), Image.Resampling.BILINEAR)
    back = back.point(lambda v: int(v * _BACKDROP_DIM))
    offset = ((w - inner[0]) // 2, (h - inner[1]) // 2)
    back.paste(img.resize(inner, _RESAMPLE), offset)
    return back


def _working_mode(img: Image.Image) -> Image.Image:
    """RGB, L or CMYK: modes that resize correctly. Alpha is flattened onto white first (logos
    are drawn for white pages), which is also cheaper than Pillow's premultiplied RGBA resize."""
    mode = img.mode
    if mode in ("RGB", "L", "CMYK"):
        return img
    if mode in ("P", "PA"):
        if mode == "P" and "transparency" not in img.info:
            return img.convert("RGB")
        return _flatten(img.convert("RGBA"))
    if mode in ("RGBA", "LA", "La", "RGBa"):
        return _flatten(img if mode == "RGBA" else img.convert("RGBA"))
    if mode == "1":
        return img.convert("L")
    if mode.startswith("I;16") or mode == "I":
        # 16-bit greyscale: Pillow's direct conversion clips to white; scale to 8 bits.
        return img.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    return img.convert("RGB")


def _flatten(rgba: Image.Image) -> Image.Image:
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def _to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert through the embedded profile if any (CMYK, Adobe RGB, Display P3 all look wrong
    once the profile is stripped), else Pillow's plain conversion."""
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            return ImageCms.profileToProfile(img, src, _SRGB, outputMode="RGB")
        except Exception:  # a broken or mismatched profile: fall back to Pillow's conversion
            pass
    return img if img.mode == "RGB" else img.convert("RGB")


def _orientation(img: Image.Image) -> int:
    try:
        value = int(img.getexif().get(0x0112, 1))
    except Exception:  # corrupt EXIF is common and harmless: ignore it
        return 1
    return value if value in _ORIENT_OPS else 1


def _orient(img: Image.Image, orientation: int) -> Image.Image:
    op = _ORIENT_OPS.get(orientation)
    return img.transpose(op) if op is not None else img


def _raw_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    return (size[1], size[0]) if orientation in _SWAPS_AXES else size


def _raw_box(
    box: tuple[int, int, int, int], orientation: int, size: tuple[int, int]
) -> tuple[float, float, float, float]:
    """Map a box on the displayed image (of `size`) back to the file's own pixel grid."""
    op = _ORIENT_OPS.get(orientation)
    if op is None:
        return tuple(float(v) for v in box)  # type: ignore[return-value]
    inverse = {
        Image.Transpose.ROTATE_90: Image.Transpose.ROTATE_270,
        Image.Transpose.ROTATE_270: Image.Transpose.ROTATE_90,
    }.get(op, op)
    x0, y0 = _map_point(inverse, box[0], box[1], size)
    x1, y1 = _map_point(inverse, box[2], box[3], size)
    return float(min(x0, x1)), float(min(y0, y1)), float(max(x0, x1)), float(max(y0, y1))


def _map_point(
    op: Image.Transpose, x: float, y: float, size: tuple[int, int]
) -> tuple[float, float]:
    """Where the point (x, y) of an image of `size` lands after `img.transpose(op)`."""
    w, h = size
    T = Image.Transpose
    return {
        T.FLIP_LEFT_RIGHT: (w - x, y),
        T.FLIP_TOP_BOTTOM: (x, h - y),
        T.ROTATE_180: (w - x, h - y),
        T.ROTATE_90: (y, w - x),
        T.ROTATE_270: (h - y, x),
        T.TRANSPOSE: (y, x),
        T.TRANSVERSE: (h - y, w - x),
    }[op]


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return w, h
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the marker segments to the first start-of-frame."""
    pos, end = 2, len(data)
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image or start of scan before any frame header
            return None
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if marker in _SOF:
            h, w = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return w, h
        pos += 2 + length
    return None


def _aspect(sizes: Mapping[str, tuple[int, int]]) -> float:
    w, h = max(sizes.values())
    return w / h


def _ratio(sizes: Mapping[str, tuple[int, int]]) -> str:
    w, h = max(sizes.values())
    return f"{w}:{h} like the largest size"


def _describe(head: bytes) -> str:
    """A reason an operator can act on, from the first bytes."""
    if not head:
        return "empty body"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for prefix, what in (
        (b"<!doctype html", "looks like HTML"),
        (b"<html", "looks like HTML"),
        (b"<svg", "SVG is not accepted"),
        (b"<?xml", "looks like XML or SVG"),
        (b"{", "looks like JSON"),
        (b"%pdf", "looks like a PDF"),
        (b"bm", "BMP is not accepted"),
        (b"ii*\x00", "TIFF is not accepted"),
        (b"mm\x00*", "TIFF is not accepted"),
    ):
        if text.startswith(prefix):
            return what
    if head[4:8] == b"ftyp":
        return f"{head[8:12].decode('latin-1').strip()} (HEIC/AVIF/video) is not accepted"
    if b"<html" in text or b"<head" in text or b"<body" in text:
        return "looks like HTML"
    return f"unknown format (starts {head[:8].hex()})"


def _short(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__)[:200]
