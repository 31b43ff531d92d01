"""What is configured: the settings (the environment) and the channel config file.

Settings are read from the environment once per process and passed down, so every part agrees:
the app factory, the CLI, the worker and the supervisor read them; nothing below them does.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MIN_TOKEN = 16  # characters of an operator token; shorter ones are guessable
ROLES = ("viewer", "editor", "admin")  # ordered: each may do what the one before may

# The thumbnail sizes every story gets (name, width, height): what the TV shows, 16:9. The
# exports need one of at least 800x450 (Roku) and one of at most 1920x1080 (Roku Search).
THUMBNAIL_SIZES: tuple[tuple[str, int, int], ...] = (
    ("hero", 1280, 720), ("dp", 800, 450), ("fhd", 480, 270), ("hd", 320, 180))

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = Path(__file__).resolve().parent / "demo"


def _sizes(raw: str) -> tuple[tuple[str, int, int], ...]:
    """NEWSDESK_THUMBNAIL_SIZES: "hero=1280x720,dp=800x450,..."; empty means the default."""
    if not raw.strip():
        return THUMBNAIL_SIZES
    sizes = []
    for entry in filter(None, (e.strip() for e in raw.split(","))):
        name, _, size = entry.partition("=")
        width, _, height = size.lower().partition("x")
        if not (name.strip() and width.isdigit() and height.isdigit()):
            raise ValueError(f"NEWSDESK_THUMBNAIL_SIZES: {entry!r} is not name=WIDTHxHEIGHT")
        sizes.append((name.strip(), int(width), int(height)))
    return tuple(sizes)


def _number(name: str, default: int | float) -> int | float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    kind = type(default)
    try:
        return kind(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be {'an integer' if kind is int else 'a number'}, "
                         f"got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Defaults are what a demo on one machine needs."""

    redis_url: str | None = None
    # Redis through Sentinel instead of one address (REDIS_SENTINELS, REDIS_SENTINEL_MASTER):
    # every connection asks the Sentinels for the current primary, again after a failover.
    redis_sentinels: tuple[tuple[str, int], ...] = ()
    redis_sentinel_master: str = "newsdesk"
    redis_sentinel_password: str | None = None  # AUTH for the Sentinels themselves
    redis_password: str | None = None  # AUTH for the primary (with Sentinel; a URL carries its own)
    public_url: str = "http://127.0.0.1:8000"
    admin_token: str | None = None
    tokens: str = ""  # "name:role:token,..." for more operators (roles: viewer, editor, admin)
    write_rate: int = 120  # operator write requests per minute per operator
    channel_config: Path = DEMO_DIR / "channel.yaml"
    feed_max_age: int = 60
    pointer_ttl: float = 0.5  # seconds a web process trusts its copy before asking Redis again
    # (a breaking alert is live within a second: its publish, then this at most)
    items_per_row: int = 20
    top_stories: int = 10
    feed_versions_kept: int = 5
    job_timeout: int = 180
    local_roots: tuple[Path, ...] = ()  # where operator-API sources may read local files
    fetch_timeout: float = 20.0  # seconds for one fetch, redirects and slow bodies included
    allow_loopback: bool = False  # fetches may reach 127.0.0.0/8 (tests, local demos)
    data_dir: Path = ROOT / "var"
    thumbnail_sizes: tuple[tuple[str, int, int], ...] = THUMBNAIL_SIZES

    def sizes(self) -> dict[str, tuple[int, int]]:
        """The thumbnail sizes as channel.images takes them: name -> (width, height)."""
        return {name: (w, h) for name, w, h in self.thumbnail_sizes}

    @property
    def redis_configured(self) -> bool:
        """Whether a Redis is configured at all (a URL or Sentinels)."""
        return bool(self.redis_url or self.redis_sentinels)

    def redis_description(self) -> str:
        """Where Redis is, for messages and logs; never a password."""
        if self.redis_sentinels:
            where = ",".join(f"{h}:{p}" for h, p in self.redis_sentinels)
            return f"primary {self.redis_sentinel_master!r} via Sentinels {where}"
        return _without_password(self.redis_url or "")

    def allowed_roots(self) -> tuple[Path, ...]:
        """Folders local sources may read: NEWSDESK_LOCAL_ROOTS, else the channel config's."""
        return self.local_roots or (self.channel_config.resolve().parent,)

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        found = cls(
            redis_url=env.get("REDIS_URL") or None,
            redis_sentinels=sentinel_addresses(env.get("REDIS_SENTINELS", "")),
            redis_sentinel_master=env.get("REDIS_SENTINEL_MASTER") or cls.redis_sentinel_master,
            redis_sentinel_password=env.get("REDIS_SENTINEL_PASSWORD") or None,
            redis_password=env.get("REDIS_PASSWORD") or None,
            public_url=env.get("NEWSDESK_PUBLIC_URL", cls.public_url).rstrip("/"),
            admin_token=env.get("NEWSDESK_ADMIN_TOKEN") or None,
            tokens=env.get("NEWSDESK_TOKENS", ""),
            write_rate=_number("NEWSDESK_WRITE_RATE", cls.write_rate),
            channel_config=Path(env.get("NEWSDESK_CHANNEL_CONFIG") or cls.channel_config),
            feed_max_age=_number("NEWSDESK_FEED_MAX_AGE", cls.feed_max_age),
            pointer_ttl=_number("NEWSDESK_POINTER_TTL", cls.pointer_ttl),
            items_per_row=_number("NEWSDESK_ITEMS_PER_ROW", cls.items_per_row),
            top_stories=_number("NEWSDESK_TOP_STORIES", cls.top_stories),
            feed_versions_kept=_number("NEWSDESK_FEED_VERSIONS_KEPT", cls.feed_versions_kept),
            job_timeout=_number("NEWSDESK_JOB_TIMEOUT", cls.job_timeout),
            fetch_timeout=_number("NEWSDESK_FETCH_TIMEOUT", cls.fetch_timeout),
            allow_loopback=env.get("NEWSDESK_ALLOW_LOOPBACK", "").strip() == "1",
            local_roots=tuple(Path(p).resolve() for p in
                              env.get("NEWSDESK_LOCAL_ROOTS", "").split(os.pathsep) if p),
            data_dir=Path(env.get("NEWSDESK_DATA_DIR") or cls.data_dir),
            thumbnail_sizes=_sizes(env.get("NEWSDESK_THUMBNAIL_SIZES", "")),
        )
        operators(found)  # refuse short or malformed tokens as the process starts
        if found.redis_url and found.redis_sentinels:
            raise ValueError("set either REDIS_URL (one Redis) or REDIS_SENTINELS (Redis through "
                             "Sentinel), not both")
        return found


