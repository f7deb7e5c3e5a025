"""Every answer of the test suite's `ContractClient` checked against the served schema.

`ContractClient` is an APIClient that checks each answer it receives (tests.api.openapi_check):
a field the schema requires but the answer leaves out, a null where none is declared, or an
undeclared status fails the test that made the request.
"""

from functools import cache

from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.api.openapi_check import Contract


@cache
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@cache
def contract() -> Contract:
    return Contract(schema())


def operation_of(method: str, url: str) -> dict:
    return contract().operation(method, url)


class ContractClient(APIClient):
    def generic(self, method, path, *args, **kwargs):
        response = super().generic(method, path, *args, **kwargs)
        media = response.headers.get("Content-Type", "").split(";")[0]
        problems = contract().problems(method, path, response.status_code, media, response.content)
        assert not problems, problems[:5]
        return response
