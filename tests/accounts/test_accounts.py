"""Client accounts: invitation codes, redeeming them, token lifetime and log-in rate limits."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIClient

from clients.models import Client, Invitation
from tests.conftest import client_for
from tests.factories import ClientFactory, ClientUserFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
TOKEN_URL = "/api/v1/auth/token/"
LOGOUT_URL = "/api/v1/auth/logout/"
REDEEM_URL = "/api/v1/auth/redeem/"
ME_URL = "/api/v1/me/"
PASSWORD = "a-long-test-password"
NEW_PASSWORD = "plum-orchard-lantern-42"
NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


def invitation_url(client):
    return f"/api/v1/clients/{client.pk}/invitation/"


def adherence_url(client):
    return f"/api/v1/clients/{client.pk}/adherence/"


@pytest.fixture
def own_client(therapist):
    return ClientFactory(therapist=therapist, first_name="Ada", last_name="Lovelace")


def invite(as_therapist, client) -> str:
    response = as_therapist.post(invitation_url(client))
    assert response.status_code == 201, response.content
    return response.json()["code"]


def redeem(api, code, username="ada", password=NEW_PASSWORD, **extra):
    body = {"code": code, "username": username, "password": password}
    return api.post(REDEEM_URL, body, **extra)


def log_in(api, username, password=PASSWORD, **extra):
    return api.post(TOKEN_URL, {"username": username, "password": password}, **extra)


def signed_in(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def errors_on(response, field) -> str:
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    return " ".join(body[field]).lower()


class TestInvitation:
    def test_returns_a_code_that_expires_in_seven_days(self, as_therapist, own_client):
        with time_machine.travel(NOON, tick=False):
            response = as_therapist.post(invitation_url(own_client))

        assert response.status_code == 201, response.content
        body = response.json()
        assert len(body["code"].replace("-", "")) >= 12
        assert parse_datetime(body["expires"]) == NOON + timedelta(days=7)

    def test_only_a_hash_of_the_code_is_stored(self, as_therapist, own_client):
        code = invite(as_therapist, own_client)

        row = Invitation.objects.filter(client=own_client).values().get()
        stored = " ".join(str(value) for value in row.values()).upper()
        assert code.upper() not in stored
        assert code.replace("-", "").upper() not in stored

    def test_a_new_code_replaces_the_old_one(self, api, as_therapist, own_client):
        old = invite(as_therapist, own_client)
        new = invite(as_therapist, own_client)

        assert new != old
        assert Invitation.objects.filter(client=own_client).count() == 1
        assert "wrong" in errors_on(redeem(api, old), "code")
        assert redeem(api, new).status_code == 201

    def test_each_call_gives_a_different_code(self, as_therapist, own_client):
        codes = {invite(as_therapist, own_client) for _ in range(5)}
        assert len(codes) == 5


class TestRedeem:
    def test_creates_the_clients_account_and_signs_it_in(self, api, as_therapist, own_client):
        code = invite(as_therapist, own_client)

        response = redeem(api, code, username="ada")

        assert response.status_code == 201, response.content
        body = response.json()
        expected_expiry = timezone.now() + settings.REST_KNOX["TOKEN_TTL"]
        assert abs(parse_datetime(body["expires"]) - expected_expiry) < timedelta(minutes=1)
        own_client.refresh_from_db()
        assert own_client.user.username == "ada"
        assert own_client.user.check_password(NEW_PASSWORD)
        assert own_client.invitation.used_at is not None
        me = signed_in(body["token"]).get(ME_URL)
        assert me.status_code == 200
        assert me.json()["id"] == own_client.pk
        assert log_in(api, "ada", NEW_PASSWORD).status_code == 200

    def test_the_code_may_be_typed_in_lower_case_without_dashes(
        self, api, as_therapist, own_client
    ):
        code = invite(as_therapist, own_client)
        assert redeem(api, code.replace("-", "").lower()).status_code == 201

    def test_a_wrong_code_is_refused(self, api, as_therapist, own_client):
        invite(as_therapist, own_client)
        assert "wrong" in errors_on(redeem(api, "AAAA-BBBB-CCCC"), "code")

    def test_a_used_code_is_refused(self, api, as_therapist, own_client):
        code = invite(as_therapist, own_client)
        assert redeem(api, code, username="ada").status_code == 201

        assert "already been used" in errors_on(redeem(api, code, username="ada2"), "code")
        assert not User.objects.filter(username="ada2").exists()

    def test_an_expired_code_is_refused(self, api, as_therapist, own_client):
        with time_machine.travel(NOON, tick=False):
            code = invite(as_therapist, own_client)
        with time_machine.travel(NOON + timedelta(days=7, seconds=1), tick=False):
            response = redeem(api, code)

        assert "expired" in errors_on(response, "code")

    def test_a_code_still_works_just_before_it_expires(self, api, as_therapist, own_client):
        with time_machine.travel(NOON, tick=False):
            code = invite(as_therapist, own_client)
        with time_machine.travel(NOON + timedelta(days=7, seconds=-1), tick=False):
            assert redeem(api, code).status_code == 201

    def test_a_client_who_already_has_an_account_is_refused(self, api, as_therapist, own_client):
        code = invite(as_therapist, own_client)  # the account was linked after the invitation
        own_client.user = UserFactory(username="ada-old")
        own_client.save()

        assert "already has an account" in errors_on(redeem(api, code, username="ada"), "code")
        own_client.refresh_from_db()
        assert own_client.user.username == "ada-old"

    @pytest.mark.parametrize("password", ["short1", "password123", "12345678901", "ada-lovelace"])
    def test_a_weak_password_is_refused(self, api, as_therapist, own_client, password):
        code = invite(as_therapist, own_client)
        assert errors_on(redeem(api, code, username="ada-lovelace", password=password), "password")

    @pytest.mark.parametrize("taken", ["casey", "CASEY"])
    def test_a_taken_username_is_refused(self, api, as_therapist, own_client, taken):
        UserFactory(username="casey")
        code = invite(as_therapist, own_client)
        assert "taken" in errors_on(redeem(api, code, username=taken), "username")

    @pytest.mark.parametrize("username", ["ada lovelace", "ada<script>", "a/b"])
    def test_a_username_with_forbidden_characters_is_refused(
        self, api, as_therapist, own_client, username
    ):
        code = invite(as_therapist, own_client)
        assert errors_on(redeem(api, code, username=username), "username")

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"code": "WRONG-CODE-0000"}, "code"),
            ({"password": "123"}, "password"),
            ({"username": "casey"}, "username"),
            ({"username": ""}, "username"),
            ({"code": ""}, "code"),
            ({"password": None}, "password"),
        ],
    )
    def test_nothing_is_created_when_refused(self, api, as_therapist, own_client, change, field):
        UserFactory(username="casey")
        code = invite(as_therapist, own_client)
        users = User.objects.count()
        body = {"code": code, "username": "ada", "password": NEW_PASSWORD, **change}

        response = api.post(REDEEM_URL, body)

        assert field in response.json() and response.status_code == 400
        assert User.objects.count() == users
        own_client.refresh_from_db()
        assert own_client.user is None and own_client.invitation.used_at is None
        assert not AuthToken.objects.exists()

    def test_a_non_object_body_is_a_400(self, api):
        assert api.post(REDEEM_URL, ["ada"]).status_code == 400
        assert api.post(TOKEN_URL, ["ada"]).status_code == 400


class TestTokens:
    def test_tokens_expire_after_the_configured_lifetime(self, api):
        UserFactory(username="casey")
        ttl = settings.REST_KNOX["TOKEN_TTL"]
        with time_machine.travel(NOON, tick=False):
            body = log_in(api, "casey").json()
        assert parse_datetime(body["expires"]) == NOON + ttl
        me = signed_in(body["token"])

        with time_machine.travel(NOON + ttl - timedelta(minutes=1), tick=False):
            assert me.get("/api/v1/exercises/").status_code == 200
        with time_machine.travel(NOON + ttl + timedelta(minutes=1), tick=False):
            assert me.get("/api/v1/exercises/").status_code == 401

    def test_logout_revokes_only_the_token_used(self, api):
        UserFactory(username="casey")
        phone = signed_in(log_in(api, "casey").json()["token"])
        tablet = signed_in(log_in(api, "casey").json()["token"])

        assert phone.post(LOGOUT_URL).status_code == 204

        assert phone.get("/api/v1/exercises/").status_code == 401
        assert tablet.get("/api/v1/exercises/").status_code == 200

    def test_tokens_are_stored_hashed(self, api):
        user = UserFactory(username="casey")
        token = log_in(api, "casey").json()["token"]

        rows = list(AuthToken.objects.filter(user=user).values())
        assert len(rows) == 1
        assert all(str(value) != token for value in rows[0].values())
        assert token not in " ".join(str(value) for value in rows[0].values())

    def test_a_redeemed_token_is_stored_hashed_too(self, api, as_therapist, own_client):
        token = redeem(api, invite(as_therapist, own_client)).json()["token"]
        values = " ".join(
            str(value) for row in AuthToken.objects.values() for value in row.values()
        )
        assert token not in values


def from_ip(number: int) -> dict:
    return {"REMOTE_ADDR": f"10.0.0.{number}"}


class TestRateLimits:
    def test_five_failures_for_a_username_lock_it_even_with_the_right_password(self, api):
        UserFactory(username="casey")
        UserFactory(username="robin")
        for number in range(5):
            assert log_in(api, "casey", "wrong", **from_ip(number)).status_code == 400

        assert log_in(api, "casey", **from_ip(99)).status_code == 429
        assert log_in(api, "CASEY", **from_ip(98)).status_code == 429
        assert log_in(api, "robin", **from_ip(99)).status_code == 200

    def test_four_failures_still_let_the_right_password_in(self, api):
        UserFactory(username="casey")
        for number in range(4):
            log_in(api, "casey", "wrong", **from_ip(number))
        assert log_in(api, "casey", **from_ip(99)).status_code == 200

    def test_failures_from_one_ip_across_usernames_lock_no_other_account(self, api):
        """The lock is per account: a clinic behind one address is not locked out by one
        person's failures (the address is rate-limited by the throttle instead)."""
        UserFactory(username="casey")
        for number in range(5):
            assert log_in(api, f"guess{number}", "wrong", **from_ip(1)).status_code == 400

        assert log_in(api, "casey", **from_ip(1)).status_code == 200

    def test_the_lock_lifts_after_fifteen_minutes(self, api):
        UserFactory(username="casey")
        with time_machine.travel(NOON, tick=False):
            for _ in range(5):
                log_in(api, "casey", "wrong")
            assert log_in(api, "casey").status_code == 429
        with time_machine.travel(NOON + timedelta(minutes=10), tick=False):
            assert log_in(api, "casey", "wrong").status_code == 429  # refused, so not counted
        with time_machine.travel(NOON + timedelta(minutes=16), tick=False):
            assert log_in(api, "casey").status_code == 200

    def test_wrong_invitation_codes_lock_redeem_for_that_username_after_five(
        self, api, as_therapist, own_client
    ):
        code = invite(as_therapist, own_client)
        for number in range(5):
            response = redeem(api, f"AAAA-BBBB-CCC{number + 2}", username="ada", **from_ip(number))
            assert response.status_code == 400

        assert redeem(api, code, username="ADA", **from_ip(9)).status_code == 429
        own_client.refresh_from_db()
        assert own_client.user is None
        assert redeem(api, code, username="bea", **from_ip(9)).status_code == 201


