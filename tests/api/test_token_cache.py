"""Checked tokens come from the cache, and every change to who the user is takes effect at once."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from ptbuilder import generations, tokens
from ptbuilder.roles import THERAPISTS_GROUP, client_profile_id, is_therapist
from ptbuilder.tokens import CachedTokenAuthentication, token_key, user_scope
from tests.factories import ClientFactory, ClientUserFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db
CLIENTS_URL = "/api/v1/clients/"
MY_PROGRAMS_URL = "/api/v1/me/programs/"


def signed_in(user) -> tuple[APIClient, str]:
    _, token = AuthToken.objects.create(user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api, token


@pytest.fixture
def therapist_app(therapist):
    api, _ = signed_in(therapist)
    assert api.get(CLIENTS_URL).status_code == 200  # the token is cached from here on
    return api


def test_a_checked_token_needs_no_database_work(therapist, django_assert_num_queries):
    _, token = AuthToken.objects.create(therapist)
    authentication = CachedTokenAuthentication()
    user, _ = authentication.authenticate_credentials(token.encode())

    with django_assert_num_queries(0):
        again, auth_token = authentication.authenticate_credentials(token.encode())

    assert again == user == therapist
    assert auth_token.user_id == therapist.pk


def test_the_role_and_client_profile_come_with_the_cached_token(django_assert_num_queries):
    account = ClientUserFactory()
    _, token = AuthToken.objects.create(account)
    authentication = CachedTokenAuthentication()
    authentication.authenticate_credentials(token.encode())

    with django_assert_num_queries(0):
        user, _ = authentication.authenticate_credentials(token.encode())
        assert client_profile_id(user) == account.client_profile.pk
        assert is_therapist(user) is False


def test_a_therapists_role_comes_with_the_cached_token(therapist, django_assert_num_queries):
    _, token = AuthToken.objects.create(therapist)
    authentication = CachedTokenAuthentication()
    authentication.authenticate_credentials(token.encode())

    with django_assert_num_queries(0):
        user, _ = authentication.authenticate_credentials(token.encode())
        assert is_therapist(user) is True
        assert client_profile_id(user) is None


def test_a_wrong_token_is_refused(therapist_app):
    therapist_app.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert therapist_app.get(CLIENTS_URL).status_code == 401


def test_a_malformed_token_is_refused():
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token not-hex-at-all")
    assert api.get(CLIENTS_URL).status_code == 401


def test_logout_revokes_a_cached_token_at_once(therapist_app):
    assert therapist_app.post("/api/v1/auth/logout/").status_code == 204
    assert therapist_app.get(CLIENTS_URL).status_code == 401


def test_a_deleted_token_is_refused_at_once(therapist, therapist_app):
    AuthToken.objects.filter(user=therapist).delete()
    assert therapist_app.get(CLIENTS_URL).status_code == 401


def test_a_deactivated_account_is_refused_at_once(therapist, therapist_app):
    therapist.is_active = False
    therapist.save()
    assert therapist_app.get(CLIENTS_URL).status_code == 401


def test_leaving_the_therapists_group_takes_effect_at_once(therapist, therapist_app):
    therapist.groups.remove(Group.objects.get(name=THERAPISTS_GROUP))
    assert therapist_app.get(CLIENTS_URL).status_code == 403


def test_removal_from_the_groups_side_takes_effect_at_once(therapist, therapist_app):
    Group.objects.get(name=THERAPISTS_GROUP).user_set.remove(therapist)
    assert therapist_app.get(CLIENTS_URL).status_code == 403


def test_clearing_the_group_takes_effect_at_once(therapist, therapist_app):
    Group.objects.get(name=THERAPISTS_GROUP).user_set.clear()
    assert therapist_app.get(CLIENTS_URL).status_code == 403


def test_joining_the_therapists_group_takes_effect_at_once(client_user):
    api, _ = signed_in(client_user)
    assert api.get(CLIENTS_URL).status_code == 403
    Group.objects.get(name=THERAPISTS_GROUP).user_set.add(client_user)
    assert api.get(CLIENTS_URL).status_code == 200


def test_an_account_that_loses_its_client_profile_loses_the_clients_data_at_once():
    account = ClientUserFactory()
    api, _ = signed_in(account)
    assert api.get(MY_PROGRAMS_URL).status_code == 200

    client = account.client_profile
    client.user = UserFactory()
    client.save()

    assert api.get(MY_PROGRAMS_URL).status_code == 403


def test_an_account_given_a_client_profile_sees_it_at_once(client_user):
    api, _ = signed_in(client_user)
    assert api.get(MY_PROGRAMS_URL).status_code == 403
    client = ClientFactory(therapist=TherapistFactory())
    client.user = client_user
    client.save()
    assert api.get(MY_PROGRAMS_URL).status_code == 200


def test_a_changed_client_profile_is_seen_at_once():
    account = ClientUserFactory()
    api, _ = signed_in(account)
    assert api.get("/api/v1/me/").json()["units"] == "metric"

    client = account.client_profile
    client.units = "imperial"
    client.save()

    assert api.get("/api/v1/me/").json()["units"] == "imperial"


def test_a_token_that_is_not_utf8_is_refused():
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token caf\xe9")
    assert api.get(CLIENTS_URL).status_code == 401


def test_the_password_hash_is_not_cached(therapist):
    _, token = AuthToken.objects.create(therapist)
    CachedTokenAuthentication().authenticate_credentials(token.encode())

    identity = cache.get(token_key(hash_token(token)))

    assert therapist.password not in repr(identity)
    user, _ = identity.instances()
    assert user.password == therapist.password  # a deferred field, loaded should it be needed


def test_each_request_gets_its_own_instances(therapist):
    _, token = AuthToken.objects.create(therapist)
    authentication = CachedTokenAuthentication()
    first_user, first_token = authentication.authenticate_credentials(token.encode())
    second_user, second_token = authentication.authenticate_credentials(token.encode())

    assert first_user == second_user and first_user is not second_user
    assert first_token.pk == second_token.pk and first_token is not second_token
    assert second_token.user is second_user


def test_a_worker_checks_its_memory_against_the_shared_generation(therapist, therapist_app):
    """Another server changed the account: only the shared generation tells this worker."""
    generations.invalidate(user_scope(therapist.pk))
    type(therapist).objects.filter(pk=therapist.pk).update(is_active=False)  # no signal here
    assert therapist_app.get(CLIENTS_URL).status_code == 401


def test_a_full_worker_memory_starts_again(therapist, monkeypatch):
    monkeypatch.setattr(tokens, "WORKER_MEMORY", 2)
    authentication = CachedTokenAuthentication()
    for _ in range(3):
        _, token = AuthToken.objects.create(therapist)
        authentication.authenticate_credentials(token.encode())
    assert len(tokens.remembered) == 1
