"""Generation tokens: how cached entries learn that what they were built from has changed.

A scope ("program:7", "user:3", "library") has one random token in the shared cache; keys of
entries built from the scope include it. A write replaces the token, so every entry of the
scope is unreachable at once, on every app server. Tokens are random, not counters: an evicted
token cannot bring back an old entry, and an expired token only makes its entries unreachable.
"""

import hashlib
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

LIFETIME = 7 * 24 * 60 * 60
DAY = 24 * 60 * 60
LIBRARY = "library"
"""The exercises and everything they show (taxonomy, conditions, red flags, sources)."""


def current(*scopes: str) -> str:
    """The tokens of `scopes`, joined, read in one cache round trip."""
    keys = [f"generation:{scope}" for scope in scopes]
    tokens = cache.get_many(keys)
    missing = [key for key in keys if key not in tokens]
    if missing:
        for key in missing:
            cache.add(key, uuid.uuid4().hex, timeout=LIFETIME)
        tokens.update(cache.get_many(missing))
    return ".".join(tokens[key] for key in keys)


def invalidate(*scopes: str) -> None:
    """Forget every entry of `scopes`: now, and again once the transaction commits, in case a
    concurrent read cached the old rows in between."""
    keys = [f"generation:{scope}" for scope in scopes]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def cached(kind: str, scopes: list[str], details: tuple, build: Callable[[], object]) -> object:
    """`build()` once per state of `scopes` and per `details` (a caller, a URL...)."""
    digest = hashlib.sha256(repr(details).encode()).hexdigest()[:32]
    key = f"{kind}:{current(*scopes)}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=DAY)
    return value
