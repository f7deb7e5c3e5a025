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


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            responses = operation["responses"]
            for code in self.error_codes(operation):
                responses.setdefault(code, self.error_response(code))
            operation["responses"] = dict(sorted(responses.items()))
        return operation

    def error_codes(self, operation) -> list[str]:
        codes = []
        parameters = operation.get("parameters", [])
        has_body = "requestBody" in operation
        if any(parameter["in"] == "query" for parameter in parameters):
            codes += ["400", "414"]
        elif has_body:
            codes.append("400")
        signed_in = {} not in operation.get("security", [{}])
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
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if not isinstance(schema, dict) or "$ref" in schema:
            return schema
        if direction == "request" and isinstance(field, serializers.DecimalField):
            meta = {key: value for key, value in schema.items() if key in SUBSCHEMA_META}
            return {**meta, "anyOf": decimal_request_schemas(field)}
        return schema

    def _insert_field_validators(self, field, schema):
        """A read-only text field shows "" where its model field may be blank (an exercise's
        slug or video URL, a client's email), which its format or pattern alone would not allow.
        (drf-spectacular does this itself for writable fields.)"""
        super()._insert_field_validators(field, schema)
        if (
            field.read_only
            and isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and ("format" in schema or "pattern" in schema)
            and getattr(model_field_of(field), "blank", False)
        ):
            inner = {key: schema.pop(key) for key in list(schema) if key not in SUBSCHEMA_META}
            schema["oneOf"] = [inner, EMPTY_STRING]


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
