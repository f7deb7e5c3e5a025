"""The OpenAPI schema documents every answer an operation can give, errors included.

drf-spectacular documents the success response of each operation; the error answers below
follow from how the operation is reached, so they are derived here in one place rather than
repeated on every view. Answers that depend on what an operation does (409, 412, 429, 503) are
declared with `extend_schema` on the view itself.
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication


class TokenScheme(KnoxTokenScheme):
    """The project's token authentication takes the same header as knox's."""

    target_class = "accounts.tokens.TokenAuthentication"

    def get_security_definition(self, auto_schema):
        return {
            **super().get_security_definition(auto_schema),
            "description": (
                "Send `Authorization: Token <token>`, the token from /auth/token/ or "
                "/auth/redeem/. The prefix is `Token`, not `Bearer`."
            ),
        }


class ErrorSerializer(serializers.Serializer):
    """Every error but a validation error: what went wrong, in words."""

    detail = serializers.CharField()


def error_response(description: str) -> OpenApiResponse:
    """An error answer for `extend_schema(responses=...)`, e.g. a 409 or a 412."""
    return OpenApiResponse(ErrorSerializer, description=description)


VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": {},
    "description": (
        'Messages per field at fault, e.g. {"weeks": ["..."]}; nested fields by name or list '
        'index, e.g. {"blocks": {"0": {"title": ["..."]}}}; "non_field_errors" for the request '
        'as a whole; {"detail": "..."} when the body is not JSON at all.'
    ),
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid request: the fields at fault with their messages.",
    "401": "No valid credentials: log in and send `Authorization: Token <token>`.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object for the caller (or no such page).",
    "413": "The request body is too large.",
    "414": "The URL is longer than the web server takes (gunicorn: 4094 bytes); not JSON.",
    "415": "The request body is not JSON (`Content-Type: application/json`).",
}


def reads_open_to_signed_in(check) -> bool:
    """A permission that never refuses a signed-in caller's GET (a class marks itself so)."""
    return isinstance(check, permissions.IsAuthenticated) or getattr(
        check, "reads_open_to_signed_in", False
    )


EMPTY_STRING = {"type": "string", "maxLength": 0}
NULL_ONLY = {"type": "object", "nullable": True, "enum": [None]}
"""OpenAPI 3.0's way to say "null" (it has no null type), as the other branch of an anyOf."""
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Seconds to wait before trying again.",
    }
}
SUBSCHEMA_META = {
    "readOnly",
    "writeOnly",
    "nullable",
    "deprecated",
    "description",
    "title",
    "default",
}


