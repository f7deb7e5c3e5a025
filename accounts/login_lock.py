"""One failure lock per account for every log-in: the admin's, the API's token and redeem.

django-axes keeps the count in the database (its `AccessAttempt` rows, summed per username over
AXES_COOLOFF_TIME), names the client by `client_ip`, and answers a lock-out in the admin. On its
own it is check-then-act: it checks the count, the password is checked, then the failure is
recorded, so attempts made at once all pass the check before any is recorded (an audit saw 18 of
40 parallel wrong passwords checked with a limit of 5). Here the check reserves: under a lock
on the account, an attempt that may go on is counted at once, and only then is its password
checked. A right password takes the count back; a wrong one turns it into axes' own record of
the failure. So at most AXES_FAILURE_LIMIT wrong passwords are checked per account in the
window, in any number of processes. The lock is a PostgreSQL advisory lock per account; on
SQLite the transaction itself is the lock (it takes the database's write lock when it begins,
see settings.py). An attempt that crashes while its password is checked stays counted.

The lock is per account only, whatever the address: a clinic behind one address must not be
locked out by one person's typos or one attacker. The per-address limit is the rate throttle
(throttling.py), keyed on the same trusted client address.
"""

import hashlib
import zlib
from collections.abc import Mapping
from contextlib import contextmanager

from axes.backends import AxesBackend
from axes.exceptions import AxesBackendPermissionDenied, AxesBackendRequestParameterRequired
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_credentials
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured
from django.db import router, transaction
from django.db.models import Case, F, Value, When
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from rest_framework.exceptions import Throttled

USERNAME_LENGTH = 150
LOCK_SPACE = zlib.crc32(b"accounts.login_lock") - 2**31
"""First key of the advisory locks, so that they meet no other advisory lock."""


class AccountLocked(Throttled):
    default_detail = "Too many failed log-ins for this account; try again later."

    def __init__(self):
        super().__init__(wait=retry_after())


def retry_after() -> int:
    """Seconds until a lock lifts at the latest: the window of the last counted failure."""
    return int(get_cool_off().total_seconds())


def lock_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the username as given (credentials, a JSON body or a form),
    case-folded, so that "Casey" and "casey" are one lock."""
    field = get_user_model().USERNAME_FIELD
    username = (credentials or {}).get(field)
    if username is None:
        data = getattr(request, "data", None)
        username = (data if isinstance(data, Mapping) else request.POST).get(field)
    if not isinstance(username, str) or not username:
        return None
    return username.casefold()[:USERNAME_LENGTH]


@contextmanager
def account_lock(username: str | None):
    """A transaction that holds the account's lock until it ends."""
    using = router.db_for_write(AccessAttempt)
    with transaction.atomic(using=using):
        connection = transaction.get_connection(using)
        if username and connection.vendor == "postgresql":
            digest = hashlib.sha256(username.encode()).digest()
            key = int.from_bytes(digest[:4], "big", signed=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, key])
        yield


class AtomicDatabaseHandler(AxesDatabaseHandler):
    """AXES_HANDLER: axes' database handler whose check reserves the attempt."""

    def reserve(self, request, credentials: dict) -> bool:
        """False if the account is locked; otherwise the attempt counts as failed until
        `release` takes it back or `user_login_failed` records it."""
        AxesProxyHandler.update_request(request)
        username = get_client_username(request, credentials)
        if username is None:
            return self.is_allowed(request, credentials)
        with account_lock(username):
            self.clean_expired_user_attempts(request, credentials)  # or a stale row would count
            if not self.is_allowed(request, credentials):
                return False
            if self.is_whitelisted(request, credentials):
                return True
            now = timezone.now()
            attempt, created = AccessAttempt.objects.get_or_create(
                username=username,
                ip_address=request.axes_ip_address,
                user_agent=request.axes_user_agent,
                defaults={
                    "failures_since_start": 1,
                    "http_accept": request.axes_http_accept,
                    "path_info": request.axes_path_info,
                },
            )
            if created:
                reserved_at = previous = attempt.attempt_time
            else:
                reserved_at, previous = now, attempt.attempt_time
                AccessAttempt.objects.filter(pk=attempt.pk).update(
                    failures_since_start=F("failures_since_start") + 1, attempt_time=now
                )
        request.login_reservation = (username, attempt.pk, previous, reserved_at)
        return True

    def release(self, request) -> None:
        """Takes back the reserved count, and the row's time if nothing has dated it since."""
        reservation = getattr(request, "login_reservation", None)
        if reservation is None:
            return
        request.login_reservation = None
        username, pk, previous, reserved_at = reservation
        with account_lock(username):
            rows = AccessAttempt.objects.filter(pk=pk)
            rows.filter(failures_since_start__gt=0).update(
                failures_since_start=F("failures_since_start") - 1,
                attempt_time=Case(
                    When(attempt_time=reserved_at, then=Value(previous)),
                    default=F("attempt_time"),
                ),
            )
            rows.filter(failures_since_start=0).delete()

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        """The reserved count becomes axes' record of the failure, in one transaction, so no
        other attempt sees it missing meanwhile."""
        if request is None:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        with account_lock(get_client_username(request, credentials)):
            self.release(request)
            super().user_login_failed(sender, credentials, request, **kwargs)


def handler() -> AtomicDatabaseHandler:
    implementation = AxesProxyHandler.get_implementation()
    if not isinstance(implementation, AtomicDatabaseHandler):
        raise ImproperlyConfigured("AXES_HANDLER must be accounts.login_lock.AtomicDatabaseHandler")
    return implementation


def reserve(request, credentials: dict) -> bool:
    """For a check other than a password (redeem's code): False if the account is locked."""
    return not settings.AXES_ENABLED or handler().reserve(request, credentials)


def release(request) -> None:
    """The reserved attempt succeeded (or was no guess): it does not count."""
    if settings.AXES_ENABLED:
        handler().release(request)


def failed(request, credentials: dict, sender) -> None:
    """The reserved attempt failed: it counts towards the account's lock."""
    AxesProxyHandler.user_login_failed(sender, credentials, request)


def refused(request) -> bool:
    """Whether the account was locked, so its password was not checked."""
    return getattr(request, "login_locked", False)


class LoginLockBackend(AxesBackend):
    """AUTHENTICATION_BACKENDS' only entry: the account's lock, then Django's password check
    (ModelBackend, which also answers permissions). Refusing raises PermissionDenied, which
    stops `authenticate`; a refused attempt is not counted, so a lock lifts on time."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.AXES_ENABLED:
            return ModelBackend.authenticate(self, request, username, password, **kwargs)
        if request is None:
            raise AxesBackendRequestParameterRequired("The log-in lock needs the request.")
        if not handler().reserve(request, get_credentials(username, **kwargs)):
            request.login_locked = request.axes_locked_out = True
            raise AxesBackendPermissionDenied("The account is locked.")
        user = ModelBackend.authenticate(self, request, username, password, **kwargs)
        if user is not None:
            handler().release(request)
        return user


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429 with Retry-After; JSON under /api/, else the admin's page."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": AccountLocked.default_detail}, status=429)
    else:
        context = {
            **admin.site.each_context(request),
            "title": "Log-in locked",
            "minutes": max(1, retry_after() // 60),
        }
        response = render(request, "ptbuilder/locked_out.html", context, status=429)
    response["Retry-After"] = str(retry_after())
    return response
