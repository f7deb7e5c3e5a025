"""Bodies no client should send get a 400 naming the field, never a 500 (raw JSON over HTTP)."""

import json

import pytest

from tests.factories import ClientFactory, ClientUserFactory, ProgramFactory

pytestmark = pytest.mark.django_db
SURROGATE = '"\\ud800"'  # a JSON escape of half a UTF-16 pair: valid JSON, not valid text


def post_raw(api, method, path, body: str):
    return getattr(api, method)(path, body, content_type="application/json")


def sign_in(api, therapist, path: str) -> None:
    """The client app's endpoints take a client's account, the rest a therapist's."""
    api.force_authenticate(ClientUserFactory() if path.startswith("/api/v1/me/") else therapist)


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.fixture
def paths(therapist):
    program = ProgramFactory(owner=therapist)
    client = ClientFactory(therapist=therapist)
    return {"program": f"/api/v1/programs/{program.pk}/", "client": f"/api/v1/clients/{client.pk}/"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/auth/token/"),
        ("post", "/api/v1/auth/redeem/"),
        ("post", "/api/v1/programs/"),
        ("patch", "program"),
        ("post", "/api/v1/clients/"),
        ("post", "/api/v1/exercises/"),
        ("post", "/api/v1/me/sessions/"),
    ],
)
def test_json_nested_a_thousand_levels_deep_is_a_400(api, therapist, paths, method, path):
    sign_in(api, therapist, path)
    body = '{"title": ' + deep(1000) + "}"
    response = post_raw(api, method, paths.get(path, path), body)
    assert response.status_code == 400, response.content
    assert "nested deeper" in response.json()["detail"]


def test_nesting_a_valid_program_needs_is_accepted(as_therapist, paths):
    """The limit leaves room for the deepest real body (blocks → items → progressions)."""
    response = post_raw(as_therapist, "patch", paths["program"], json.dumps({"blocks": []}))
    assert response.status_code == 200


CHOICE_FIELDS = [
    ("post", "/api/v1/clients/", '{"first_name": "A", "units": VALUE}', ["units"]),
    ("patch", "program", '{"status": VALUE}', ["status"]),
    (
        "patch",
        "program",
        '{"blocks": [{"title": "B", "items": [{"exercise": 1, "side": VALUE}]}]}',
        ["blocks", "0", "items", "0", "side"],
    ),
    *(
        (
            "patch",
            "program",
            '{"blocks": [{"items": [{"progressions": [{"NAME": VALUE}]}]}]}'.replace("NAME", name),
            ["blocks", "0", "items", "0", "progressions", "0", name],
        )
        for name in ("mode", "parameter", "trigger")
    ),
    ("post", "/api/v1/exercises/", '{"name": "E", "laterality": VALUE}', ["laterality"]),
    ("post", "/api/v1/exercises/", '{"name": "E", "dosing": VALUE}', ["dosing"]),
    ("post", "/api/v1/me/sessions/", '{"entries": [{"side": VALUE}]}', ["entries", "0", "side"]),
    ("post", "/api/v1/auth/token/", '{"username": VALUE, "password": "x"}', ["username"]),
    (
        "post",
        "/api/v1/auth/redeem/",
        '{"code": "x", "username": VALUE, "password": "x"}',
        ["username"],
    ),
]


@pytest.mark.parametrize(("method", "path", "template", "field"), CHOICE_FIELDS)
def test_a_lone_surrogate_is_a_400_naming_the_field(
    api, therapist, paths, method, path, template, field
):
    sign_in(api, therapist, path)
    response = post_raw(api, method, paths.get(path, path), template.replace("VALUE", SURROGATE))
    assert response.status_code == 400, response.content
    error = response.json()
    for key in field:
        error = error[key]
    assert error == ["Text must be valid Unicode."]


def test_a_lone_surrogate_from_the_client_app_is_a_400(api):
    api.force_authenticate(ClientUserFactory())
    body = '{"notes": VALUE}'.replace("VALUE", SURROGATE)
    response = post_raw(api, "post", "/api/v1/me/sessions/", body)
    assert response.status_code == 400
    assert response.json() == {"notes": ["Text must be valid Unicode."]}


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1" * 400])
def test_huge_numbers_are_a_400(as_therapist, paths, number):
    response = post_raw(as_therapist, "patch", paths["program"], f'{{"weeks": {number}}}')
    assert response.status_code == 400
    assert "weeks" in response.json()
