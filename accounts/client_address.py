"""The client's address, the one value the log-in throttle, the failure lock and the audit log
key on.

REMOTE_ADDR is the peer that opened the connection. Behind TRUSTED_PROXY_COUNT proxies that each
append the address they received from to X-Forwarded-For, the client is the Nth entry from the
right: anything left of it was sent by the client and may be forged. A header with fewer entries
(the request skipped a proxy) or an entry that is no address names no client, so REMOTE_ADDR is
used instead.
"""

import ipaddress

from django.conf import settings


def _address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The trusted client address of a Django or DRF request, or None if there is none."""
    remote = _address(request.META.get("REMOTE_ADDR"))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(hops) < proxies:
        return remote
    return _address(hops[-proxies]) or remote
