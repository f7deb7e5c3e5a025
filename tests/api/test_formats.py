"""Answers are JSON: asked for it or for anything, JSON; asked for something else, a 406."""

import pytest

pytestmark = pytest.mark.django_db
EXERCISES = "/api/v1/exercises/"


@pytest.mark.parametrize("accept", ["*/*", "application/json", "application/*, text/html;q=0.5"])
def test_json_is_served_to_whoever_takes_it(as_therapist, accept):
    response = as_therapist.get(EXERCISES, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["count"] == 0


@pytest.mark.parametrize("url", [EXERCISES, "/api/v1/conditions/"])
def test_every_answer_is_compact_json_whatever_the_accept_parameters(as_therapist, url):
    """Cached and uncached answers alike: cached ones are rendered once for everybody."""
    response = as_therapist.get(url, HTTP_ACCEPT="application/json; indent=2")
    assert response.status_code == 200
    assert response.content.startswith(b'{"count":')


def test_another_type_is_a_406_in_the_documented_shape(as_therapist):
    response = as_therapist.get(EXERCISES, HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert set(response.json()) == {"detail"}


def test_a_format_other_than_json_is_not_found(as_therapist):
    assert as_therapist.get(EXERCISES, {"format": "json"}).status_code == 200
    assert as_therapist.get(EXERCISES, {"format": "xml"}).status_code == 404


def test_there_are_no_suffix_routes(as_therapist):
    assert as_therapist.get("/api/v1/exercises.json").status_code == 404


def test_the_api_root_lists_the_resources(as_therapist):
    body = as_therapist.get("/api/v1/").json()
    assert body["programs"].endswith("/api/v1/programs/")
    assert body["me/programs"].endswith("/api/v1/me/programs/")
