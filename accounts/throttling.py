"""The per-address rate limit of the public auth endpoints (`AUTH_THROTTLE_RATE`)."""

from rest_framework.throttling import ScopedRateThrottle

from .client_address import client_ip


class AuthRateThrottle(ScopedRateThrottle):
    """DRF's own `get_ident` believes any X-Forwarded-For unless NUM_PROXIES is set, so a
    forged header would give each request a fresh budget; this keys on `client_ip` instead."""

    def get_ident(self, request) -> str:
        return client_ip(request) or ""
