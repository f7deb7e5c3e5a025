"""A permission matrix generated from the OpenAPI schema: every operation × every kind of caller
who must not reach therapist A's objects, with the exact answer each must get.

The operations come from the schema built in-process, so a new endpoint is covered without a new
test; one the matrix cannot place (an unknown resource or path parameter, or a body it cannot
build) fails `test_every_operation_is_placed`. The expected answers follow the rules below, which
restate the code's permission classes:

- No valid credentials (none, an unknown, expired, logged-out or deleted token): 401 everywhere.
- Therapist endpoints (clients, programs) check `IsTherapist` before any lookup: any other
  signed-in account (a client's app account, a therapist removed from the group) gets 403.
- Client-app endpoints (/me/...) check `IsClient` before any lookup: anyone without a client
  record, therapists included, gets 403.
- The library (exercises, conditions) is read by everyone signed in (`TherapistWrites`); only
  therapists write, so anyone else's write is a 403.
- Past the permission check, another's object is not in the caller's queryset: 404, the very
  answer an id that exists nowhere gets, so nothing tells the caller it exists.
- An operation without an object id acts on the caller's own scope: lists show none of A's rows,
  and a create or change that names one of A's objects in its body is a 400 naming that field.

Bodies are the ones that succeed on the caller's own objects (`test_bodies_succeed_on_own_objects`
proves it), and the path and headers carry A's real values (version number, ETag), so every
refusal is due to permission alone. After each caller's pass A's rows are compared with a
snapshot taken before it.
"""

import functools
import json
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.permissions import SAFE_METHODS
from rest_framework.test import APIClient

