"""The OpenAPI schema says exactly what the server does, as client generators read it: required
where always present, nullable where null can come, typed everywhere, one tag per resource,
a summary and a clear id for every operation; and browser apps may use the version headers."""

import pytest
from openapi_spec_validator import validate

from programs.models import Program
from tests.api.contract import ContractClient, operation_of, schema
from tests.factories import (
    BlockFactory,
    ClientUserFactory,
    ConditionFactory,
    ItemFactory,
    ProgramFactory,
    RedFlagFactory,
)

pytestmark = pytest.mark.django_db


def components() -> dict:
    return schema()["components"]["schemas"]


def app_for(therapist) -> tuple[ContractClient, object]:
    user = ClientUserFactory(client_profile__therapist=therapist)
    api = ContractClient()
    api.force_authenticate(user)
    return api, user.client_profile


def active(client, **fields) -> Program:
    program = ProgramFactory(
        owner=client.therapist, client=client, status=Program.Status.ACTIVE, **fields
    )
    ItemFactory(block=BlockFactory(program=program))
    return program


def test_the_schema_is_valid_openapi_3():
    validate(schema())


def test_a_program_without_a_condition_is_served_whole_in_the_client_app(therapist):
    """Every answer of ContractClient is checked against the schema: a missing `red_flags`
    or an undeclared null `condition` fails here."""
    api, client = app_for(therapist)
    flag = RedFlagFactory(condition=ConditionFactory(name="Sciatica"))
    with_condition = active(client, condition=flag.condition)
    without = active(client, condition=None)

    listed = {row["id"]: row for row in api.get("/api/v1/me/programs/").json()["results"]}

    assert (listed[without.pk]["condition"], listed[without.pk]["red_flags"]) == (None, [])
    assert listed[with_condition.pk]["condition"] == "Sciatica"
    flags = [row["id"] for row in listed[with_condition.pk]["red_flags"]]
    assert flag.pk in flags and flags == [f.pk for f in flag.condition.red_flags.all()]
    assert api.get(f"/api/v1/me/programs/{without.pk}/").json()["red_flags"] == []


@pytest.mark.parametrize(
    "component,fields",
    [
        ("Program", ["status", "weeks", "start_date", "blocks"]),
        ("Block", ["id", "items"]),
        ("Item", ["id", "side", "sets", "reps_min", "load_kg", "progressions"]),
        ("Session", ["pain_before", "pain_after"]),
        ("ClientRecord", ["email", "units"]),
        ("Me", ["units", "therapist"]),
        ("ClientProgram", ["condition", "red_flags"]),
    ],
)
def test_what_every_answer_carries_is_required(component, fields):
    assert set(fields) <= set(components()[component]["required"])


def test_null_is_declared_where_openapi_3_honours_it():
    """`nullable` sits beside a `type` (never beside an anyOf or a $ref), so a strict validator
    takes `load_kg: null` (bodyweight) and a null nested object."""
    for component, field in [
        ("ItemRequest", "load_kg"),
        ("ExerciseLogRequest", "load_kg"),
        ("DefaultDoseRequest", "load_kg"),
        ("ProgressionRuleRequest", "cap"),
    ]:
        declared = components()[component]["properties"][field]
        assert "nullable" not in declared and all(b["nullable"] for b in declared["anyOf"])
    attention = components()["ScreeningOutcome"]["properties"]["attention"]
    assert attention["anyOf"][1] == {"type": "object", "nullable": True, "enum": [None]}


def test_a_blank_url_matches_the_schema_where_uri_is_unchecked():
    for component in ["Exercise", "Source"]:
        field = "video_url" if component == "Exercise" else "url"
        declared = components()[component]["properties"][field]
        assert "oneOf" not in declared and {"type": "string", "maxLength": 0} in declared["anyOf"]


def test_every_field_is_typed():
    assert components()["Me"]["properties"]["therapist"]["allOf"][0]["$ref"].endswith(
        "/TherapistContact"
    )
    for lines in ["steps", "cues", "precautions"]:
        declared = components()["ExerciseEssentials"]["properties"][lines]
        assert declared["type"] == "array" and declared["items"]["type"] == "string"
    snapshot = components()["ProgramVersion"]["properties"]["snapshot"]
    assert snapshot["allOf"][0]["$ref"].endswith("/Program")
    assert components()["ProgramAdherence"]["properties"]["status"]["$ref"].endswith("Enum")


