"""Malformed JSON bodies to every write operation of the live OpenAPI schema; any 5xx fails.

Schemathesis generates bodies the JSON encoder can write, so some inputs a hostile client can
send never reach the server from it: JSON nested 1,000 levels deep, lone UTF-16 surrogates
("\\ud800", valid JSON but not valid text), numbers no float holds (10**400, 1e400), and values
of the wrong JSON type in every field, nested ones included. Each operation with a JSON body
gets them all, as the therapist and as the client (and anonymously where the operation is
public, i.e. log-in and redeem). Every answer must be a refusal (4xx); the script prints the
answers per status and exits 1 listing every case that got anything else.

Usage: malformed.py BASE_URL THERAPIST_TOKEN CLIENT_TOKEN  (standard library only, so it runs
with any Python 3.10+; .ci/fuzz runs it against its server.)
"""

import json
import sys
import urllib.error
import urllib.request
from collections import Counter

REFUSALS = {400, 401, 403, 404, 405, 409, 412, 413, 415, 429}
SURROGATE = "\ud800"  # json.dumps writes it as the escape "\ud800"
HUGE = "__huge_number__"  # replaced by 10**400 or 1e400 in the body text
WRONG = {  # a value of another JSON type for each kind of field
    "string": {"wrong": "type"},
    "decimal": {"wrong": "type"},
    "integer": "12",
    "number": "12",
    "boolean": "true",
    "array": {"wrong": "type"},
    "object": ["wrong", "type"],
}
MAX_SCHEMA_DEPTH = 8  # guards against a schema that refers to itself


class Api:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.components: dict = {}

    def call(self, method, path, body: bytes | None, token=None, accept="application/json"):
        """(status, headers, body) of one request; a dropped connection is status 0."""
        headers = {"Content-Type": "application/json", "Accept": accept}
        if token:
            headers["Authorization"] = f"Token {token}"
        request = urllib.request.Request(self.base + path, body, headers, method=method.upper())
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            return 0, {}, repr(error).encode()

    def json(self, method: str, path: str, body=None, token=None):
        """A request that must succeed (setup); its JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        status, _, content = self.call(method, path, data, token)
        if not 200 <= status < 300:
            sys.exit(f"malformed: setup {method} {path} answered {status}: {content[:300]!r}")
        return json.loads(content)


# -- reading the schema


def resolve(api: Api, schema: dict) -> dict:
    while "$ref" in schema:
        schema = api.components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def shape(api: Api, schema: dict) -> tuple[str | None, dict]:
    """(kind, schema): the field's JSON kind ("decimal" for a string-or-number decimal)."""
    schema = resolve(api, schema)
    if "type" in schema:
        return schema["type"], schema
    if "enum" in schema:
        return "string", schema
    options = [
        shape(api, option)
        for option in schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf") or []
    ]
    kinds = {kind for kind, _ in options if kind not in (None, "null")}
    if {"string", "number"} <= kinds:
        return "decimal", schema
    for kind, option in options:
        if kind not in (None, "null"):
            return kind, option
    return None, schema


def fields(api: Api, schema: dict) -> list[tuple[str, dict]]:
    return [
        (name, prop)
        for name, prop in resolve(api, schema).get("properties", {}).items()
        if not resolve(api, prop).get("readOnly")
    ]


def fill(api: Api, schema: dict, leaf, kinds: set, depth: int = 0):
    """A body with `leaf` in every field of the given kinds, nested objects and lists too;
    other fields left out. None if no such field."""
    kind, schema = shape(api, schema)
    if kind in kinds:
        return leaf
    if depth > MAX_SCHEMA_DEPTH:
        return None
    if kind == "array":
        item = fill(api, schema.get("items", {}), leaf, kinds, depth + 1)
        return None if item is None else [item]
    if kind == "object":
        body = {}
        for name, prop in fields(api, schema):
            value = fill(api, prop, leaf, kinds, depth + 1)
            if value is not None:
                body[name] = value
        return body or None
    return None


def wrong_types(api: Api, schema: dict, depth: int = 0):
    """(field path, a body with only that field, of the wrong JSON type) for every field."""
    if depth > MAX_SCHEMA_DEPTH:
        return
    for name, prop in fields(api, schema):
        kind, prop = shape(api, prop)
        if kind in WRONG:
            yield name, {name: WRONG[kind]}
        if kind == "object":
            for path, body in wrong_types(api, prop, depth + 1):
                yield f"{name}.{path}", {name: body}
        if kind == "array":
            item_kind, item = shape(api, prop.get("items", {}))
            if item_kind in WRONG:
                yield f"{name}[0]", {name: [WRONG[item_kind]]}
            if item_kind == "object":
                for path, body in wrong_types(api, item, depth + 1):
                    yield f"{name}[0].{path}", {name: [body]}


