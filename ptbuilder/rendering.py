"""JSON answers cached as rendered bytes: a cached answer costs no serializing or encoding."""

from collections.abc import Callable

from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer

from . import generations


def user_scope(user_id: int) -> str:
    """What a caller may see follows their account, its groups and its client profile."""
    return f"user:{user_id}"


def user_changed(sender, instance, **kwargs) -> None:
    generations.invalidate(user_scope(instance.pk))


def groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Membership changed from either side: a user's groups or a group's users (whose
    members are only known before a clear)."""
    if not reverse and action in ("post_add", "post_remove", "post_clear"):
        user_changed(sender, instance)
    elif reverse and action in ("post_add", "post_remove"):
        generations.invalidate(*(user_scope(pk) for pk in pk_set))
    elif reverse and action == "pre_clear":
        users = instance.user_set.values_list("pk", flat=True)
        generations.invalidate(*(user_scope(pk) for pk in users))


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
