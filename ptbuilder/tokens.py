"""Token authentication that remembers valid tokens in the shared cache.

knox finds, checks and loads a token with its user on every request. Here a valid token is
cached under its digest for TOKEN_CACHE_SECONDS (never past its expiry), together with its
user's role and client profile (not the password hash), so a request needs no database work to
know who is asking.

An entry is dropped when its token is deleted (log-out, expiry) and ignored as soon as the user
changes: their account, their groups or their client profile replace the "user:<id>"
generation (see generations.py).
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from rest_framework import exceptions

from . import generations
from .roles import is_therapist


def token_key(digest: str) -> str:
    return f"token:{digest[:64]}"  # 256 bits of the SHA-512 digest identify the token


def user_scope(user_id: int) -> str:
    return f"user:{user_id}"


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        try:
            key = token_key(hash_token(token.decode()))
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("Invalid token.") from error
        entry = cache.get(key)
        if entry is not None:
            auth_token, generation = entry
            fresh = auth_token.expiry is None or auth_token.expiry > timezone.now()
            if fresh and generations.current(user_scope(auth_token.user_id)) == generation:
                return auth_token.user, auth_token
        return self.remember(key, token)

    def remember(self, key: str, token: bytes):
        """knox's own check, then the token is cached with what later requests ask of its user:
        the role and the client profile. The user is read again after their generation, so a
        change made meanwhile leaves an entry that is never used."""
        _, found = super().authenticate_credentials(token)
        generation = generations.current(user_scope(found.user_id))
        user, auth_token = super().authenticate_credentials(token)
        is_therapist(user)
        hasattr(user, "client_profile")
        del user.password  # never cached: a deferred field, loaded again should it be needed
        timeout = settings.TOKEN_CACHE_SECONDS
        if auth_token.expiry is not None:
            timeout = min(timeout, (auth_token.expiry - timezone.now()).total_seconds())
        cache.set(key, (auth_token, generation), timeout)
        return user, auth_token


def token_deleted(sender, instance, **kwargs) -> None:
    cache.delete(token_key(instance.digest))


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