def model_field_of(field):
    """The model field a ModelSerializer field shows, or None."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source or field.source == "*":
        return None
    try:
        return model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return None


STANDARD_ACTIONS = {"list", "retrieve", "create", "update", "partial_update", "destroy"}
SUMMARIES = {
    "attention_list": "List what needs the therapist's attention",
    "attention_retrieve": "Get one row of the attention list",
    "attention_clear": "Clear a red flag, with the reason the client may go on",
    "auth_logout_create": "Log out (revoke this token)",
    "auth_redeem_create": "Redeem an invitation code: create the client's app account",
    "auth_token_create": "Log in: exchange a username and password for a token",
    "clients_list": "List the therapist's clients",
    "clients_create": "Add a client",
    "clients_retrieve": "Get a client",
    "clients_partial_update": "Change a client",
    "clients_adherence_retrieve": "Get a client's adherence: sessions done, pain, side differences",
    "clients_invitation": "Invite a client to the app (a new one-time code)",
    "clients_screenings_list": "List a client's red-flag screenings",
    "clients_screenings_create": "Record a red-flag screening",
    "conditions_list": "List conditions with their red flags",
    "conditions_retrieve": "Get a condition with its red flags",
    "exercises_list": "Search the exercise library",
    "exercises_create": "Add a custom exercise",
    "exercises_retrieve": "Get an exercise",
    "exercises_partial_update": "Change a custom exercise",
    "exercises_destroy": "Archive a custom exercise",
    "me_retrieve": "Get the client's own profile",
    "me_partial_update": "Change the client's units",
    "me_programs_list": "List the client's active programs with this week's dose",
    "me_programs_retrieve": "Get an active program with a week's dose",
    "me_programs_pdf": "Download the printable program (PDF)",
    "me_sessions_list": "List the client's logged sessions",
    "me_sessions_create": "Log a session (safe to retry with the same client_uuid)",
    "me_symptoms_create": "Report new symptoms",
    "programs_list": "List programs and templates",
    "programs_create": "Create a program or template",
    "programs_retrieve": "Get a program with its blocks, items and rules",
    "programs_update": "Replace a program (If-Match)",
    "programs_partial_update": "Change a program (If-Match)",
    "programs_destroy": "Delete a draft or template",
    "programs_activate": "Activate a program",
    "programs_copy": "Copy a program into a new draft",
    "programs_pdf": "Download the printable program (PDF)",
    "programs_print": "Get the printable program (HTML)",
    "programs_schedule": "Get every item's dose week by week",
    "programs_versions": "List an active program's earlier versions",
    "programs_version": "Get what an earlier version prescribed",
}
"""One line per operation, by operation id (tests check that none is missing)."""


class AutoSchema(openapi.AutoSchema):
    def get_operation_id(self):
        """A view set's own actions are named by what they do (`programs_activate`), the
        standard ones as drf-spectacular names them (`programs_list`)."""
        action = getattr(self.view, "action", None)
        if action and action not in STANDARD_ACTIONS:
            return "_".join([*self._tokenize_path()[:-1], action])
        return super().get_operation_id()

    def get_auth(self):
        """An operation open to anyone (log-in, redeem) declares `security: []` (get_operation):
        drf-spectacular's `[{}]` reads to client generators as one that needs credentials."""
        auths = super().get_auth()
        return [] if auths == [{}] else auths

    def get_summary(self):
        return SUMMARIES.get(self.get_operation_id())

    def _map_basic_serializer(self, serializer, direction):
        """An answer carries every field of its serializer (DRF writes each readable field,
        null where there is no value), so every field of a response component is required."""
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and schema.get("properties"):
            schema["required"] = list(schema["properties"])
        return schema

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            operation.setdefault("security", [])
            responses = operation["responses"]
            for code in self.error_codes(operation):
                responses.setdefault(code, self.error_response(code))
            if "429" in responses:
                responses["429"].setdefault("headers", {}).update(RETRY_AFTER)
            operation["responses"] = dict(sorted(responses.items()))
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "ordering" and parameter["in"] == "query":
                    parameter.update(self.ordering_parameter(parameter))
        return operation

    def ordering_parameter(self, parameter: dict) -> dict:
        """`ordering` takes a comma-separated list of the view's `ordering_fields`, each
        optionally descending (`-title`)."""
        fields = getattr(self.view, "ordering_fields", None)
        if not isinstance(fields, list | tuple):
            return parameter
        names = [name for field in fields for name in (field, f"-{field}")]
        return {
            "schema": {"type": "array", "items": {"type": "string", "enum": names}},
            "style": "form",
            "explode": False,
        }

    def error_codes(self, operation) -> list[str]:
        codes = []
        parameters = operation.get("parameters", [])
        has_body = "requestBody" in operation
        if any(parameter["in"] == "query" for parameter in parameters):
            codes += ["400", "414"]
        elif has_body:
            codes.append("400")
        signed_in = bool(operation["security"]) and {} not in operation["security"]
        if signed_in:
            codes.append("401")
            if self.may_forbid():
                codes.append("403")
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            codes.append("404")
        if has_body:
            codes += ["413", "415"]
        return codes

    def may_forbid(self) -> bool:
        """Whether a signed-in caller can get a 403: a permission class refuses them, or a
        browser session writes without its CSRF token."""
        checks = self.view.get_permissions()
        if self.method in permissions.SAFE_METHODS:
            return any(not reads_open_to_signed_in(check) for check in checks)
        return any(not isinstance(check, permissions.IsAuthenticated) for check in checks) or any(
            isinstance(auth, SessionAuthentication) for auth in self.view.get_authenticators()
        )

    def error_response(self, code: str) -> dict:
        if code == "414":
            return {"description": ERROR_DESCRIPTIONS[code]}
        if code == "400":
            component = ResolvedComponent(
                name="ValidationError",
                type=ResolvedComponent.SCHEMA,
                object="ValidationError",
                schema=VALIDATION_ERROR_SCHEMA,
            )
            self.registry.register_on_missing(component)
        else:
            component = self.resolve_serializer(ErrorSerializer, "response")
        return {
            "description": ERROR_DESCRIPTIONS[code],
            "content": {"application/json": {"schema": component.ref}},
        }

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if (
            direction == "request"
            and field.read_only
            and isinstance(field, serializers.BaseSerializer)
        ):
            # Left out of request components anyway; resolving it here would register a
            # request component that nothing uses.
            return {"readOnly": True}
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if not isinstance(schema, dict) or "$ref" in schema:
            return schema
        if schema.get("nullable") and len(schema.get("allOf", [])) == 1:
            # OpenAPI 3.0 reads `nullable` only beside a `type`, never beside a `$ref`.
            meta = {key: value for key, value in schema.items() if key in SUBSCHEMA_META}
            meta.pop("nullable")
            return {**meta, "anyOf": [*schema["allOf"], NULL_ONLY]}
        if direction == "request" and isinstance(field, serializers.DecimalField):
            # OpenAPI 3.0 reads `nullable` only beside a `type`: each branch carries it.
            meta = {key: value for key, value in schema.items() if key in SUBSCHEMA_META}
            nullable = {"nullable": True} if meta.pop("nullable", False) else {}
            branches = [{**branch, **nullable} for branch in decimal_request_schemas(field)]
            return {**meta, "anyOf": branches}
        return schema

    def _insert_field_validators(self, field, schema):
        """A read-only text field shows "" where its model field may be blank (an exercise's
        slug or video URL, a client's email), which its format or pattern alone would not allow.
        (drf-spectacular does this itself for writable fields, with a oneOf made an anyOf
        here: where a validator leaves a format unchecked, "" matches both branches.)"""
        super()._insert_field_validators(field, schema)
        if EMPTY_STRING in schema.get("oneOf", []):
            schema["anyOf"] = schema.pop("oneOf")
        elif (
            field.read_only
            and isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and ("format" in schema or "pattern" in schema)
            and getattr(model_field_of(field), "blank", False)
        ):
            inner = {key: schema.pop(key) for key in list(schema) if key not in SUBSCHEMA_META}
            schema["anyOf"] = [inner, EMPTY_STRING]


def decimal_request_schemas(field) -> list[dict]:
    """A decimal is sent as a string ("2.5", as responses show it) or as a JSON number; see
    json_types.py for what is refused."""
    whole = "+" if field.max_whole_digits is None else f"{{1,{field.max_whole_digits}}}"
    places = "+" if field.decimal_places is None else f"{{1,{field.decimal_places}}}"
    signed = field.min_value is None or field.min_value < 0
    text = {
        "type": "string",
        "format": "decimal",
        "pattern": rf"^{'-?' if signed else ''}[0-9]{whole}(?:\.[0-9]{places})?$",
    }
    number = {"type": "number"}
    bound = None if field.max_whole_digits is None else 10**field.max_whole_digits
    if field.max_value is not None:
        number["maximum"] = float(field.max_value)
    elif bound is not None:
        number.update(maximum=bound, exclusiveMaximum=True)
    if field.min_value is not None:
        number["minimum"] = float(field.min_value)
    elif bound is not None:
        number.update(minimum=-bound, exclusiveMinimum=True)
    return [text, number]
