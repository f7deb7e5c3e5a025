"""JSON answers cached as rendered bytes: a cached answer costs no serializing or encoding."""

from collections.abc import Callable

from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer

from . import generations
from .tokens import user_scope


def render(data) -> bytes:
    return JSONRenderer().render(data)


def json_response(body: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/json")


def cached_json(
    request, kind: str, scopes: list[str], build: Callable[[], object], *details
) -> HttpResponse:
    """The data of `build()` rendered once per state of `scopes` and of the caller (what they may
    see follows their account), per URL (pages link to each other by absolute URL) and per
    `details`. Errors raised are not cached."""
    url = (request.scheme, request.get_host(), request.get_full_path())
    details = (request.user.pk, url, *details)
    scopes = [*scopes, user_scope(request.user.pk)]
    return json_response(generations.cached(kind, scopes, details, lambda: render(build())))