def test_no_component_takes_a_generated_clients_own_names():
    assert not {"Client", "AuthenticatedClient"} & set(components())


def test_log_in_and_redeem_declare_no_security_and_the_token_prefix_is_named():
    for path in ["/api/v1/auth/token/", "/api/v1/auth/redeem/"]:
        assert operation_of("post", path)["security"] == []
    [scheme] = [
        definition
        for definition in schema()["components"]["securitySchemes"].values()
        if definition.get("in") == "header"
    ]
    assert "`Authorization: Token <token>`" in scheme["description"]


def test_tags_summaries_and_operation_ids():
    declared = {tag["name"] for tag in schema()["tags"]}
    for path, operations in schema()["paths"].items():
        for method, operation in operations.items():
            assert operation["summary"], (method, path)
            assert set(operation["tags"]) <= declared and len(operation["tags"]) == 1
            assert not operation["operationId"].startswith("v1"), operation["operationId"]
    assert operation_of("get", "/api/v1/programs/1/schedule/")["operationId"] == (
        "programs_schedule"
    )


def test_headers_and_parameters_are_declared():
    pdf = operation_of("get", "/api/v1/programs/1/pdf/")
    assert "If-None-Match" in {parameter["name"] for parameter in pdf["parameters"]}
    assert {"200", "304"} <= {
        code for code, answer in pdf["responses"].items() if "ETag" in answer.get("headers", {})
    }
    assert pdf["responses"]["200"]["content"]["application/pdf"]["schema"]["format"] == "binary"
    token = operation_of("post", "/api/v1/auth/token/")
    assert "Retry-After" in token["responses"]["429"]["headers"]
    [ordering] = [
        p for p in operation_of("get", "/api/v1/programs/")["parameters"] if p["name"] == "ordering"
    ]
    assert {"title", "-title"} <= set(ordering["schema"]["items"]["enum"])
    for path, name in [
        ("/api/v1/me/programs/1/", "week"),
        ("/api/v1/programs/1/schedule/", "weeks"),
    ]:
        [week] = [p for p in operation_of("get", path)["parameters"] if p["name"] == name]
        assert (week["schema"]["minimum"], week["schema"]["maximum"]) == (1, 104)


def test_a_week_beyond_the_program_is_refused_alike_by_the_schedule_and_the_app(
    therapist, as_therapist
):
    api, client = app_for(therapist)
    program = active(client, weeks=8)
    schedule = as_therapist.get(f"/api/v1/programs/{program.pk}/schedule/", {"weeks": 9})
    week = api.get(f"/api/v1/me/programs/{program.pk}/", {"week": 9})
    assert schedule.status_code == week.status_code == 400
    assert schedule.json()["weeks"] == week.json()["week"] == ["A week from 1 to 8."]
    assert len(as_therapist.get(f"/api/v1/programs/{program.pk}/schedule/").json()[0]["weeks"]) == 8


def test_a_browser_app_may_send_and_read_the_version_headers(settings, as_therapist, therapist):
    settings.CORS_ALLOWED_ORIGINS = ["http://app.example"]
    program = ProgramFactory(owner=therapist)
    url = f"/api/v1/programs/{program.pk}/"
    preflight = as_therapist.options(
        url,
        HTTP_ORIGIN="http://app.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, if-match",
    )
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert {"if-match", "if-none-match", "authorization"} <= set(
        allowed.replace(" ", "").split(",")
    )
    answer = as_therapist.get(url, HTTP_ORIGIN="http://app.example")
    exposed = answer.headers["Access-Control-Expose-Headers"]
    assert {"ETag", "X-Request-ID", "Retry-After"} <= set(exposed.replace(" ", "").split(","))
    assert answer.headers["ETag"]
    foreign = as_therapist.get(url, HTTP_ORIGIN="http://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in foreign.headers
