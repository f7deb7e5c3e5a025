"""Failed log-in attempts are counted per IP and per username; too many answer 429."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled

WINDOW_SECONDS = 15 * 60


def _keys(request, username: str) -> list[str]:
    ip = request.META.get("REMOTE_ADDR", "")
    keys = [f"auth-failures:ip:{ip}"]
    if username:
        digest = hashlib.sha256(username.lower().encode()).hexdigest()
        keys.append(f"auth-failures:user:{digest}")
    return keys


def check_not_locked(request, username: str) -> None:
    counts = cache.get_many(_keys(request, username))
    if any(count >= settings.AUTH_FAILURE_LIMIT for count in counts.values()):
        raise Throttled(WINDOW_SECONDS, "Too many failed attempts; try again later.")


def record_failure(request, username: str) -> None:
    for key in _keys(request, username):
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)
