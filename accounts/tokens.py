"""Token authentication: knox's own check, against the database on every request.

A token costs one indexed query, with its user. Nothing about it is remembered between requests,
so a log-out, a deleted token, a deactivated account or a changed role counts at once on every
server process, whatever the cache.
"""

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        try:
            token.decode()
        except UnicodeDecodeError as error:  # knox would raise it as it is (a 500)
            raise exceptions.AuthenticationFailed("Invalid token.") from error
        return super().authenticate_credentials(token)

    def _cleanup_token(self, auth_token) -> bool:
        """Whether this token has expired (it is then deleted). knox (5.1, pinned) would also
        read all of the user's other tokens on every request to purge expired ones; those are
        refused on their own when used, so that query is left out."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False