def sentinel_addresses(raw: str) -> tuple[tuple[str, int], ...]:
    """REDIS_SENTINELS ("host:port,host:port"); ValueError names the entry that is malformed."""
    found = []
    for entry in filter(None, (e.strip() for e in raw.split(","))):
        host, _, port = entry.rpartition(":")
        host = host.strip("[]")  # [::1]:26379
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"REDIS_SENTINELS entry {entry!r}: need host:port "
                             "(e.g. sentinel-1:26379,sentinel-2:26379)")
        found.append((host, int(port)))
    return tuple(found)


def _without_password(url: str) -> str:
    """A Redis URL with any password masked, so it can be printed."""
    return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url)


@dataclass(frozen=True)
class Operator:
    name: str
    role: str
    token: str


def operators(config: Settings) -> list[Operator]:
    """The admin token plus NEWSDESK_TOKENS entries ("name:role:token", comma-separated);
    ValueError names the entry that is malformed or whose token is too short to be safe."""
    make = "make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(24))'"
    if config.admin_token is not None and len(config.admin_token) < MIN_TOKEN:
        raise ValueError(f"NEWSDESK_ADMIN_TOKEN must be {MIN_TOKEN} or more characters (it has "
                         f"{len(config.admin_token)}); {make}")
    found = [Operator("admin", "admin", config.admin_token)] if config.admin_token else []
    for entry in filter(None, (e.strip() for e in config.tokens.split(","))):
        name, role, token = (entry.split(":", 2) + ["", ""])[:3]
        if role not in ROLES or not name or len(token) < MIN_TOKEN:
            raise ValueError(f"NEWSDESK_TOKENS entry for {name or '?'!r}: need name:role:token "
                             f"with a role of {', '.join(ROLES)} and a token of {MIN_TOKEN} or "
                             f"more characters; {make}")
        found.append(Operator(name, role, token))
    return found


def read_channel_config(path: Path) -> dict[str, Any]:
    """A channel config file (YAML or JSON), validated; relative source paths are taken from the
    file's folder. DocumentInvalid names the field; ValueError says the file is not YAML/JSON."""
    # Deferred for start-up speed: jsonschema's format checkers take about a second to import,
    # and every `newsdesk` command reads Settings from this module.
    from channel import schemas

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML/JSON: {exc}") from exc
    schemas.validate("channel-config", doc)
    for source in doc["sources"]:
        if "path" in source:
            source["path"] = str((path.parent / source["path"]).resolve())
    return doc