def cases(api: Api, schema: dict):
    """(kind, what exactly, body text) for one operation's request schema."""
    names = [name for name, _ in fields(api, schema)] or ["value"]
    deep_list = "[" * 1000 + "]" * 1000
    yield "nested 1000 deep", "lists", deep_list
    yield "nested 1000 deep", "objects", '{"a":' * 1000 + "1" + "}" * 1000
    yield "nested 1000 deep", f"lists in {names[0]}", f'{{"{names[0]}":{deep_list}}}'
    surrogates = fill(api, schema, SURROGATE, {"string", "decimal"})
    if surrogates is not None:
        yield "lone surrogate", "in every text and choice field", json.dumps(surrogates)
    yield "lone surrogate", "as a field name", json.dumps({SURROGATE: "x"})
    numbers = fill(api, schema, HUGE, {"integer", "number", "decimal"})
    numbers = numbers if isinstance(numbers, dict) else dict.fromkeys(names, HUGE)
    for literal in (str(10**400), "1e400"):
        text = json.dumps(numbers).replace(f'"{HUGE}"', literal)
        yield "huge number", f"{literal[:8]}... in every number field", text
    for path, body in wrong_types(api, schema):
        yield "wrong type", f"at {path}", json.dumps(body)
    for text in ("[]", '"text"', "12", "null", "true"):
        yield "not an object", text, text


# -- running them


def own_objects(api: Api, token: str) -> dict[str, int]:
    """Objects of the therapist's own for the {id} in paths, made afresh so that the bodies
    reach the parser and validation (an id the caller cannot see is a 404 before them)."""
    person = {"first_name": "Mal", "last_name": "Formed"}
    client = api.json("post", "/api/v1/clients/", person, token)
    program = {"title": "Malformed bodies", "client": client["id"], "weeks": 4}
    draft = api.json("post", "/api/v1/programs/", program, token)
    [shared] = api.json("get", "/api/v1/exercises/?page_size=1", token=token)["results"]
    exercise = {"name": "Malformed", "category": shared["category"], "laterality": "each_side"}
    mine = api.json("post", "/api/v1/exercises/", exercise, token)
    return {"clients": client["id"], "programs": draft["id"], "exercises": mine["id"]}


def fill_path(path: str, ids: dict[str, int]) -> str:
    resource = path.removeprefix("/api/v1/").split("/", 1)[0]
    path = path.replace("{id}", str(ids.get(resource, 1)))
    while "{" in path:  # any other parameter (a version number): 1
        start = path.index("{")
        path = path[:start] + "1" + path[path.index("}", start) + 1 :]
    return path


def main(base: str, therapist: str, client: str) -> int:
    api = Api(base)
    accept = "application/vnd.oai.openapi+json"
    status, _, content = api.call("get", "/api/schema/", None, accept=accept)
    if status != 200:
        sys.exit(f"malformed: /api/schema/ answered {status}: {content[:300]!r}")
    schema = json.loads(content)
    api.components = schema.get("components", {}).get("schemas", {})
    ids = own_objects(api, therapist)

    counts, by_case, failures, sent = Counter(), Counter(), [], 0
    for template, methods in schema["paths"].items():
        for method, operation in methods.items():
            body_schema = operation.get("requestBody", {}).get("content", {})
            body_schema = body_schema.get("application/json", {}).get("schema")
            if body_schema is None:
                continue
            roles = [("therapist", therapist), ("client", client)]
            if {} in operation.get("security", []):
                roles.append(("anonymous", None))
            path = fill_path(template, ids)
            for kind, case, text in cases(api, body_schema):
                for role, token in roles:
                    status, headers, content = api.call(method, path, text.encode(), token)
                    sent += 1
                    counts[status] += 1
                    by_case[(kind, status)] += 1
                    if status not in REFUSALS:
                        request_id = headers.get("X-Request-ID", "-")
                        failures.append(
                            f"{status} {method.upper()} {path} as {role}: {kind} {case} "
                            f"(request id {request_id}): {content[:200]!r}"
                        )

    print(f"malformed bodies: {sent} requests; answers per status:")
    for status, count in sorted(counts.items()):
        print(f"  {status or 'no answer'}: {count}")
    print("per kind of body:")
    for (case, status), count in sorted(by_case.items()):
        print(f"  {case}: {status} x{count}")
    if failures:
        server_errors = sum(1 for failure in failures if failure.startswith("5"))
        print(f"malformed: {len(failures)} answers were not a refusal ({server_errors} 5xx):")
        for failure in sorted(failures, key=lambda text: not text.startswith("5")):
            print(f"  {failure}")
        return 1
    print("malformed: every answer was a refusal (4xx)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
