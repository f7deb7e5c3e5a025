"""Generation tokens: how cached entries learn that what they were built from has changed.

A scope ("program:7", "user:3", "library") has one random token, stored in the database; keys
of entries built from the scope include it. A write replaces the token in its own transaction,
so from its commit on every request, in every process, reads the new token and builds anew:
no process can serve what another has changed, whether the cache is shared (Redis) or local to
each process. Tokens are random, not counters, so a database restored from a backup never
meets entries built after the backup.
"""

import hashlib
import uuid
from collections.abc import Callable

from django.core.cache import cache

from .models import Generation

DAY = 24 * 60 * 60
LIBRARY = "library"
"""The exercises and everything they show (taxonomy, conditions, red flags, sources)."""


def current(*scopes: str) -> str:
    """The tokens of `scopes`, joined, read in one query ("-" for a scope never written)."""
    tokens = dict(Generation.objects.filter(scope__in=scopes).values_list("scope", "token"))
    return ".".join(tokens.get(scope, "-") for scope in scopes)


def invalidate(*scopes: str) -> None:
    """Forget every entry of `scopes`: new tokens, written (one upsert) with the change."""
    if scopes:
        Generation.objects.bulk_create(
            [Generation(scope=scope, token=uuid.uuid4().hex) for scope in set(scopes)],
            update_conflicts=True,
            unique_fields=["scope"],
            update_fields=["token"],
        )


def cached(kind: str, scopes: list[str], details: tuple, build: Callable[[], object]) -> object:
    """`build()` once per state of `scopes` and per `details` (a caller, a URL...)."""
    digest = hashlib.sha256(repr(details).encode()).hexdigest()[:32]
    key = f"{kind}:{current(*scopes)}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=DAY)
    return value
