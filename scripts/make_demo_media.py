"""Make the demo channel's media: a tiny real MP4 per demo video and short HLS streams.

H.264 (Main profile, 320x180, 15 fps, no audio) in MP4 and in MPEG-TS segments, what every
Roku and Fire TV plays, encoded with PyAV (FFmpeg's libraries as a pip wheel, so no system
ffmpeg is needed). Each clip is a few seconds of a coloured card with its name and a moving
bar; all of it is well under 1 MB. Run from the repository root:

    .venv/bin/pip install -e ".[media]" && .venv/bin/python scripts/make_demo_media.py

Files go to channel/demo/media/ (the stories' videos, served at /demo/media/...) and
channel/demo/live/ (the live stream and its poster, served at /demo/live/...).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont

DEMO = Path(__file__).resolve().parent.parent / "channel" / "demo"
MEDIA = DEMO / "media"
LIVE = DEMO / "live"
SIZE = (320, 180)
FPS = 15
SEGMENT = 2  # seconds per HLS segment; a keyframe starts each one

# name, seconds, background: the files the demo stories and the live stream point at
MP4S = [
    ("harvest.mp4", "Grain harvest", 4, (120, 84, 20)),
    ("seabirds.mp4", "Seabird islands", 4, (20, 80, 120)),
    ("northgate-highlights.mp4", "Northgate highlights", 4, (20, 110, 50)),
]
STREAMS = [
    (MEDIA / "probe", "Probe: icy moon", 4, (40, 30, 90)),
    (LIVE, "Newsdesk Live", 6, (150, 20, 30)),
]


def _frame(label: str, background: tuple[int, int, int], n: int, total: int) -> Image.Image:
    img = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=20)
    draw.text((16, 60), label, font=font, fill=(255, 255, 255))
    draw.text((16, 90), f"{n / FPS:4.1f} s", font=ImageFont.load_default(size=14),
              fill=(230, 230, 230))
    x = round((SIZE[0] - 40) * n / max(1, total - 1))
    draw.rectangle((x, 150, x + 40, 162), fill=(242, 183, 5))
    return img


def _encode(container, label: str, seconds: int, background: tuple[int, int, int]) -> None:
    stream = container.add_stream("libx264", rate=FPS)
    stream.width, stream.height = SIZE
    stream.pix_fmt = "yuv420p"
    stream.options = {"profile": "main", "crf": "30", "preset": "medium", "g": str(FPS * SEGMENT),
                      "keyint_min": str(FPS * SEGMENT), "sc_threshold": "0", "threads": "1"}
    total = seconds * FPS
    for n in range(total):
        frame = av.VideoFrame.from_image(_frame(label, background, n, total))
        frame.pts = n
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def make_mp4(path: Path, label: str, seconds: int, background: tuple[int, int, int]) -> None:
    with av.open(str(path), "w", format="mp4",
                 options={"movflags": "+faststart", "fflags": "+bitexact"}) as container:
        _encode(container, label, seconds, background)


def make_hls(folder: Path, label: str, seconds: int, background: tuple[int, int, int]) -> None:
    """index.m3u8 and its segments (a complete playlist: the demo's "live" stream loops the
    same few seconds on the player)."""
    if folder.exists():
        for old in [*folder.glob("*.ts"), *folder.glob("*.m3u8")]:
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    options = {"hls_time": str(SEGMENT), "hls_playlist_type": "vod", "hls_list_size": "0",
               "hls_segment_filename": str(folder / "segment%d.ts"), "fflags": "+bitexact"}
    with av.open(str(folder / "index.m3u8"), "w", format="hls", options=options) as container:
        _encode(container, label, seconds, background)


def make_poster(path: Path, label: str, background: tuple[int, int, int]) -> None:
    """The Live tile's poster: 1280x720 JPEG, as Roku's liveFeeds thumbnail needs."""
    img = Image.new("RGB", (1280, 720), background)
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((80, 80, 330, 170), radius=18, fill=(255, 255, 255))
    draw.text((112, 92), "LIVE", font=ImageFont.load_default(size=64), fill=background)
    draw.text((80, 520), label, font=ImageFont.load_default(size=96), fill=(255, 255, 255))
    img.save(path, "JPEG", quality=85, optimize=True)


def main() -> None:
    MEDIA.mkdir(parents=True, exist_ok=True)
    for name, label, seconds, background in MP4S:
        make_mp4(MEDIA / name, label, seconds, background)
    for folder, label, seconds, background in STREAMS:
        make_hls(folder, label, seconds, background)
    make_poster(LIVE / "poster.jpg", "Newsdesk Live", STREAMS[-1][3])
    total = sum(p.stat().st_size for d in (MEDIA, LIVE) for p in d.rglob("*") if p.is_file())
    print(f"demo media: {total} bytes in {MEDIA} and {LIVE}")
    if total > 1_000_000:
        raise SystemExit("demo media is over 1 MB; make the clips shorter")


if __name__ == "__main__":
    shutil.rmtree(MEDIA / "probe", ignore_errors=True)
    main()
