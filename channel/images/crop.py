"""Choose where a fixed-aspect crop goes: focal point, content-aware (smartcrop-style), or centre.

The crop is always the largest box of the target aspect that fits the image, so it only slides
along one axis: a thumbnail never zooms into a small region, and the search is a cheap 1-D scan
over a small analysis copy (about 200 px) of the image.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image

Box = tuple[int, int, int, int]

ANALYSIS_SIDE = 200  # long side of the analysis copy, in pixels
# Skin tone direction in normalised RGB and its thresholds (smartcrop.js defaults).
_SKIN = np.array([0.78, 0.57, 0.44], dtype=np.float32)
_SKIN /= np.linalg.norm(_SKIN)
_SKIN_THRESHOLD = 0.8
_SKIN_LIGHT = (0.2, 1.0)
# Skin whose neighbourhood (radius a quarter of the long side) is mostly skin is a surface,
# not a face: its weight falls from 1 at _BLOB_MAX - 1/_BLOB_SLOPE density to 0 at _BLOB_MAX.
_BLOB_RADIUS, _BLOB_MAX, _BLOB_SLOPE = 0.25, 0.6, 4.0
_SAT_THRESHOLD = 0.4
_SAT_LIGHT = (0.05, 0.9)
# How much each feature counts: faces/skin dominate, edges mark detail, saturation helps a bit.
_WEIGHTS = np.array([1.0, 3.0, 0.3], dtype=np.float32)  # detail, skin, saturation
_OUTSIDE = -0.5  # importance of a feature left outside the crop (cutting content off hurts)
_EDGE_RADIUS, _EDGE_WEIGHT = 0.4, -20.0
_FLAT = 1e-3  # below this mean feature strength the image is flat: use the centre
# Where the crop prefers to sit when features tie: centre horizontally, a bit above centre
# vertically (headroom: photos of people lose their chins before their heads).
_PRIOR_X, _PRIOR_Y, _PRIOR_WEIGHT = 0.5, 0.4, 0.05


def crop_size(width: int, height: int, aspect: float) -> tuple[int, int]:
    """Largest box of `aspect` (w/h) inside width x height, in whole pixels."""
    if width / height > aspect:
        return max(1, min(width, round(height * aspect))), height
    return width, max(1, min(height, round(width / aspect)))


def focal_crop(size: tuple[int, int], aspect: float, focal: tuple[float, float]) -> Box:
    """Centre the crop on an editor's focal point (fractions 0..1), clamped to the image."""
    width, height = size
    cw, ch = crop_size(width, height, aspect)
    fx, fy = (min(max(v, 0.0), 1.0) if math.isfinite(v) else 0.5 for v in map(float, focal[:2]))
    x0 = _clamp(round(fx * width - cw / 2), 0, width - cw)
    y0 = _clamp(round(fy * height - ch / 2), 0, height - ch)
    return x0, y0, x0 + cw, y0 + ch


def centre_crop(size: tuple[int, int], aspect: float) -> Box:
    """The plain fallback."""
    return focal_crop(size, aspect, (0.5, 0.5))


def smart_crop(small: Image.Image, size: tuple[int, int], aspect: float) -> Box:
    """Content-aware crop box in full-size pixels, scored on `small` (an RGB copy of the image).

    `small` must have the same orientation and proportions as the full image of `size`.
    Falls back to the centre when the image has no features worth keeping.
    """
    width, height = size
    cw, ch = crop_size(width, height, aspect)
    if cw == width and ch == height:
        return 0, 0, width, height
    features = feature_maps(small)
    totals = features.reshape(3, -1).mean(axis=1)
    weights = np.where(totals >= _FLAT, _WEIGHTS / (totals + 1e-9), 0.0).astype(np.float32)
    if not weights.any():
        return centre_crop(size, aspect)
    _, ah, aw = features.shape
    horizontal = cw < width
    if horizontal:
        window = (ah, max(1, min(aw, round(cw * aw / width))))
        slack = aw - window[1]
    else:
        window = (max(1, min(ah, round(ch * ah / height))), aw)
        slack = ah - window[0]
    if slack <= 0:
        return centre_crop(size, aspect)
    # Each feature is scored as the importance-weighted share of it the crop keeps, so a small
    # face is not outvoted by a large busy background; then the shares are weighted.
    combined = np.tensordot(weights, features, axes=1)  # (ah, aw)
    kernel = importance_kernel(*window) - _OUTSIDE
    views = sliding_window_view(combined, window)
    views = views[0] if horizontal else views[:, 0]
    # score = sum(F * K) inside + OUTSIDE * sum(F) outside = sum(F * (K - OUTSIDE)) + const
    scores = np.einsum("ijk,jk->i", views, kernel) / float(combined.size)
    positions = np.arange(slack + 1, dtype=np.float32) / slack
    prior = _PRIOR_X if horizontal else _PRIOR_Y
    scores -= _PRIOR_WEIGHT * np.abs(positions - prior)
    best = float(np.argmax(scores)) / slack
    if horizontal:
        x0 = _clamp(round(best * (width - cw)), 0, width - cw)
        return x0, 0, x0 + cw, ch
    y0 = _clamp(round(best * (height - ch)), 0, height - ch)
    return 0, y0, cw, y0 + ch


