"""A copy of the test newsroom with generated images, loaded into Redis."""

from __future__ import annotations

import shutil
from pathlib import Path

import redis
from PIL import Image, ImageDraw

from channel import store
from channel.config import read_channel_config

NEWSROOM = Path(__file__).parent / "fixtures" / "newsroom"


def _picture(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> None:
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((size[0] // 3, size[1] // 4, size[0] // 2, size[1] // 2), fill=(230, 180, 150))
    image.save(path, "JPEG", quality=85)


def make_newsroom(tmp: Path) -> Path:
    """Copy the fixture newsroom into tmp, add its images; returns the config path."""
    root = tmp / "newsroom"
    shutil.copytree(NEWSROOM, root)
    (root / "rss" / "images").mkdir()
    _picture(root / "articles" / "01-ferry.jpg", (1600, 900), (40, 70, 110))
    _picture(root / "rss" / "images" / "river.jpg", (1200, 800), (60, 90, 60))
    return root / "channel.yaml"


def load_newsroom(r: redis.Redis, tmp: Path) -> dict:
    doc = read_channel_config(make_newsroom(tmp))
    store.save_channel_config(r, doc)
    return doc
