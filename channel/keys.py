"""Every Redis key Newsdesk uses, in one place (as RQ keeps its own in one module)."""

PREFIX = "nd:"

# Sources: the operator's list, each source's definition and its fetch state/health.
SOURCES = PREFIX + "sources"  # set of source ids


def source(source_id: str) -> str:
    return f"{PREFIX}source:{source_id}"  # JSON document (schemas/source.schema.json)


def source_state(source_id: str) -> str:
    return f"{PREFIX}source:{source_id}:state"  # hash: etag, last_modified, health


def source_failed_stories(source_id: str) -> str:
    return f"{PREFIX}source:{source_id}:failed"  # set of its story ids whose processing failed


# Categories in operator order, and the channel settings loaded from the config file.
CATEGORIES = PREFIX + "categories"  # JSON list of {id, title}
CHANNEL = PREFIX + "channel"  # JSON: provider, language, liveStream


# Articles: the full document, the cards of ready stories, and indexes by time.
def article(article_id: str) -> str:
    return f"{PREFIX}article:{article_id}"  # JSON document (schemas/article.schema.json)


ARTICLES = PREFIX + "articles"  # zset id -> published timestamp (every stored article)
CARDS = PREFIX + "cards"  # hash id -> feed card JSON, ready stories only


def category_index(category_id: str) -> str:
    return f"{PREFIX}category:{category_id}"  # zset id -> published timestamp, ready only


# Thumbnails: JPEG bytes under their content hash.
def thumbnail(digest: str) -> str:
    return f"{PREFIX}thumb:{digest}"


# Editorial controls honoured by the feed builder.
PINS = PREFIX + "editorial:pins"  # zset id -> pin order
HIDDEN = PREFIX + "editorial:hidden"  # set of ids
PULLED = PREFIX + "editorial:pulled"  # set of ids
BREAKING = PREFIX + "editorial:breaking"  # JSON alert, expiring with it (channel/feed/breaking.py)
AUDIT = PREFIX + "audit"  # list of JSON entries {at, who, action, target}, newest first

# Published feed versions: immutable hashes plus one pointer switched atomically.
FEED_SEQ = PREFIX + "feed:seq"
FEED_CURRENT = PREFIX + "feed:current"  # version number of the live feed
FEED_VERSIONS = PREFIX + "feed:versions"  # list of kept version numbers, newest first
FEED_LAST_ERROR = PREFIX + "feed:last_error"  # JSON {at, reason} of the last refused build
PUBLISH_PENDING = PREFIX + "feed:publish_pending"  # unix time of the oldest unserved request
LAST_READY = PREFIX + "feed:last_ready"  # when a story last became ready (unix time)
PUBLISH_DUE = PREFIX + "feed:due"  # zset reason -> when a publish is due (expiry, embargo)


def feed_version(version: int) -> str:
    return f"{PREFIX}feed:v:{version}"  # hash: json, gzip, etag, generated_at


def views(day: str, story_id: str) -> str:
    """HyperLogLog of a story's article-detail viewers on a UTC day (YYYYMMDD); channel/views.py"""
    return f"{PREFIX}views:{day}:{story_id}"


def views_salt(day: str) -> str:
    return f"{PREFIX}views:salt:{day}"  # random bytes, deleted with the day's counts


# Near-duplicate stories (channel/dedup.py): MinHash signatures, LSH bands, groups.
def dedup_signature(story_id: str) -> str:
    return f"{PREFIX}dedup:sig:{story_id}"  # the MinHash's uint64 values, as bytes


def dedup_band(digest: str) -> str:
    return f"{PREFIX}dedup:band:{digest}"  # set of story ids whose signature has this band


def dedup_members(group: str) -> str:
    return f"{PREFIX}dedup:group:{group}"  # set of the story ids of one group of duplicates


DEDUP_BANDS = PREFIX + "dedup:bands"  # hash story id -> its band digests (to unindex it)
DEDUP_INFO = PREFIX + "dedup:info"  # hash story id -> JSON {source, title, url, rank}
DEDUP_GROUP_OF = PREFIX + "dedup:group_of"  # hash story id -> its group
DEDUP_FOLLOWERS = PREFIX + "dedup:followers"  # hash story id -> the leader it is a copy of
DEDUP_SPLIT = PREFIX + "dedup:split"  # set of "a|b" pairs an editor split: never matched again

METRICS = PREFIX + "metrics"  # hash of worker-side counters (see channel/metrics.py)

# Coordination.
SCHEDULER_LOCK = PREFIX + "lock:scheduler"
PUBLISH_LOCK = PREFIX + "lock:publish"
JOBS_LEDGER = PREFIX + "jobs:ledger"  # zset job id -> when queued; until the job ends
JOBS_ASTRAY = PREFIX + "jobs:astray"  # zset job id -> first seen neither queued nor running
# Incremented right before a WAIT (channel/replication.py): the write WAIT is counted against.
REPLICATION_MARK = PREFIX + "replication:mark"


def worker_alive(worker_name: str) -> str:
    return f"{PREFIX}worker:{worker_name}:alive"  # short-lived; refreshed by every heartbeat


def rate_limit(operator: str, window: int) -> str:
    return f"{PREFIX}ratelimit:{operator}:{window}"  # write requests in a one-minute window


def auth_failures(scope: str, window: int) -> str:
    """Failed authentications in a window: scope is "all" or "addr:<client address>"."""
    return f"{PREFIX}authfail:{scope}:{window}"


def console_session(digest: str) -> str:
    """A console session's record, by the SHA-256 of the cookie's id (a dump leaks no cookie)."""
    return f"{PREFIX}session:{digest}"
