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


def per_caller(request, kind: str, scopes: list[str], build: Callable[[], object], *details):
    """`build()` once per state of `scopes` and of the caller (what they may see follows their
    account), and per `details`. Errors raised are not cached."""
    user_id = request.user.pk
    scopes = [*scopes, user_scope(user_id)]
    return generations.cached(kind, scopes, (user_id, *details), build)


def cached_json(
    request, kind: str, scopes: list[str], build: Callable[[], object], *details
) -> HttpResponse:
    """The data of `build()` rendered once per caller (see per_caller), per URL (pages link to
    each other by absolute URL) and per `details`."""
    url = (request.scheme, request.get_host(), request.get_full_path())
    body = per_caller(request, kind, scopes, lambda: render(build()), url, *details)
    return json_response(body)
