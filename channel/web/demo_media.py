"""The demo channel's own media: tiny MP4s and short HLS streams, served from this server.

The bundled demo stories point at /demo/media/... and the live stream at /demo/live/...; the
feed builder puts this server's public URL in front, so on a TV every "Play" and the Live tile
work whatever the host and port. The files are made by scripts/make_demo_media.py.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_from_directory
from werkzeug.security import safe_join

from channel.config import DEMO_DIR

bp = Blueprint("demo_media", __name__)

MEDIA_DIR = DEMO_DIR / "media"
LIVE_DIR = DEMO_DIR / "live"
CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".jpg": "image/jpeg",
}


def _send(folder, name: str) -> Response:
    """A file of the folder with its media type; anything else, or outside it, is a 404."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    path = safe_join(str(folder), name)
    if suffix not in CONTENT_TYPES or path is None:
        abort(404, description="no such demo media file")
    response = send_from_directory(folder, name, mimetype=CONTENT_TYPES[suffix],
                                   max_age=60 if suffix == ".m3u8" else 3600)
    return response


@bp.get("/demo/media/<path:name>")
def media(name: str) -> Response:
    return _send(MEDIA_DIR, name)


@bp.get("/demo/live/<path:name>")
def live(name: str) -> Response:
    return _send(LIVE_DIR, name)
