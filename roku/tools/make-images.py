"""Regenerates the placeholder channel art in images/ (needs Pillow).

    python tools/make-images.py
"""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "images"
BACKGROUND = (16, 24, 32)
ACCENT = (176, 16, 32)
SIZES = {
    "icon_focus_fhd.png": (540, 405),
    "icon_focus_hd.png": (290, 218),
    "icon_side_hd.png": (246, 140),
    "splash_fhd.png": (1920, 1080),
    "splash_hd.png": (1280, 720),
}


def draw(size):
    width, height = size
    image = Image.new("RGB", size, BACKGROUND)
    pen = ImageDraw.Draw(image)
    bar = max(4, height // 12)
    pen.rectangle([0, height - bar, width, height], fill=ACCENT)
    try:
        font = ImageFont.load_default(size=max(12, height // 6))
    except TypeError:  # Pillow < 10.1
        font = ImageFont.load_default()
    text = "NEWSDESK"
    box = pen.textbbox((0, 0), text, font=font)
    x = (width - (box[2] - box[0])) // 2
    y = (height - bar - (box[3] - box[1])) // 2
    pen.text((x, y), text, fill=(240, 240, 240), font=font)
    return image


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for name, size in SIZES.items():
        draw(size).save(OUT / name, optimize=True)
        print(OUT / name)
