"""Token authentication that remembers checked tokens.

knox finds, checks and loads a token with its user on every request. Here a checked token is
remembered as an `Identity` (the token's and the user's field values, the role and the client
profile; never the password hash) for TOKEN_CACHE_SECONDS, never past the token's expiry: in the
shared cache, and in the worker itself to spare the cache round trip. Each request gets fresh
model instances built from it, so no request can change another's.

An identity stands only while the user's "user:<id>" generation (see generations.py) is the one
it was made under. Deleting a token (log-out, expiry) and changing the account, its groups or
its client profile replace that generation, on every server at once.
"""

import time
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework import exceptions

from . import generations
from .roles import client_profile_id, is_therapist

WORKER_MEMORY = 10_000
"""Identities a worker keeps; it forgets them all when full."""


def token_key(digest: str) -> str:
    return f"token:{digest[:64]}"  # 256 bits of the SHA-512 digest identify the token


def user_scope(user_id: int) -> str:
    return f"user:{user_id}"


def _fields(model, *left_out: str) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields if field.attname not in left_out]


class Identity(NamedTuple):
    """Who a checked token stands for, as plain values."""

    token: tuple
    user: tuple
    is_therapist: bool
    client_profile_id: int | None
    generation: str
    until: float

    @classmethod
    def of(cls, auth_token, generation: str) -> "Identity":
        user = auth_token.user
        until = time.time() + settings.TOKEN_CACHE_SECONDS
        if auth_token.expiry is not None:
            until = min(until, auth_token.expiry.timestamp())
        return cls(
            tuple(getattr(auth_token, name) for name in TOKEN_FIELDS),
            tuple(getattr(user, name) for name in USER_FIELDS),
            is_therapist(user),
            client_profile_id(user),
            generation,
            until,
        )

    def instances(self):
        """(user, token), new model instances; the password is a deferred field."""
        user = get_user_model().from_db(DEFAULT_DB_ALIAS, USER_FIELDS, self.user)
        user._is_therapist = self.is_therapist
        user._client_profile_id = self.client_profile_id
        auth_token = AuthToken.from_db(DEFAULT_DB_ALIAS, TOKEN_FIELDS, self.token)
        AuthToken.user.field.set_cached_value(auth_token, user)
        return user, auth_token


TOKEN_FIELDS = _fields(AuthToken)
USER_FIELDS = _fields(get_user_model(), "password")
USER_ID = USER_FIELDS.index(get_user_model()._meta.pk.attname)
remembered: dict[str, Identity] = {}


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        try:
            digest = hash_token(token.decode())
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("Invalid token.") from error
        key = token_key(digest)
        identity = remembered.get(key) or cache.get(key)
        if identity is not None and self.stands(identity):
            remembered[key] = identity
            return identity.instances()
        return self.remember(key, digest, token)

    @staticmethod
    def stands(identity: Identity) -> bool:
        user_id = identity.user[USER_ID]
        current = generations.current(user_scope(user_id))
        return identity.until > time.time() and identity.generation == current

    def remember(self, key: str, digest: str, token: bytes):
        """knox's own check, then the identity is kept. The user's generation is read before
        knox loads the user, so a change made meanwhile leaves an identity that never stands."""
        found = AuthToken.objects.filter(digest=digest).values_list("user_id", flat=True)
        user_id = next(iter(found), None)
        generation = generations.current(user_scope(user_id)) if user_id else ""
        _, auth_token = super().authenticate_credentials(token)
        identity = Identity.of(auth_token, generation)
        cache.set(key, identity, identity.until - time.time())
        if len(remembered) >= WORKER_MEMORY:
            remembered.clear()
        remembered[key] = identity
        return identity.instances()


def token_deleted(sender, instance, **kwargs) -> None:
    cache.delete(token_key(instance.digest))
    generations.invalidate(user_scope(instance.user_id))  # workers' memories too


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
