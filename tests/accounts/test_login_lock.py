"""One failure lock per account for the admin log-in, the API token log-in and redeem.

At most AUTH_FAILURE_LIMIT wrong passwords are checked per account in 15 minutes, whichever of
the three they come through, from whatever address, in whatever case, and in parallel; other
accounts behind the same address are not affected. A changed password revokes the account's
tokens.
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import ClientFactory, SuperuserFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
TOKEN_URL = "/api/v1/auth/token/"
REDEEM_URL = "/api/v1/auth/redeem/"
ADMIN_LOGIN_URL = "/admin/login/"
PASSWORD = "a-long-test-password"
NEW_PASSWORD = "plum-orchard-lantern-42"
LIMIT = 5


class PasswordChecks:
    """Counts the wrong passwords checked against real accounts; `delay` widens races."""

    def __init__(self):
        self.wrong = 0
        self.delay = 0.0
        self._lock = threading.Lock()


@pytest.fixture
def password_checks(monkeypatch):
    checks = PasswordChecks()
    check_password = AbstractBaseUser.check_password

    def counting(user, raw_password):
        if checks.delay:
            time.sleep(checks.delay)
        right = check_password(user, raw_password)
        if not right:
            with checks._lock:
                checks.wrong += 1
        return right

    monkeypatch.setattr(AbstractBaseUser, "check_password", counting)
    return checks


def api_log_in(username, password=PASSWORD, **extra):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, **extra)


def admin_log_in(client, username, password=PASSWORD, **extra):
    body = {"username": username, "password": password, "next": "/admin/"}
    return client.post(ADMIN_LOGIN_URL, body, **extra)


def signed_in_to_admin(client) -> bool:
    return client.get("/admin/").status_code == 200


def wrong_redeem(username, **extra):
    body = {"code": "AAAA-BBBB-CCCC", "username": username, "password": NEW_PASSWORD}
    return APIClient().post(REDEEM_URL, body, **extra)


class TestAdminLogIn:
    def test_wrong_passwords_lock_the_admin_log_in(self, client, password_checks):
        SuperuserFactory(username="root")
        for _ in range(25):
            admin_log_in(client, "root", "wrong")

        response = admin_log_in(client, "root")
        assert response.status_code == 429
        assert "locked" in response.content.decode().lower()
        assert int(response["Retry-After"]) > 0
        assert not signed_in_to_admin(client)
        assert password_checks.wrong == LIMIT

    def test_the_failure_that_reaches_the_limit_already_shows_the_lock(self, client):
        SuperuserFactory(username="root")
        codes = [admin_log_in(client, "root", "wrong").status_code for _ in range(LIMIT)]
        assert codes == [200] * (LIMIT - 1) + [429]

    def test_fewer_failures_still_let_the_right_password_in(self, client):
        SuperuserFactory(username="root")
        for _ in range(LIMIT - 1):
            admin_log_in(client, "root", "wrong")
        assert admin_log_in(client, "root").status_code == 302
        assert signed_in_to_admin(client)

    def test_admin_failures_lock_the_api_log_in(self, client):
        TherapistFactory(username="casey")
        for _ in range(LIMIT):
            admin_log_in(client, "casey", "wrong")
        response = api_log_in("casey")
        assert response.status_code == 429
        assert set(response.json()) == {"detail"}

    def test_api_failures_lock_the_admin_log_in(self, client):
        SuperuserFactory(username="root")
        for _ in range(LIMIT):
            assert api_log_in("root", "wrong").status_code == 400
        assert admin_log_in(client, "root").status_code == 429
        assert not signed_in_to_admin(client)

    def test_redeem_failures_under_a_username_lock_that_account(self, client):
        SuperuserFactory(username="root")
        for _ in range(LIMIT):
            assert wrong_redeem("root").status_code == 400
        assert admin_log_in(client, "root").status_code == 429
        assert api_log_in("root").status_code == 429

    def test_the_username_is_one_lock_whatever_its_case(self, client):
        SuperuserFactory(username="root")
        for username in ["ROOT", "Root", "rOOt", "root", "ROOT"]:
            api_log_in(username, "wrong")
        assert admin_log_in(client, "root").status_code == 429


class TestPerAccount:
    def test_one_accounts_failures_do_not_lock_another_behind_the_same_address(self):
        UserFactory(username="casey")
        UserFactory(username="robin")
        for _ in range(LIMIT):
            assert api_log_in("casey", "wrong", REMOTE_ADDR="10.0.0.1").status_code == 400

        assert api_log_in("robin", REMOTE_ADDR="10.0.0.1").status_code == 200
        assert api_log_in("casey", REMOTE_ADDR="10.0.0.1").status_code == 429

    def test_an_account_is_locked_from_every_address(self, password_checks):
        UserFactory(username="casey")
        for number in range(LIMIT + 3):
            api_log_in("casey", "wrong", REMOTE_ADDR=f"10.0.0.{number}")
        assert api_log_in("casey", REMOTE_ADDR="10.9.9.9").status_code == 429
        assert password_checks.wrong == LIMIT

    def test_the_api_lock_answers_429_json_with_retry_after(self):
        UserFactory(username="casey")
        for _ in range(LIMIT):
            api_log_in("casey", "wrong")
        response = api_log_in("casey")
        assert response.status_code == 429
        assert set(response.json()) == {"detail"}
        assert int(response["Retry-After"]) > 0

    def test_a_wrong_username_locks_no_one_else(self):
        UserFactory(username="casey")
        for number in range(LIMIT):
            assert api_log_in(f"nobody{number}", "wrong").status_code == 400
        assert api_log_in("casey").status_code == 200

    def test_right_passwords_do_not_count(self):
        UserFactory(username="casey")
        for _ in range(LIMIT + 2):
            assert api_log_in("casey").status_code == 200
        for _ in range(LIMIT - 1):
            api_log_in("casey", "wrong")
        assert api_log_in("casey").status_code == 200

    def test_a_taken_username_with_a_right_code_does_not_count(self, as_therapist, therapist):
        UserFactory(username="casey")
        client = ClientFactory(therapist=therapist)
        code = as_therapist.post(f"/api/v1/clients/{client.pk}/invitation/").json()["code"]
        body = {"code": code, "username": "casey", "password": NEW_PASSWORD}
        for _ in range(LIMIT):
            assert APIClient().post(REDEEM_URL, body).status_code == 400
        assert api_log_in("casey").status_code == 200

    def test_the_failure_limit_is_the_setting(self, settings):
        settings.AXES_FAILURE_LIMIT = 2
        UserFactory(username="casey")
        assert [api_log_in("casey", "wrong").status_code for _ in range(3)] == [400, 400, 429]


def test_auth_failure_limit_sets_the_lock_from_the_environment():
    env = {**os.environ, "AUTH_FAILURE_LIMIT": "1000000"}
    code = "from django.conf import settings; print(settings.AXES_FAILURE_LIMIT)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split()[-1:] == ["1000000"], result.stderr


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestParallel:
    """Attempts at once, each thread with its own connection; SQLite in tests is one in-memory
    database that threads cannot write in parallel, so these run on PostgreSQL only."""

    THREADS = 40

    @pytest.fixture(autouse=True)
    def _postgresql_only(self):
        if connection.vendor == "sqlite":
            pytest.skip("parallel writers need PostgreSQL")

    def run_at_once(self, attempt) -> list[int]:
        barrier = threading.Barrier(self.THREADS)
        codes = []

        def run(number):
            try:
                barrier.wait(timeout=30)
                codes.append(attempt(number))
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(n,)) for n in range(self.THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert len(codes) == self.THREADS
        return codes

    def test_parallel_wrong_passwords_check_at_most_the_limit(self, password_checks):
        UserFactory(username="casey")
        password_checks.delay = 0.05  # each check takes a while: the others arrive meanwhile

        codes = self.run_at_once(
            lambda number: api_log_in("casey", "wrong", REMOTE_ADDR=f"10.1.0.{number}").status_code
        )

        assert password_checks.wrong == LIMIT
        assert sorted(codes) == [400] * LIMIT + [429] * (self.THREADS - LIMIT)

    def test_parallel_admin_and_api_attempts_share_the_limit(self, password_checks):
        from django.test import Client

        SuperuserFactory(username="root")
        password_checks.delay = 0.05

        def attempt(number):
            address = f"10.2.0.{number}"
            if number % 2:
                return admin_log_in(Client(), "root", "wrong", REMOTE_ADDR=address).status_code
            return api_log_in("root", "wrong", REMOTE_ADDR=address).status_code

        self.run_at_once(attempt)
        assert password_checks.wrong == LIMIT
        assert api_log_in("root").status_code == 429


class TestPasswordChangeRevokesTokens:
    @pytest.fixture
    def casey(self):
        return TherapistFactory(username="casey")

    @pytest.fixture
    def token(self, casey):
        return api_log_in("casey").json()["token"]

    @staticmethod
    def works(token) -> bool:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        status_code = api.get("/api/v1/exercises/").status_code
        assert status_code in (200, 401)
        return status_code == 200

    def test_the_admin_password_change_form_revokes_them(self, client, casey, token):
        assert self.works(token)
        client.force_login(casey)
        response = client.post(
            "/admin/password_change/",
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert response.status_code == 302, response.content
        assert not self.works(token)
        assert signed_in_to_admin(client)  # the session that changed it stays signed in

    def test_a_password_set_in_the_user_admin_revokes_them(self, client, casey, token):
        assert self.works(token)
        client.force_login(SuperuserFactory())
        response = client.post(
            f"/admin/auth/user/{casey.pk}/password/",
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        )
        assert response.status_code == 302, response.content
        assert not self.works(token)
        assert api_log_in("casey", NEW_PASSWORD).status_code == 200

    def test_set_password_anywhere_revokes_them(self, casey, token):
        other = api_log_in("casey").json()["token"]
        casey.set_password(NEW_PASSWORD)
        casey.save()
        assert not self.works(token) and not self.works(other)

    def test_other_changes_to_the_account_keep_them(self, casey, token):
        casey.first_name = "Casey"
        casey.save()
        casey.save(update_fields=["last_login"])
        assert self.works(token)
