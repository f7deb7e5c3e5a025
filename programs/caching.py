"""Serialized programs cached per program version, shared by every app server (see CACHES).

Keys carry a generation token per program and one for the whole exercise library. Any write
that changes what a program shows (the program itself, a logged session that moves a gated rule
or flags an item, a library exercise) replaces the token, so no stale entry is ever served.
Tokens are random, not counters: an evicted token cannot bring back an old entry.
"""

import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

LIBRARY = "library"


def _tokens(*scopes: str) -> str:
    """The current generation tokens of `scopes`, read in one cache round trip."""
    keys = [f"generation:{scope}" for scope in scopes]
    tokens = cache.get_many(keys)
    missing = [key for key in keys if key not in tokens]
    if missing:
        for key in missing:
            cache.add(key, uuid.uuid4().hex, timeout=None)
        tokens.update(cache.get_many(missing))
    return ".".join(tokens[key] for key in keys)


def invalidate(scope: str) -> None:
    """Forget every entry of `scope` (a program id or LIBRARY): now, and again once the
    transaction commits, in case a concurrent read cached the old rows in between."""
    key = f"generation:{scope}"
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def invalidate_program(program_id: int) -> None:
    invalidate(f"program:{program_id}")


def key(program, kind: str, *details) -> str:
    """The cache key of one of `program`'s renderings (serialized, PDF...) in its current state."""
    generations = _tokens(f"program:{program.pk}", LIBRARY)
    parts = ":".join(str(detail) for detail in details)
    return f"program:{program.pk}:v{program.version}:{generations}:{kind}:{parts}"


def cached(program, kind: str, build: Callable[[], object], *details) -> object:
    """`build()` once per program version, library state and `details` (units...)."""
    [value] = cached_many([program], kind, lambda _: {program.pk: build()}, lambda _: details)
    return value


def cached_many(
    programs: list,
    kind: str,
    build_many: Callable[[list], dict],
    details_of: Callable[[object], tuple],
) -> list:
    """Values for several programs in order; the missing ones are built in one batch."""
    keys = [key(program, kind, *details_of(program)) for program in programs]
    found = cache.get_many(keys)
    missing = [program for program, key in zip(programs, keys, strict=True) if key not in found]
    if missing:
        built = build_many(missing)
        fresh = {
            key: built[program.pk]
            for program, key in zip(programs, keys, strict=True)
            if key not in found
        }
        cache.set_many(fresh, timeout=24 * 60 * 60)
        found.update(fresh)
    return [found[key] for key in keys]


def library_changed(sender, **kwargs) -> None:
    """Programs embed their exercises' essentials: an edited exercise renews every entry."""
    invalidate(LIBRARY)
