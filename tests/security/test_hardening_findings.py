"""Smaller findings: the print view's CSP, a clean 503 without a database, and an entry whose
item was removed, as the schema declares it."""

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from drf_spectacular.generators import SchemaGenerator

from programs.models import Item
from tests.factories import ClientUserFactory, ExerciseLogFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def test_the_print_view_forbids_scripts(as_therapist, therapist):
    program = ProgramFactory(owner=therapist)
    response = as_therapist.get(f"/api/v1/programs/{program.pk}/print/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script" not in policy  # nothing widens default-src for scripts
    assert "frame-ancestors 'none'" in policy


@pytest.fixture
def database_down(monkeypatch):
    """Call it to make every query fail as with the database server gone."""

    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    def take_down():
        monkeypatch.setattr(CursorWrapper, "execute", refuse)
        monkeypatch.setattr(CursorWrapper, "executemany", refuse)

    return take_down


@pytest.mark.parametrize("path", ["/api/v1/programs/", "/api/v1/me/"])
def test_an_unreachable_database_is_a_503_over_the_api(client, therapist, database_down, path):
    client.force_login(therapist)
    database_down()  # the session is then read from the database, which is down
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "unavailable" in response.json()["detail"]


def test_an_unreachable_database_is_a_503_in_the_admin(client, therapist, database_down):
    client.force_login(therapist)
    database_down()
    response = client.get("/admin/programs/program/")
    assert response.status_code == 503
    assert response["Retry-After"]


def test_an_entry_whose_item_was_removed_is_null_as_the_schema_says(api):
    account = ClientUserFactory()
    entry = ExerciseLogFactory(session__program__client=account.client_profile)
    Item.objects.filter(pk=entry.item_id).delete()
    api.force_authenticate(account)
    [session] = api.get("/api/v1/me/sessions/").json()["results"]
    assert session["entries"][0]["item"] is None

    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    assert components["ExerciseLog"]["properties"]["item"].get("nullable") is True
    assert not components["ExerciseLogRequest"]["properties"]["item"].get("nullable")