class TestPermissions:
    @pytest.fixture
    def endpoints(self, own_client):
        return [("post", invitation_url(own_client), 201), ("get", adherence_url(own_client), 200)]

    @pytest.mark.parametrize("index", range(2))
    def test_anonymous_gets_401(self, api, endpoints, index):
        method, url, _ = endpoints[index]
        assert getattr(api, method)(url).status_code == 401

    @pytest.mark.parametrize("index", range(2))
    def test_a_client_app_account_gets_403(self, own_client, endpoints, index):
        as_own_clients_app = client_for(ClientUserFactory(client_profile=own_client))
        method, url, _ = endpoints[index]
        assert getattr(as_own_clients_app, method)(url).status_code == 403

    @pytest.mark.parametrize("index", range(2))
    def test_another_therapist_gets_404(self, as_other_therapist, endpoints, index):
        method, url, _ = endpoints[index]
        assert getattr(as_other_therapist, method)(url).status_code == 404

    @pytest.mark.parametrize("index", range(2))
    def test_the_owner_succeeds(self, as_therapist, endpoints, index):
        method, url, expected = endpoints[index]
        assert getattr(as_therapist, method)(url).status_code == expected

    @pytest.mark.parametrize("index", range(2))
    def test_a_superuser_succeeds(self, as_superuser, endpoints, index):
        method, url, expected = endpoints[index]
        assert getattr(as_superuser, method)(url).status_code == expected

    def test_no_invitation_is_made_when_refused(
        self, api, as_client, as_other_therapist, own_client
    ):
        for caller in (api, as_client, as_other_therapist):
            caller.post(invitation_url(own_client))
        assert not Invitation.objects.exists()
        assert Client.objects.get(pk=own_client.pk).user is None
