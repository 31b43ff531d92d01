"""Title cards: every size, channel colours, readable text, no crash on odd headlines."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from channel.images.thumbnails import DEFAULT_SIZES
from channel.images.titlecard import title_card


def decode(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def test_every_size_in_channel_colours() -> None:
    tset = title_card("Storm closes schools across the region", "Weather")
    assert tset.kind == "titlecard" and tset.crop_box is None
    assert tset.placeholder == "#0b1f3a"
    assert [(t.name, t.width, t.height) for t in tset.thumbnails] == [
        (name, w, h) for name, (w, h) in DEFAULT_SIZES.items()
    ]
    for thumb in tset.thumbnails:
        img = decode(thumb.data)
        assert img.format == "JPEG" and img.size == (thumb.width, thumb.height)
        assert not (img.info.get("progressive") or img.info.get("progression"))
        assert b"\xff\xc0" in thumb.data and b"\xff\xc2" not in thumb.data  # SOF0: baseline
        px = np.asarray(img, dtype=np.int32)
        # Mostly background, some white headline, some accent (category and rule).
        bg = np.abs(px - (11, 31, 58)).sum(axis=2) < 60
        white = (px > 200).all(axis=2)
        accent = np.abs(px - (242, 183, 5)).sum(axis=2) < 80
        assert bg.mean() > 0.5, thumb.name
        assert white.mean() > 0.01, thumb.name
        assert accent.mean() > 0.001, thumb.name
        # The headline is in the lower part and the category at the top.
        assert white[: img.height // 3].mean() < white[img.height // 2 :].mean()
        assert accent[: img.height // 3].mean() > accent[img.height // 2 :].mean()


def test_deterministic_and_custom_colours() -> None:
    a = title_card("Same", "Cat", {"x": (480, 270)}, background="#ffffff", accent="red")
    b = title_card("Same", "Cat", {"x": (480, 270)}, background="#ffffff", accent="red")
    assert a == b and a.placeholder == "#ffffff"
    img = np.asarray(decode(a.thumbnails[0].data), dtype=np.int32)
    assert (img < 60).all(axis=2).mean() > 0.005  # dark text on a light background


def test_headline_text_fits_inside_the_margins() -> None:
    long = " ".join(["Extraordinarily"] * 40) + " " + "x" * 300
    for title in [long, "", "   ", "Ünïcødé — “quotes” & emoji 🎉", "tab\tand\nnewline"]:
        tset = title_card(
            title, "A very long category name " * 5, {"hd": (320, 180), "hero": (1280, 720)}
        )
        for thumb in tset.thumbnails:
            img = np.asarray(decode(thumb.data), dtype=np.int32)
            edge = round(thumb.width * 0.07) - 4
            white = (img > 200).all(axis=2)
            assert not white[:, :edge].any() and not white[:, -edge:].any(), (
                title[:20],
                thumb.name,
            )


def test_bad_colour_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a colour"):
        title_card("x", "y", background="not-a-colour")
