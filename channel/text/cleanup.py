"""Newsdesk's boilerplate rule engine: drop the lines extractors leave around a story.

Extractors (trafilatura, plain-text pages) keep share bars, photo credits, mirror-site notices,
newsletter prompts and channel promos. Those lines would end up in TV summaries, so every body
passes through `clean_paragraphs`, driven by the data file ``channel/text/rules/boilerplate.yaml``
(editable per source without touching code). The same file's `debris` section is what the
summarizer cuts from inside running text (`RuleSet.cut_debris`): one list of boilerplate.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_RULES_PATH = Path(__file__).parent / "rules" / "boilerplate.yaml"

#: Rule sections a source may extend; each is a list of regex strings.
PATTERN_SECTIONS = ("drop", "end", "start", "list_headings", "strip", "debris")
_MATCHED = PATTERN_SECTIONS[:-1]  # tested against whole paragraphs, case-insensitively

_LIST_ITEM = re.compile(r"^(?:[-•*·▪►]|\d{1,2}[.)])\s")
_SPACE = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_WORD = re.compile(r"\w+")
_URL_ONLY = re.compile(
    r"^(?:(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+|(?:twitter|facebook|instagram)\.com/\S+)$",
    re.I,
)


class RulesError(ValueError):
    """The rules file is malformed: named section or pattern, so operators can fix it."""


@dataclass(frozen=True)
class Breadcrumb:
    """How a breadcrumb trail ("News / EU") looks; limits keep headlines from matching."""

    separator: re.Pattern[str]
    min_parts: int = 2
    max_parts: int = 6
    max_part_words: int = 4
    max_part_chars: int = 32

    def parse(self, line: str) -> list[str] | None:
        """Return the trail's parts, or None when the line is not a breadcrumb."""
        line = line.strip()
        if not line or len(line) > self.max_parts * (self.max_part_chars + 8):
            return None
        parts = [p.strip() for p in self.separator.split(line)]
        if not self.min_parts <= len(parts) <= self.max_parts:
            return None
        for part in parts:
            if (
                not part
                or len(part) > self.max_part_chars
                or len(part.split()) > self.max_part_words
                or part[-1] in ".!?:;,"
            ):
                return None
        return parts


@dataclass(frozen=True)
class RuleSet:
    """Compiled rules for one source (defaults plus that source's additions)."""

    drop: Matcher | None
    end: Matcher | None
    start: Matcher | None
    list_headings: Matcher | None
    strip: Matcher | None
    breadcrumb: Breadcrumb
    max_chars: int = 400
    debris: tuple[re.Pattern[str], ...] = ()

    def is_boilerplate(self, paragraph: str) -> bool:
        """True when a paragraph would be dropped wherever it stood (drop or end rules)."""
        p = normalize(paragraph)
        if len(p) > self.max_chars:
            return False
        return any(rx is not None and rx.search(p) for rx in (self.drop, self.end))

    def cut_debris(self, text: str) -> str:
        """Each piece of scraper debris becomes a line break, pattern by pattern in file order."""
        for pattern in self.debris:
            text = pattern.sub("\n", text)
        return text


@dataclass
class Rules:
    """Raw rule data; `for_source` compiles (and caches) the set that applies to a source."""

    defaults: dict[str, list[str]]
    sources: dict[str, dict[str, list[str]]]
    breadcrumb: Breadcrumb
    max_chars: int = 400
    _cache: dict[tuple[str, ...], RuleSet] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def source_keys(self, *names: str | None) -> tuple[str, ...]:
        """Source-section keys that apply to these ids/hosts ("x.com" covers "www.x.com")."""
        keys: list[str] = []
        for name in names:
            if not name:
                continue
            name = name.strip().lower()
            for key in self.sources:
                if (name == key or name.endswith("." + key)) and key not in keys:
                    keys.append(key)
        return tuple(sorted(keys))

    def for_source(self, *names: str | None) -> RuleSet:
        """The compiled rules for a source id and/or host (defaults when none match)."""
        keys = self.source_keys(*names)
        cached = self._cache.get(keys)
        if cached is not None:
            return cached
        merged = {s: list(self.defaults.get(s, [])) for s in PATTERN_SECTIONS}
        for key in keys:
            for section, patterns in self.sources[key].items():
                merged[section].extend(patterns)
        ruleset = RuleSet(
            **{s: _compile(merged[s], s) for s in _MATCHED},
            breadcrumb=self.breadcrumb,
            max_chars=self.max_chars,
            debris=tuple(re.compile(p) for p in merged["debris"]),
        )
        with self._lock:
            self._cache[keys] = ruleset
        return ruleset


class Matcher:
    """A set of patterns as two regexes: anchored ones tried only at position 0 (fast)."""

    __slots__ = ("_anchored", "_floating")

    def __init__(self, patterns: list[str]) -> None:
        anchored = [p[1:] for p in patterns if p.startswith("^")]
        floating = [p for p in patterns if not p.startswith("^")]
        self._anchored = _join(anchored)
        self._floating = _join(floating)

    def search(self, text: str) -> bool:
        """True when any pattern matches the text."""
        return bool(
            (self._anchored is not None and self._anchored.match(text))
            or (self._floating is not None and self._floating.search(text))
        )

    def sub(self, repl: str, text: str) -> str:
        """Remove (or replace) every match of every pattern."""
        if self._anchored is not None:
            text = self._anchored.sub(repl, text, count=1) if self._anchored.match(text) else text
        if self._floating is not None:
            text = self._floating.sub(repl, text)
        return text


