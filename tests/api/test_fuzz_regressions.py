"""What the API fuzzer (.ci/fuzz) found: every answer is one the OpenAPI schema documents, a
request the schema refuses is refused, and no input is a 500 (on SQLite or PostgreSQL)."""

from uuid import uuid4

import pytest
import yaml
from rest_framework.exceptions import ValidationError

from ptbuilder.exceptions import api_exception_handler
from tests.conftest import client_for
from tests.factories import (
    CategoryFactory,
    ClientUserFactory,
    CustomExerciseFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db


def errors(response, status=400) -> dict:
    assert response.status_code == status, response.content
    return response.json()


@pytest.fixture
def schema(client):
    return yaml.safe_load(client.get("/api/schema/").content)


@pytest.fixture
def program(therapist):
    return ProgramFactory(owner=therapist, weeks=8)


class TestQueryParameters:
    @pytest.mark.parametrize("size", ["abc", "0", "-5", "2.5", "", "1e3"])
    def test_a_page_size_that_is_not_a_whole_number_is_a_400(self, as_therapist, size):
        body = errors(as_therapist.get("/api/v1/exercises/", {"page_size": size}))
        assert list(body) == ["page_size"]

    def test_a_large_page_size_still_gives_at_most_100(self, as_therapist, therapist):
        CustomExerciseFactory.create_batch(3, owner=therapist)
        for size in ("1000", "9" * 5000):
            response = as_therapist.get("/api/v1/exercises/", {"page_size": size})
            assert response.status_code == 200 and len(response.json()["results"]) == 3

    @pytest.mark.parametrize("page", ["", " 1", "x", "0", "-1"])
    def test_a_page_that_is_not_a_page_number_is_a_404(self, as_therapist, page):
        assert errors(as_therapist.get("/api/v1/conditions/", {"page": page}), 404) == {
            "detail": "Invalid page."
        }

    @pytest.mark.parametrize(
        ("url", "name", "value"),
        [
            ("/api/v1/exercises/", "mine", "maybe"),
            ("/api/v1/clients/", "is_archived", "yes"),
            ("/api/v1/programs/", "is_template", "True"),
            ("/api/v1/programs/", "client", ""),
            ("/api/v1/programs/", "status", ""),
        ],
    )
    def test_a_filter_value_it_cannot_read_is_a_400_naming_it(self, as_therapist, url, name, value):
        assert list(errors(as_therapist.get(url, {name: value}))) == [name]

    def test_an_empty_slug_filter_still_means_no_filter(self, as_therapist):
        assert as_therapist.get("/api/v1/exercises/", {"category": ""}).status_code == 200

    def test_a_nul_in_search_or_a_slug_filter_is_a_400(self, as_therapist):
        assert errors(as_therapist.get("/api/v1/conditions/", {"search": "a\x00b"})) == {
            "search": ["Null characters are not allowed."]
        }
        for url, name in [("/api/v1/exercises/", "category"), ("/api/v1/programs/", "condition")]:
            assert list(errors(as_therapist.get(url, {name: "a\x00b"}))) == [name]

    @pytest.mark.parametrize(
        "query", [{"weeks": ""}, {"weeks": " 3"}, {"weeks": "\u0663"}, {"paper": ""}]
    )
    def test_print_options_are_exactly_as_documented(self, as_therapist, program, query):
        response = as_therapist.get(f"/api/v1/programs/{program.pk}/print/", query)
        assert list(errors(response)) == list(query)

    def test_an_empty_schedule_length_is_a_400(self, as_therapist, program):
        response = as_therapist.get(f"/api/v1/programs/{program.pk}/schedule/", {"weeks": ""})
        assert list(errors(response)) == ["weeks"]


class TestRequestBodies:
    @pytest.mark.parametrize(
        ("fields", "name"),
        [
            ({"last_name": 12}, "last_name"),
            ({"is_archived": "true"}, "is_archived"),
            ({"is_archived": 1}, "is_archived"),
            ({"units": 1}, "units"),
            ({"email": " ada@example.com"}, "email"),
            ({"last_name": "\u0085" + "x" * 80}, "last_name"),
            ({"notes": "a\x00b"}, "notes"),
        ],
    )
    def test_a_value_of_the_wrong_json_type_is_a_400(self, as_therapist, fields, name):
        body = {"first_name": "Ada", "last_name": "Lovelace", **fields}
        assert list(errors(as_therapist.post("/api/v1/clients/", body))) == [name]

    def test_a_body_that_is_not_json_is_a_415(self, as_therapist):
        response = as_therapist.post(
            "/api/v1/clients/", "first_name=Ada&last_name=L", content_type="text/plain"
        )
        assert response.status_code == 415
        response = as_therapist.post("/api/v1/clients/", {"last_name": "L"}, format="multipart")
        assert response.status_code == 415

    def test_a_body_that_is_not_an_object_is_a_400_object(self, as_therapist):
        for body in ([], "text", 3):
            assert "non_field_errors" in errors(as_therapist.post("/api/v1/clients/", body))

    def test_a_decimal_is_a_decimal_string_or_a_number(self, as_therapist):
        category = CategoryFactory()

        def create(load):
            exercise = {"name": f"Carry {load!r}", "category": category.slug}
            exercise |= {"laterality": "bilateral", "default_dose": {"load_kg": load}}
            return as_therapist.post("/api/v1/exercises/", exercise)

        assert create("5.5").json()["default_dose"]["load_kg"] == "5.50"
        assert create(7).json()["default_dose"]["load_kg"] == "7.00"
        for wrong in ["1e2", " 5", "", ".5", True]:
            assert "default_dose" in errors(create(wrong)), wrong

    def test_an_empty_string_is_not_a_null_reference(self, as_therapist, program):
        response = as_therapist.patch(f"/api/v1/programs/{program.pk}/", {"condition": ""})
        assert list(errors(response)) == ["condition"]

    def test_a_nul_in_a_slug_reference_is_a_400(self, as_therapist):
        exercise = {"name": "Carry", "category": "a\x00b", "laterality": "bilateral"}
        assert list(errors(as_therapist.post("/api/v1/exercises/", exercise))) == ["category"]

    def test_a_session_id_must_be_a_uuid_string(self, therapist):
        user = ClientUserFactory(client_profile__therapist=therapist)
        body = {"client_uuid": uuid4().int, "program": 1, "entries": []}
        response = client_for(user).post("/api/v1/me/sessions/", body)
        assert "client_uuid" in errors(response)

    def test_a_list_of_messages_is_answered_as_an_object(self):
        response = api_exception_handler(ValidationError(["Not like this."]), {})
        assert response.data == {"non_field_errors": ["Not like this."]}


class TestResponsesMatchTheSchema:
    def test_a_custom_exercise_without_slug_video_or_source_fits_the_schema(
        self, as_therapist, therapist, schema
    ):
        exercise = CustomExerciseFactory(owner=therapist, video_url="")
        body = as_therapist.get(f"/api/v1/exercises/{exercise.pk}/").json()
        assert (body["slug"], body["video_url"], body["source"]) == ("", "", None)
        fields = schema["components"]["schemas"]["Exercise"]["properties"]
        assert {"type": "string", "maxLength": 0} in fields["slug"]["anyOf"]
        assert {"type": "object", "nullable": True, "enum": [None]} in fields["source"]["anyOf"]
        essentials = schema["components"]["schemas"]["ExerciseEssentials"]["properties"]
        assert {"type": "string", "maxLength": 0} in essentials["video_url"]["anyOf"]

    def test_a_client_without_email_fits_the_me_schema(self, schema, therapist):
        user = ClientUserFactory(client_profile__therapist=therapist, client_profile__email="")
        assert client_for(user).get("/api/v1/me/").json()["email"] == ""
        email = schema["components"]["schemas"]["Me"]["properties"]["email"]
        assert {"type": "string", "maxLength": 0} in email["anyOf"]


class TestSchemaDocumentsEveryAnswer:
    def operation(self, schema, method, path):
        return schema["paths"][path][method]

    def test_every_operation_documents_its_error_answers(self, schema):
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                codes = set(operation["responses"])
                public = not operation["security"] or {} in operation["security"]
                assert public or "401" in codes, (method, path)
                if "{" in path:
                    assert "404" in codes, (method, path)
                if "requestBody" in operation:
                    assert {"400", "413", "415"} <= codes, (method, path)
                    assert list(operation["requestBody"]["content"]) == ["application/json"]

    def test_operation_specific_answers(self, schema):
        expected = [
            ("post", "/api/v1/auth/token/", {"200", "400", "429"}),
            ("post", "/api/v1/auth/redeem/", {"201", "400", "429"}),
            ("post", "/api/v1/programs/{id}/activate/", {"200", "409", "412"}),
            ("patch", "/api/v1/programs/{id}/", {"200", "412"}),
            ("delete", "/api/v1/programs/{id}/", {"204", "409", "412"}),
            ("post", "/api/v1/clients/{id}/invitation/", {"201", "409"}),
            ("post", "/api/v1/clients/{id}/screenings/", {"201"}),
            ("get", "/api/v1/programs/{id}/pdf/", {"200", "304", "503"}),
            ("get", "/api/v1/me/", {"200", "401", "403"}),
        ]
        for method, path, codes in expected:
            assert codes <= set(self.operation(schema, method, path)["responses"]), path
        assert (
            "200"
            not in self.operation(schema, "post", "/api/v1/clients/{id}/screenings/")["responses"]
        )

    def test_actions_document_only_the_parameters_they_read(self, schema):
        def query(method, path):
            parameters = self.operation(schema, method, path).get("parameters", [])
            return {parameter["name"] for parameter in parameters if parameter["in"] == "query"}

        assert query("get", "/api/v1/programs/{id}/schedule/") == {"weeks"}
        assert query("get", "/api/v1/programs/{id}/versions/") == {"page", "page_size"}
        assert query("get", "/api/v1/clients/{id}/screenings/") == {"page", "page_size"}
        assert query("get", "/api/v1/me/programs/") == {"page", "page_size"}

    def test_decimals_are_documented_as_strings_or_numbers_in_requests(self, schema):
        request = schema["components"]["schemas"]["DefaultDoseRequest"]["properties"]["load_kg"]
        assert [branch["type"] for branch in request["anyOf"]] == ["string", "number"]
        response = schema["components"]["schemas"]["DefaultDose"]["properties"]["load_kg"]
        assert response["type"] == "string"
