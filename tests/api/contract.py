"""Every answer checked against the OpenAPI schema, as a generated client would read it.

`ContractClient` is an APIClient that validates each JSON answer it receives against the
schema's response for its operation and status (OpenAPI 3.0 rules, `nullable` included, with
formats such as date-time and uuid checked), and each answer's status against the operation's
declared ones. A field the schema requires but the answer leaves out, a null where none is
declared, or an undeclared status fails the test that made the request.
"""

import re
from functools import cache

from drf_spectacular.generators import SchemaGenerator
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from rest_framework.test import APIClient


@cache
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@cache
def path_patterns() -> list[tuple[re.Pattern, str]]:
    """The schema's paths as patterns, those with fewer parameters first (`/me/programs/`
    before `/{id}/`)."""
    paths = sorted(schema()["paths"], key=lambda path: path.count("{"))
    return [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path) for path in paths]


def operation_of(method: str, url: str) -> dict:
    path = url.split("?")[0]
    for pattern, template in path_patterns():
        if pattern.match(path):
            return schema()["paths"][template][method.lower()]
    raise AssertionError(f"{method} {path} is not in the schema")


def check(method: str, url: str, response) -> None:
    operation = operation_of(method, url)
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {url}: {status} is not declared"
    content = operation["responses"][status].get("content", {})
    media = response.headers.get("Content-Type", "").split(";")[0]
    if media != "application/json" or not response.content:
        return
    body = content["application/json"]["schema"]
    validator = OAS30Validator(
        {**body, "components": schema()["components"]}, format_checker=oas30_format_checker
    )
    problems = [
        f"{'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}"
        for error in validator.iter_errors(response.json())
    ]
    assert not problems, f"{method} {url} {status} contradicts the schema: {problems[:5]}"


class ContractClient(APIClient):
    def generic(self, method, path, *args, **kwargs):
        response = super().generic(method, path, *args, **kwargs)
        check(method, path, response)
        return response