def _join(patterns: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def _compile(patterns: list[str], where: str) -> Matcher | None:
    if not patterns:
        return None
    for p in patterns:
        try:
            re.compile(p)
        except re.error as err:
            raise RulesError(f"bad pattern in {where!r}: {p!r}: {err}") from err
    return Matcher(patterns)


def _pattern_lists(data: Any, where: str) -> dict[str, list[str]]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RulesError(f"{where}: expected a mapping")
    out: dict[str, list[str]] = {}
    for section, patterns in data.items():
        if section not in PATTERN_SECTIONS:
            raise RulesError(f"{where}: unknown section {section!r}")
        if patterns is None:
            continue
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise RulesError(f"{where}.{section}: expected a list of strings")
        _compile(patterns, f"{where}.{section}")
        out[section] = list(patterns)
    return out


def parse_rules(data: Any) -> Rules:
    """Validate rule data (the YAML document as Python objects) and build `Rules`."""
    if not isinstance(data, dict):
        raise RulesError("rules: expected a mapping at the top level")
    data = dict(data)
    sources_raw = data.pop("sources", None) or {}
    crumb_raw = data.pop("breadcrumb", None) or {}
    max_chars = data.pop("max_chars", 400)
    if not isinstance(max_chars, int) or max_chars <= 0:
        raise RulesError("max_chars: expected a positive integer")
    if not isinstance(crumb_raw, dict):
        raise RulesError("breadcrumb: expected a mapping")
    crumb_raw = dict(crumb_raw)
    try:
        sep = re.compile(crumb_raw.pop("separator", r"\s+[/>»›|]\s+"))
        breadcrumb = Breadcrumb(separator=sep, **crumb_raw)
    except (re.error, TypeError) as err:
        raise RulesError(f"breadcrumb: {err}") from err
    defaults = _pattern_lists(data, "rules")
    if not isinstance(sources_raw, dict):
        raise RulesError("sources: expected a mapping of source id or host to rules")
    sources = {
        str(k).strip().lower(): _pattern_lists(v, f"sources.{k}") for k, v in sources_raw.items()
    }
    return Rules(defaults=defaults, sources=sources, breadcrumb=breadcrumb, max_chars=max_chars)


_loaded: dict[Path, Rules] = {}
_load_lock = threading.Lock()
_default: list[Rules] = []  # the default file's rules, once loaded: no path work per call


def load_rules(path: Path | None = None) -> Rules:
    """Load and cache a rules file (default: channel/text/rules/boilerplate.yaml)."""
    if path is None and _default:
        return _default[0]
    path = Path(path or DEFAULT_RULES_PATH).resolve()
    rules = _loaded.get(path)
    if rules is None:
        with path.open(encoding="utf-8") as fh:
            rules = parse_rules(yaml.safe_load(fh))
        with _load_lock:
            _loaded[path] = rules
            if path == DEFAULT_RULES_PATH.resolve() and not _default:
                _default.append(rules)
    return rules


def normalize(paragraph: str) -> str:
    """NFC, invisible characters removed, whitespace collapsed: the form rules are matched on."""
    text = paragraph
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        text = _INVISIBLE.sub("", text)
    return _SPACE.sub(" ", text).strip()


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def clean_paragraphs(
    paragraphs: list[str],
    *,
    source: str | None = None,
    host: str | None = None,
    title: str | Sequence[str] | None = None,
    rules: Rules | None = None,
) -> list[str]:
    """Remove boilerplate paragraphs; a repeated headline at the top goes too.

    `title` may list several forms of the headline (og:title, h1, ...): any of them is removed
    while it leads the story.

    Rules only ever test paragraphs up to `max_chars` long, so long prose is always kept.
    """
    ruleset = (rules or load_rules()).for_source(source, host)
    titles = [title] if isinstance(title, str) else list(title or ())
    title_words = [w for w in (_words(t) for t in titles if t) if w]
    out: list[str] = []
    leading = True
    in_list = False
    for raw in paragraphs:
        p = normalize(raw)
        if ruleset.strip is not None:
            p = ruleset.strip.sub("", p).strip()
        if not p or not any(ch.isalnum() for ch in p):
            continue
        short = len(p) <= ruleset.max_chars
        if in_list:
            if short and _LIST_ITEM.match(p):
                continue
            in_list = False
        if short:
            if ruleset.end is not None and ruleset.end.search(p):
                if out:
                    break
                continue
            if leading and (
                (title_words and _words(p) in title_words)
                or ruleset.breadcrumb.parse(p) is not None
                or (ruleset.start is not None and ruleset.start.search(p))
            ):
                continue
            if ruleset.list_headings is not None and ruleset.list_headings.search(p):
                in_list = True
                continue
            if ruleset.drop is not None and ruleset.drop.search(p):
                continue
            if _URL_ONLY.match(p):
                continue
            if out and p == out[-1]:
                continue
        out.append(p)
        leading = False
    return out
