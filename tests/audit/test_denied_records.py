"""Attempts on objects outside the caller's scope are in the audit log as "denied".

Therapist B asks for therapist A's objects over the API and in the admin; each refusal is
recorded with what was asked for and no link to A's client, and nothing about the refusal
differs for B from asking for an id that does not exist.
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from programs.models import Program
from tests.conftest import client_for
from tests.factories import ClientFactory, ClientUserFactory, ProgramFactory, ScreeningFactory

pytestmark = pytest.mark.django_db


def events():
    """The log as (action, object type, object id, client id, status), oldest first."""
    return list(
        AuditEvent.objects.order_by("id").values_list(
            "action", "object_type", "object_id", "client_id", "status_code"
        )
    )


@pytest.fixture
def theirs(other_therapist):
    """Therapist A's client program; `therapist` (B) is the one asking."""
    return ProgramFactory(owner=other_therapist, status="active")


class TestApi:
    def test_another_therapists_program_is_denied_with_its_id(
        self, as_therapist, therapist, theirs
    ):
        url = f"/api/v1/programs/{theirs.pk}/"
        assert as_therapist.get(url).status_code == 404
        assert as_therapist.patch(url, {"title": "Mine"}).status_code == 404
        assert as_therapist.get(f"{url}print/").status_code == 404
        pk = str(theirs.pk)
        assert events() == [
            ("denied:retrieve", "program", pk, None, 404),
            ("denied:partial_update", "program", pk, None, 404),
            ("denied:print", "program", pk, None, 404),
        ]
        event = AuditEvent.objects.order_by("id").first()
        assert (event.path, event.user, event.username) == (url, therapist, therapist.username)

    def test_another_therapists_client_is_denied(self, as_therapist, theirs):
        url = f"/api/v1/clients/{theirs.client_id}/"
        assert as_therapist.get(url).status_code == 404
        assert as_therapist.get(f"{url}screenings/").status_code == 404
        pk = str(theirs.client_id)
        assert events() == [
            ("denied:retrieve", "client", pk, None, 404),
            ("denied:screenings", "client", pk, None, 404),
        ]

    def test_a_missing_id_is_recorded_like_a_hidden_one(self, as_therapist, theirs):
        hidden = as_therapist.get(f"/api/v1/programs/{theirs.pk}/")
        missing = as_therapist.get("/api/v1/programs/999999/")
        assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
        assert [event[0] for event in events()] == ["denied:retrieve", "denied:retrieve"]

    def test_an_id_longer_than_the_column_is_cut(self, as_therapist):
        junk = "x" * 120
        assert as_therapist.get(f"/api/v1/programs/{junk}/").status_code == 404
        assert events() == [("denied:retrieve", "program", junk[:40], None, 404)]

    def test_a_forbidden_role_is_denied_too(self, as_client, theirs):
        assert as_client.get("/api/v1/programs/").status_code == 403
        assert as_client.get(f"/api/v1/clients/{theirs.client_id}/").status_code == 403
        assert events() == [
            ("denied:list", "program", "", None, 403),
            ("denied:retrieve", "client", str(theirs.client_id), None, 403),
        ]

    def test_a_client_app_asking_for_another_clients_program(self, theirs):
        app = client_for(ClientUserFactory(client_profile=ClientFactory()))
        assert app.get(f"/api/v1/me/programs/{theirs.pk}/").status_code == 404
        assert events() == [("denied:retrieve", "program", str(theirs.pk), None, 404)]

    def test_anonymous_refusals_are_not_recorded(self, api, theirs):
        assert api.get(f"/api/v1/programs/{theirs.pk}/").status_code == 401
        assert api.get("/api/v1/clients/").status_code == 401
        assert events() == []

    @pytest.mark.parametrize("path", ["/api/v1/programs/", "/api/v1/clients/1/"])
    def test_an_unacceptable_type_with_a_bad_token_is_no_server_error(self, api, path):
        response = api.get(path, HTTP_ACCEPT="text/xml", HTTP_AUTHORIZATION="Token invalid")
        assert response.status_code in (401, 406)
        assert events() == []


def admin_url(name, *args):
    app = {"client": "clients", "screening": "clients", "auditevent": "audit"}.get(
        name.split("_")[0], "programs"
    )
    return reverse(f"admin:{app}_{name}", args=args)


@pytest.fixture
def admin(client, therapist):
    client.force_login(therapist)
    return client


class TestAdmin:
    @pytest.mark.parametrize(
        "view, action", [("change", "denied:admin"), ("history", "denied:admin-history")]
    )
    def test_another_therapists_program_redirects_and_is_denied(self, admin, theirs, view, action):
        response = admin.get(admin_url(f"program_{view}", theirs.pk), follow=True)
        assert response.redirect_chain == [(reverse("admin:index"), 302)]
        assert "doesn’t exist" in response.content.decode()
        # then the home page, the therapist's own attention list, is itself a read
        assert events()[0] == (action, "program", str(theirs.pk), None, 302)
        assert [event[0] for event in events()[1:]] == ["read:admin-attention"]

    def test_deleting_another_therapists_program_is_denied(self, admin, theirs):
        theirs.status = "draft"
        theirs.save()
        response = admin.post(admin_url("program_delete", theirs.pk), {"post": "yes"})
        assert response.status_code == 302
        assert Program.objects.filter(pk=theirs.pk).exists()
        assert events() == [("denied:admin-delete", "program", str(theirs.pk), None, 302)]

    def test_another_therapists_client_and_screening_are_denied(self, admin, theirs):
        screening = ScreeningFactory(client=theirs.client)
        admin.get(admin_url("client_change", theirs.client_id))
        admin.get(admin_url("screening_change", screening.pk))
        assert events() == [
            ("denied:admin", "client", str(theirs.client_id), None, 302),
            ("denied:admin", "screening", str(screening.pk), None, 302),
        ]

    def test_a_refusal_of_a_visible_object_is_denied_with_403(self, admin, therapist):
        template = ProgramFactory(owner=None, client=None, title="Shared")
        response = admin.post(admin_url("program_change", template.pk), {"title": "x"})
        assert response.status_code == 403
        mine = ClientFactory(therapist=therapist)
        assert admin.post(admin_url("client_delete", mine.pk), {"post": "yes"}).status_code == 403
        assert events() == [
            ("denied:admin", "program", str(template.pk), None, 403),
            ("denied:admin-delete", "client", str(mine.pk), None, 403),
        ]

    def test_a_junk_id_is_denied_and_cut_to_the_column(self, admin):
        junk = "y" * 120
        assert admin.get(admin_url("program_change", junk)).status_code == 302
        assert events() == [("denied:admin", "program", junk[:40], None, 302)]
