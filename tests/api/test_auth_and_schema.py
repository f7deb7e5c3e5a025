import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from accounts.roles import THERAPISTS_GROUP, is_therapist
from exercises.models import Exercise
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_token_log_in_returns_an_expiring_token_that_authenticates(api):
    UserFactory(username="casey")
    response = api.post(
        "/api/v1/auth/token/", {"username": "casey", "password": "a-long-test-password"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["expires"] and len(body["token"]) >= 32
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert api.get("/api/v1/exercises/").status_code == 200


def test_wrong_password_is_a_400(api):
    UserFactory(username="casey")
    response = api.post("/api/v1/auth/token/", {"username": "casey", "password": "wrong"})
    assert response.status_code == 400
    assert "token" not in response.json()


def test_logout_revokes_the_token(api):
    UserFactory(username="casey")
    token = api.post(
        "/api/v1/auth/token/", {"username": "casey", "password": "a-long-test-password"}
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.post("/api/v1/auth/logout/").status_code == 204
    assert api.get("/api/v1/exercises/").status_code == 401


def test_session_auth_works_for_the_browsable_api(client):
    client.force_login(UserFactory())
    assert client.get("/api/v1/exercises/").status_code == 200


def test_conditions_list_red_flags_in_order(as_client):
    call_command("seed_library")
    body = as_client.get("/api/v1/conditions/").json()
    sciatica = body["results"][0]
    assert sciatica["slug"] == "sciatica"
    assert [flag["position"] for flag in sciatica["red_flags"]] == list(range(1, 9))
    assert {"text", "client_text", "is_emergency"} <= set(sciatica["red_flags"][0])


def test_schema_validates_and_docs_render_without_internet(client, capsys):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith("/") and not url.startswith("//") for url in assets)
    assert client.get("/api/schema/").status_code == 200


def test_createtherapist_makes_a_staff_user_in_the_therapists_group():
    call_command("createtherapist", "robin", "--password", "a-long-test-password")
    from django.contrib.auth import get_user_model

    robin = get_user_model().objects.get(username="robin")
    assert robin.is_staff and not robin.is_superuser and is_therapist(robin)
    assert (
        Group.objects.get(name=THERAPISTS_GROUP)
        .permissions.filter(codename="add_exercise")
        .exists()
    )
    assert Exercise.objects.count() == 0


def test_the_schema_documents_the_etag_of_program_answers():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    program = schema["paths"]["/api/v1/programs/{id}/"]
    for method, status in [("get", "200"), ("put", "200"), ("patch", "200")]:
        assert "ETag" in program[method]["responses"][status]["headers"]
    activate = schema["paths"]["/api/v1/programs/{id}/activate/"]["post"]
    assert "ETag" in activate["responses"]["200"]["headers"]
    assert "ETag" in schema["paths"]["/api/v1/programs/"]["post"]["responses"]["201"]["headers"]