from accounts.permissions import IsTherapist, TherapistWrites
from accounts.roles import THERAPISTS_GROUP
from client_app.views import IsClient
from clients.models import Client, Invitation, Screening, ScreeningAnswer
from exercises.models import Exercise
from logbook.models import ExerciseLog, Session
from programs import services
from programs.models import Block, Item, Program, ProgramVersion, ProgressionRule
from safety.models import Attention, SymptomReport
from tests.factories import (
    BlockFactory,
    CategoryFactory,
    ClientFactory,
    ClientUserFactory,
    ConditionFactory,
    CustomExerciseFactory,
    ExerciseLogFactory,
    ItemFactory,
    ProgramFactory,
    ProgressionRuleFactory,
    ScreeningFactory,
    SessionFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/"

EXCLUDED = {
    ("post", "/api/v1/auth/token/"): "public log-in: takes no credentials and names no object",
    ("post", "/api/v1/auth/redeem/"): "public redeem: takes no credentials and names no object",
}
"""Operations outside the matrix, with the reason. Log-out is in it for callers without valid
credentials (401); for the others it is left out because it revokes the caller's own token,
never anyone else's, and every later request of theirs would then be a 401."""
OWN_TOKEN_ONLY = ("post", "/api/v1/auth/logout/")

THERAPISTS, CLIENT_APP, LIBRARY = "therapists only", "client app only", "library"
SIGNED_IN = "anyone signed in"


@dataclass(frozen=True)
class Family:
    """A resource: who may call it, and which of a therapist's objects its `{id}` names."""

    access: str
    targets: tuple[str, ...] = ()  # World attributes; empty: the resource has no ids of A's
    shared: str = ""  # World attribute of a shared row anyone signed in reads, when no targets
    own: str = ""  # the target a body is proven on (test_bodies_succeed_on_own_objects)


FAMILIES = {
    "auth/logout": Family(SIGNED_IN),
    "clients": Family(THERAPISTS, ("client", "spare_client"), own="client"),
    "programs": Family(THERAPISTS, ("active", "draft", "template"), own="draft"),
    "exercises": Family(LIBRARY, ("exercise",), own="exercise"),
    "conditions": Family(LIBRARY, shared="condition"),
    "me": Family(CLIENT_APP),
    "me/programs": Family(CLIENT_APP, ("active",), own="active"),
    "me/sessions": Family(CLIENT_APP, ("session",), own="session"),
    "me/symptoms": Family(CLIENT_APP),
    "attention": Family(THERAPISTS, ("attention",), own="attention"),
}
"""Resources by their path under /api/v1/ (the longest prefix wins)."""


@dataclass(frozen=True)
class Body:
    """A request body built from someone's objects; `names` lists the fields that name objects
    of that person's, so they are a 400 when they name another's."""

    build: object
    names: tuple[str, ...] = ()


def new_program(world) -> dict:
    item = {"exercise": world.exercise.pk, "side": "each", "sets": 2, "reps_min": 8}
    return {
        "title": "Made by the caller",
        "client": world.client.pk,
        "weeks": 4,
        "sessions_per_week": 2,
        "blocks": [{"title": "Main", "items": [item]}],
    }


def new_session(world) -> dict:
    return {
        "client_uuid": str(uuid.uuid4()),
        "program": world.active.pk,
        "performed_at": timezone.now().isoformat(),
        "entries": [{"item": world.item.pk, "side": "left", "reps": 10}],
    }


def new_screening(world) -> dict:
    flags = world.condition.red_flags.order_by("position")
    return {
        "condition": world.condition.slug,
        "answers": [{"red_flag": flag.pk, "present": False} for flag in flags],
    }


BODIES = {
    ("post", "/api/v1/clients/"): Body(lambda w: {"first_name": "Nora", "last_name": "New"}),
    ("patch", "/api/v1/clients/{id}/"): Body(lambda w: {"notes": "Changed by the caller."}),
    ("post", "/api/v1/clients/{id}/screenings/"): Body(new_screening),
    ("post", "/api/v1/programs/"): Body(new_program, ("client", "blocks")),
    ("put", "/api/v1/programs/{id}/"): Body(
        lambda w: {"title": "Replaced by the caller", "weeks": 6, "sessions_per_week": 3}
    ),
    ("patch", "/api/v1/programs/{id}/"): Body(lambda w: {"title": "Renamed by the caller"}),
    ("post", "/api/v1/programs/{id}/activate/"): Body(
        lambda w: {"override_reason": "Cleared by the caller's physician."}
    ),
    ("post", "/api/v1/programs/{id}/copy/"): Body(lambda w: {"client": w.client.pk}, ("client",)),
    ("post", "/api/v1/exercises/"): Body(
        lambda w: {"name": "Caller's march", "category": w.category.slug, "laterality": "each_side"}
    ),
    ("patch", "/api/v1/exercises/{id}/"): Body(lambda w: {"summary": "Changed by the caller."}),
    ("patch", "/api/v1/me/"): Body(lambda w: {"units": "imperial"}),
    ("post", "/api/v1/me/sessions/"): Body(new_session, ("program", "entries")),
    ("post", "/api/v1/me/symptoms/"): Body(
        lambda w: {"red_flags": [w.condition.red_flags.first().pk], "text": w.marker}
    ),
    ("post", "/api/v1/attention/{id}/clear/"): Body(lambda w: {"reason": "Seen by the caller."}),
}
"""Write bodies by operation, each valid on the caller's own objects. A new operation on an
object (`{id}`) that has none here is sent `{}`, since its refusal must come before the body is
read; a write on the caller's own scope cannot be judged without one."""
CREATED = {"post": 201, "put": 200, "patch": 200}


# -- the schema's operations and where each is placed


@functools.cache
def operations() -> tuple[tuple[str, str, bool], ...]:
    """(method, path, has a request body) for every operation of the served schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return tuple(
        (method, path, "requestBody" in operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    )


def family_of(path: str) -> Family | None:
    rest = path.removeprefix(API)
    names = [name for name in FAMILIES if rest.startswith(f"{name}/")]
    if not path.startswith(API) or not names:
        return None
    return FAMILIES[max(names, key=len)]


def placement_error(method: str, path: str, has_body: bool) -> str | None:
    """Why the matrix cannot place an operation, or None."""
    if (method, path) in EXCLUDED or (method, path) == OWN_TOKEN_ONLY:
        return None
    family = family_of(path)
    if family is None:
        return "no resource family in FAMILIES for this path"
    parameters = {part[1:-1] for part in path.split("/") if part.startswith("{")}
    if parameters - {"id", "number"}:
        return f"unknown path parameters {sorted(parameters - {'id', 'number'})}"
    if "id" in parameters and not (family.targets or family.shared):
        return "an {id} in a family without targets"
    if has_body and "id" not in parameters and (method, path) not in BODIES:
        return "a write on the caller's own scope needs a body in BODIES"
    return None


def test_every_operation_is_placed():
    """A new operation the matrix cannot place fails here, naming what is missing; so does an
    exclusion or a body for an operation the schema no longer has."""
    known = {(method, path) for method, path, _ in operations()}
    errors = [
        f"{method.upper()} {path}: {error}"
        for method, path, has_body in operations()
        if (error := placement_error(method, path, has_body))
    ]
    errors += [
        f"{method.upper()} {path}: listed here but not in the schema"
        for method, path in [*EXCLUDED, *BODIES, OWN_TOKEN_ONLY]
        if (method, path) not in known
    ]
    assert not errors, "\n".join(errors)


# -- the objects: therapist A's (the victim's) and, built the same way, the caller's own


@dataclass
class World:
    """One therapist's practice; every text of it carries `marker`, which must never appear in
    an answer to anyone else."""

    marker: str
    therapist: object
    client: Client  # has an app account
    client_user: object
    spare_client: Client  # has none, so an invitation could be made for it
    exercise: Exercise  # the therapist's own custom exercise
    active: Program  # with an earlier version kept
    draft: Program
    template: Program
    item: Item
    screening: Screening
    session: Session
    attention: Attention
    condition: object
    category: object
    version_number: int


def build_world(name: str, condition) -> World:
    marker = f"{name}{uuid.uuid4().hex[:12]}"
    therapist = TherapistFactory(username=f"{marker}-therapist", first_name=marker)
    client = ClientFactory(therapist=therapist, first_name=marker, last_name=marker, notes=marker)
    client_user = ClientUserFactory(client_profile=client, username=f"{marker}-app")
    spare_client = ClientFactory(therapist=therapist, first_name=marker, last_name=marker)
    exercise = CustomExerciseFactory(
        owner=therapist, name=f"{marker} march", summary=marker, progressable=["reps", "sets"]
    )
    start = timezone.localdate() - timedelta(days=7)
    active = ProgramFactory(
        owner=therapist,
        client=client,
        condition=condition,
        title=f"{marker} active",
        status="active",
        start_date=start,
    )
    item = ItemFactory(block=BlockFactory(program=active, title=marker), exercise=exercise)
    ProgressionRuleFactory(item=item, parameter="reps", amount=2)
    active = services.program_update(program=active, data={"notes": marker}, by=therapist)
    draft = ProgramFactory(owner=therapist, client=client, title=f"{marker} draft")
    ItemFactory(block=BlockFactory(program=draft, title=marker), exercise=exercise)
    template = ProgramFactory(owner=therapist, client=None, title=f"{marker} template")
    BlockFactory(program=template, title=marker)
    screening = ScreeningFactory(client=client, condition=condition, notes=marker)
    session = SessionFactory(program=active, client=client, notes=marker)
    ExerciseLogFactory(session=session, item=item, side="left", notes=marker)
    attention = Attention.objects.create(client=client, screening=screening, is_emergency=False)
    attention.red_flags.set(condition.red_flags.all())
    return World(
        marker=marker,
        therapist=therapist,
        client=client,
        client_user=client_user,
        spare_client=spare_client,
        exercise=exercise,
        active=active,
        draft=draft,
        template=template,
        item=item,
        screening=screening,
        session=session,
        attention=attention,
        condition=condition,
        category=CategoryFactory(),
        version_number=active.versions.get().version,
    )


@pytest.fixture
def worlds():
    """(A's practice, the caller's own practice), sharing the library's condition."""
    condition = ConditionFactory(red_flags=2)
    return build_world("victim", condition), build_world("caller", condition)


def rows(queryset) -> list[dict]:
    return list(queryset.order_by("pk").values())


def snapshot(world: World) -> dict[str, list[dict]]:
    """Every stored row of A's practice, all fields, by table."""
    a = world.therapist
    users = get_user_model().objects.filter(pk__in=[a.pk, world.client_user.pk])
    return {
        "programs": rows(Program.objects.filter(owner=a)),
        "blocks": rows(Block.objects.filter(program__owner=a)),
        "items": rows(Item.objects.filter(block__program__owner=a)),
        "rules": rows(ProgressionRule.objects.filter(item__block__program__owner=a)),
        "versions": rows(ProgramVersion.objects.filter(program__owner=a)),
        "clients": rows(Client.objects.filter(therapist=a)),
        "invitations": rows(Invitation.objects.filter(client__therapist=a)),
        "screenings": rows(Screening.objects.filter(client__therapist=a)),
        "answers": rows(ScreeningAnswer.objects.filter(screening__client__therapist=a)),
        "sessions": rows(Session.objects.filter(client__therapist=a)),
        "entries": rows(ExerciseLog.objects.filter(session__client__therapist=a)),
        "attention": rows(Attention.objects.filter(client__therapist=a)),
        "symptom reports": rows(SymptomReport.objects.filter(client__therapist=a)),
        "exercises": rows(Exercise.objects.filter(owner=a)),
        "users": rows(users),
        "groups": sorted(users.values_list("pk", "groups__name")),
        "tokens": rows(AuthToken.objects.filter(user__in=users).values("digest", "expiry")),
    }


# -- the callers


@dataclass
class Caller:
    name: str
    api: APIClient
    signed_in: bool = False
    therapist: bool = False
    client: bool = False


def token_api(user) -> tuple[APIClient, str]:
    api = APIClient()
    _, token = AuthToken.objects.create(user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api, token


def used(api: APIClient, path: str) -> APIClient:
    """A token that has worked once: whatever its first use left behind must not outlive it."""
    assert api.get(path).status_code == 200
    return api


def make_caller(name: str, own: World) -> Caller:
    """The caller named, with a real token (or none) over HTTP."""
    if name == "anonymous":
        return Caller(name, APIClient())
    if name == "invalid token":
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {uuid.uuid4().hex}{uuid.uuid4().hex}")
        return Caller(name, api)
    if name == "expired token":
        api = APIClient()
        _, token = AuthToken.objects.create(own.therapist, expiry=timedelta(seconds=-1))
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return Caller(name, api)
    if name == "logged-out token":
        api = used(token_api(own.therapist)[0], f"{API}clients/")
        assert api.post(f"{API}auth/logout/").status_code == 204
        return Caller(name, api)
    if name == "deleted token":
        api, token = token_api(own.therapist)
        used(api, f"{API}clients/")
        AuthToken.objects.filter(digest=hash_token(token)).delete()  # as the admin deletes one
        return Caller(name, api)
    if name == "other therapist":
        return Caller(name, token_api(own.therapist)[0], signed_in=True, therapist=True)
    if name == "other therapist's client":
        return Caller(name, token_api(own.client_user)[0], signed_in=True, client=True)
    if name == "demoted therapist":
        api = used(token_api(own.therapist)[0], f"{API}clients/")
        own.therapist.groups.remove(Group.objects.get(name=THERAPISTS_GROUP))
        return Caller(name, api, signed_in=True)
    raise AssertionError(name)


CALLERS = [
    "anonymous",
    "invalid token",
    "expired token",
    "logged-out token",
    "deleted token",
    "other therapist",
    "other therapist's client",
    "demoted therapist",
]


# -- the matrix


@dataclass
class Case:
    method: str
    path: str
    url: str
    absent_url: str  # the same request for an id that exists nowhere
    target: object  # the object of A's the URL names, or None
    body: object
    family: Family


def build_cases(victim: World, *, with_logout: bool) -> list[Case]:
    absent = 10**9
    cases = []
    for method, path, has_body in operations():
        if (method, path) in EXCLUDED or placement_error(method, path, has_body):
            continue
        if (method, path) == OWN_TOKEN_ONLY and not with_logout:
            continue
        family = family_of(path)
        path_with_number = path.replace("{number}", str(victim.version_number))
        body = BODIES.get((method, path))
        built = body.build(victim) if body else ({} if has_body else None)
        if "{id}" not in path:
            cases.append(Case(method, path, path, path, None, built, family))
            continue
        for name in family.targets or (family.shared,):
            target = getattr(victim, name)
            url = path_with_number.replace("{id}", str(target.pk))
            absent_url = path_with_number.replace("{id}", str(absent))
            cases.append(Case(method, path, url, absent_url, target, built, family))
    return cases


def send(api: APIClient, method: str, url: str, body, target=None):
    headers = {}
    if isinstance(target, Program):
        target.refresh_from_db()
        headers["HTTP_IF_MATCH"] = target.etag  # A's current version: no 412 stands in for a 404
    data = "" if body is None else json.dumps(body)
    return api.generic(method.upper(), url, data, content_type="application/json", **headers)


def expected(caller: Caller, case: Case) -> tuple[int, str | None]:
    """(status, the refusing rule's message or None), by the rules in the module docstring."""
    if not caller.signed_in:
        return 401, None
    access, write = case.family.access, case.method.upper() not in SAFE_METHODS
    if access == THERAPISTS and not caller.therapist:
        return 403, IsTherapist.message
    if access == CLIENT_APP and not caller.client:
        return 403, IsClient.message
    if access == LIBRARY and write and not caller.therapist:
        return 403, TherapistWrites.message
    if case.target is not None:
        return (200 if not case.family.targets else 404), None
    if not write:
        return 200, None
    body = BODIES[(case.method, case.path)]
    return (400 if body.names else CREATED[case.method]), None


def result_ids(response) -> set:
    return {row.get("id") for row in response.json().get("results", [])}


def victim_ids(victim: World, family: Family) -> set:
    return {getattr(victim, name).pk for name in family.targets}


def check(caller: Caller, case: Case, response, victim: World, absent_answers: dict) -> list[str]:
    """What is wrong with one answer (an empty list if nothing)."""
    status, message = expected(caller, case)
    problems = []
    if response.status_code != status:
        problems.append(f"{response.status_code}, expected {status}: {response.content[:300]!r}")
        return problems
    if victim.marker.encode() in response.content:
        problems.append("the answer shows data of A's")
    if message is not None and response.json().get("detail") != message:
        problems.append(f"refused by another rule: {response.content[:200]!r}")
    if status == 404:
        key = (case.method, case.path)
        if key not in absent_answers:
            absent = send(caller.api, case.method, case.absent_url, case.body, case.target)
            absent_answers[key] = (absent.status_code, absent.content)
        if absent_answers[key] != (response.status_code, response.content):
            problems.append(f"differs from the answer for no such id: {absent_answers[key]}")
    if status == 200 and case.method == "get" and case.target is None:
        leaked = result_ids(response) & victim_ids(victim, case.family)
        if leaked:
            problems.append(f"the list shows A's objects {sorted(leaked)}")
    if status == 400:
        names = set(BODIES[(case.method, case.path)].names)
        if set(response.json()) != names:
            problems.append(f"a 400 for other fields than {sorted(names)}: {response.content!r}")
    return problems


@pytest.mark.parametrize("caller_name", CALLERS)
def test_nobody_else_reaches_a_therapists_objects(worlds, caller_name):
    """Every operation as this caller against A's objects: the exact status, no data of A's in
    any answer, no 5xx, and afterwards A's rows exactly as before."""
    victim, own = worlds
    caller = make_caller(caller_name, own)
    cases = build_cases(victim, with_logout=not caller.signed_in)
    before = snapshot(victim)
    failures, statuses, absent_answers = [], Counter(), {}
    for case in cases:
        response = send(caller.api, case.method, case.url, case.body, case.target)
        statuses[response.status_code] += 1
        for problem in check(caller, case, response, victim, absent_answers):
            failures.append(f"{case.method.upper()} {case.url}: {problem}")
    placed = {(case.method, case.path) for case in cases}
    unplaced = [
        f"{method.upper()} {path}"
        for method, path, _ in operations()
        if (method, path) not in placed
        and (method, path) not in EXCLUDED
        and not ((method, path) == OWN_TOKEN_ONLY and caller.signed_in)
    ]
    assert not unplaced, f"operations the matrix did not run: {unplaced}"
    assert not [code for code in statuses if code >= 500], failures
    assert not failures, f"{caller_name} ({dict(statuses)}):\n" + "\n".join(failures)
    after = snapshot(victim)
    changed = [table for table in before if before[table] != after[table]]
    assert not changed, f"{caller_name} changed A's {changed}"


def test_bodies_succeed_on_own_objects(worlds):
    """The matrix's bodies are valid: each succeeds on the caller's own object, so a refusal in
    the matrix is due to permission. A body naming another's objects is a 400 for those fields
    even on one's own object."""
    victim, own = worlds
    therapist = token_api(own.therapist)[0]
    app = token_api(own.client_user)[0]
    failures = []
    for (method, path), body in BODIES.items():
        family = family_of(path)
        api = app if family.access == CLIENT_APP else therapist
        target = getattr(own, family.own) if "{id}" in path else None
        url = path.replace("{id}", str(target.pk)) if target else path
        response = send(api, method, url, body.build(own), target)
        if not 200 <= response.status_code < 300:
            failures.append(f"{method.upper()} {url}: {response.status_code} {response.content!r}")
        if body.names:
            response = send(api, method, url, body.build(victim), target)
            if response.status_code != 400 or set(response.json()) != set(body.names):
                failures.append(
                    f"{method.upper()} {url} naming A's objects: {response.status_code} "
                    f"{response.content!r}, expected a 400 for {list(body.names)}"
                )
    assert not failures, "\n".join(failures)
