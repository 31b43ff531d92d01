"""Two fixed halves of every eval file, by id: rules are tuned on one and judged on the other.

A rule written while reading the dev articles fits those articles; only a half nobody looked at
while tuning says whether it carries over. The split is a hash of the id (SHA-256, first byte's
low bit), so it never depends on file order, on how many rows there are, or on the run.
"""

from __future__ import annotations

import hashlib

__all__ = ["HALVES", "TUNE", "HELD_OUT", "half_of"]

TUNE = "tune"
HELD_OUT = "held-out"
HALVES = (TUNE, HELD_OUT)


def half_of(item_id: str) -> str:
    """The half an eval item belongs to: TUNE (rules may be fitted to it) or HELD_OUT."""
    return TUNE if hashlib.sha256(item_id.encode("utf-8")).digest()[0] % 2 == 0 else HELD_OUT
