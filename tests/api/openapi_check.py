"""Answers checked against an OpenAPI 3.0 document, as a generated client reads them.

No Django here: the test suite (tests/api/contract.py) and the generated-client journey of
.ci/contract (run without the project installed) both check with this. A JSON body is
validated by OpenAPI 3.0's rules (`nullable` included) with formats such as date-time and uuid
checked; the status must be one the operation declares.
"""

import json
import re

from openapi_schema_validator import OAS30Validator, oas30_format_checker


class Contract:
    def __init__(self, document: dict):
        self.document = document
        # Paths with fewer parameters first: `/me/programs/` before `/{id}/`.
        paths = sorted(document["paths"], key=lambda path: path.count("{"))
        self.patterns = [
            (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path) for path in paths
        ]

    def operation(self, method: str, url: str) -> dict:
        path = url.split("?")[0]
        for pattern, template in self.patterns:
            if pattern.match(path):
                return self.document["paths"][template][method.lower()]
        raise LookupError(f"{method} {path} is not in the schema")

    def problems(self, method: str, url: str, status: int, media: str, body: bytes) -> list[str]:
        """What in this answer contradicts the schema (nothing: an empty list)."""
        responses = self.operation(method, url)["responses"]
        if str(status) not in responses:
            return [f"{method} {url}: {status} is not declared"]
        if media != "application/json" or not body:
            return []
        declared = responses[str(status)]["content"]["application/json"]["schema"]
        validator = OAS30Validator(
            {**declared, "components": self.document["components"]},
            format_checker=oas30_format_checker,
        )
        return [
            f"{method} {url} {status}: {'/'.join(map(str, error.absolute_path)) or '(body)'}: "
            f"{error.message}"
            for error in validator.iter_errors(json.loads(body))
        ]
