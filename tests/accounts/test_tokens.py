"""Every request checks its token against the database: each change to who the user is takes
effect at once, on every server process, with no cache to forget it."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.roles import THERAPISTS_GROUP
from accounts.tokens import TokenAuthentication
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
    assert api.get(CLIENTS_URL).status_code == 200
    return api


def test_a_token_is_checked_with_one_query(therapist, django_assert_num_queries):
    _, token = AuthToken.objects.create(therapist)
    with django_assert_num_queries(1):  # the token with its user, by its indexed key
        user, auth_token = TokenAuthentication().authenticate_credentials(token.encode())
    assert user == therapist
    assert auth_token.user_id == therapist.pk


def test_a_token_removed_behind_the_apps_back_is_refused_at_once(therapist, therapist_app):
    """As another process, or a database console, would remove it: no signal, no cache."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuthToken._meta.db_table}")
    assert therapist_app.get(CLIENTS_URL).status_code == 401


def test_a_role_changed_behind_the_apps_back_counts_at_once(therapist, therapist_app):
    through = therapist.groups.through
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {through._meta.db_table}")
    assert therapist_app.get(CLIENTS_URL).status_code == 403


def test_a_wrong_token_is_refused(therapist_app):
    therapist_app.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert therapist_app.get(CLIENTS_URL).status_code == 401


def test_a_malformed_token_is_refused():
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token not-hex-at-all")
    assert api.get(CLIENTS_URL).status_code == 401


def test_logout_revokes_the_token_at_once(therapist_app):
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