def analysis_size(size: tuple[int, int], side: int = ANALYSIS_SIDE) -> tuple[int, int]:
    """Size of the analysis copy: long side `side`, same proportions."""
    width, height = size
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def feature_maps(small: Image.Image) -> np.ndarray:
    """Per-pixel importance maps, shape (3, h, w): detail (edges), skin tones, saturated colour."""
    rgb = np.asarray(small.convert("RGB"), dtype=np.float32) / 255.0
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    light = 0.2126 * r + 0.7152 * g + 0.0722 * b
    detail = _edges(light)
    mag = np.sqrt(r * r + g * g + b * b) + 1e-6
    skin_dist = np.sqrt(
        (r / mag - _SKIN[0]) ** 2 + (g / mag - _SKIN[1]) ** 2 + (b / mag - _SKIN[2]) ** 2
    )
    skin = 1.0 - skin_dist
    skin_ok = (skin > _SKIN_THRESHOLD) & (light >= _SKIN_LIGHT[0]) & (light <= _SKIN_LIGHT[1])
    skin = np.where(skin_ok, (skin - _SKIN_THRESHOLD) / (1.0 - _SKIN_THRESHOLD), 0.0)
    # Faces are skin-toned blobs; a beige wall, sand or wood fills its whole neighbourhood.
    density = _box_mean(skin_ok.astype(np.float32), round(_BLOB_RADIUS * max(skin.shape)))
    skin = skin * np.clip(_BLOB_SLOPE * (_BLOB_MAX - density), 0.0, 1.0)
    hi = np.maximum(np.maximum(r, g), b)  # ~30x faster than rgb.max(axis=2) on 3 channels
    lo = np.minimum(np.minimum(r, g), b)
    lum = (hi + lo) / 2
    denom = np.where(lum > 0.5, 2.0 - hi - lo, hi + lo) + 1e-6
    sat = (hi - lo) / denom
    sat_ok = (sat > _SAT_THRESHOLD) & (lum >= _SAT_LIGHT[0]) & (lum <= _SAT_LIGHT[1])
    sat = np.where(sat_ok, (sat - _SAT_THRESHOLD) / (1.0 - _SAT_THRESHOLD), 0.0)
    # Skin counts as a region (faces are smooth); detail and saturation count where they are.
    return np.stack([detail, skin, sat * (detail + 0.2)]).astype(np.float32)


@functools.lru_cache(maxsize=32)
def importance_kernel(height: int, width: int) -> np.ndarray:
    """smartcrop's weighting inside a crop: centre and thirds count most, edges least.
    Cached (read-only): a channel's images come in a handful of shapes."""
    px = np.abs(0.5 - (np.arange(width, dtype=np.float32) + 0.5) / width) * 2
    py = np.abs(0.5 - (np.arange(height, dtype=np.float32) + 0.5) / height) * 2
    px, py = np.meshgrid(px, py)
    dx = np.maximum(px - 1 + _EDGE_RADIUS, 0)
    dy = np.maximum(py - 1 + _EDGE_RADIUS, 0)
    d = (dx * dx + dy * dy) * _EDGE_WEIGHT
    s = 1.41 - np.sqrt(px * px + py * py)
    s = s + np.maximum(0, s + d + 0.5) * 1.2 * (_thirds(px) + _thirds(py))
    kernel = (s + d).astype(np.float32)
    kernel.flags.writeable = False
    return kernel


def _thirds(x: np.ndarray) -> np.ndarray:
    x = (np.mod(x - 1 / 3 + 1.0, 2.0) * 0.5 - 0.5) * 16
    return np.maximum(1.0 - x * x, 0.0)


def _edges(light: np.ndarray) -> np.ndarray:
    """Absolute Laplacian, scaled so a strong edge is about 1."""
    padded = np.pad(light, 1, mode="edge")
    lap = (
        4 * padded[1:-1, 1:-1]
        - padded[:-2, 1:-1]
        - padded[2:, 1:-1]
        - padded[1:-1, :-2]
        - padded[1:-1, 2:]
    )
    return np.minimum(np.abs(lap) * 4.0, 1.0)


def _box_mean(values: np.ndarray, radius: int) -> np.ndarray:
    """Mean over a (2r+1)^2 window (edges replicated), through an integral image."""
    r = max(1, radius)
    padded = np.pad(values, r + 1, mode="edge").astype(np.float64)
    integral = padded.cumsum(axis=0).cumsum(axis=1)
    h, w = values.shape
    k = 2 * r + 1
    total = (
        integral[k : k + h, k : k + w]
        - integral[:h, k : k + w]
        - integral[k : k + h, :w]
        + integral[:h, :w]
    )
    return (total / (k * k)).astype(np.float32)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
