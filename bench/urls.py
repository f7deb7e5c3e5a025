"""The project's URLs plus two floors per measured endpoint, both returning the endpoint's bytes:

- the bare floor (/bench/floor/<name>/) does no work at all;
- the mandatory-work floor (/bench/mandatory/<name>/) does what no correct answer can skip: it
  checks the token against the database, reads the current state of what the answer shows for
  this caller (the program's version for its owner, the client's active programs' versions, the
  caller's page of the library), and writes the audit record of client data;

and a trivial view (/bench/trivial/) that the middleware's cost is measured around.
"""

import json

from django.db import transaction
from django.http import HttpResponse
from django.urls import path

from accounts.tokens import TokenAuthentication
from audit.trail import Target, record
from exercises.models import Exercise
from logbook.models import ExerciseLog, Session
from programs.models import Program
from ptbuilder.urls import urlpatterns as project_urlpatterns

FLOOR_BODIES: dict[str, tuple[bytes, str]] = {}
MANDATORY: dict[str, dict] = {}
"""What each endpoint's mandatory work reads: {"program": id} or {"client_programs": True} or
{"library_page": size}, or writes: {"upload": program id}."""


def floor(request, name):
    """The same bytes as the endpoint, returned with no work at all."""
    body, content_type = FLOOR_BODIES[name]
    return HttpResponse(body, content_type=content_type)


def trivial(request):
    """A view that does nothing, for the cost of the middleware around it."""
    return HttpResponse(b"ok", content_type="text/plain")


def upload(request, program_id: int) -> None:
    """What storing a session cannot skip: the client's program row locked, the session and its
    entries written, the audit record, in one transaction."""
    body = json.loads(request.body)
    with transaction.atomic():
        program = Program.objects.select_for_update().get(
            pk=program_id, client__user=request.user, status=Program.Status.ACTIVE
        )
        session = Session.objects.create(
            client_id=program.client_id,
            program=program,
            client_uuid=body["client_uuid"],
            performed_at=body["performed_at"],
        )
        items = dict(program.blocks.values_list("items__pk", "items__exercise_id"))
        ExerciseLog.objects.bulk_create(
            ExerciseLog(
                session=session,
                item_id=entry["item"],
                exercise_id=items[entry["item"]],
                side=entry["side"],
                reps=entry["reps"],
                pain=entry["pain"],
            )
            for entry in body["entries"]
        )
        target = Target("session", str(session.pk), program.client_id)
        record(request, action="change:create", target=target, status_code=201)


def mandatory(request, name):
    """The same bytes as the endpoint, after the work every correct answer must do."""
    request.user, _ = TokenAuthentication().authenticate(request)
    reads = MANDATORY[name]
    if "upload" in reads:
        upload(request, reads["upload"])
    elif "program" in reads:
        program = Program.objects.filter(pk=reads["program"], owner=request.user)
        [(program_id, _, client_id)] = program.values_list("pk", "version", "client_id")
        target = Target("program", str(program_id), client_id)
        record(request, action="read:retrieve", target=target, status_code=200)
    elif "client_programs" in reads:
        active = Program.objects.filter(client__user=request.user, status=Program.Status.ACTIVE)
        states = list(active.values_list("pk", "version", "client_id"))
        record(request, action="read:list", client_id=states[0][2], status_code=200)
    else:
        page = Exercise.objects.visible_to(request.user).active().order_by("name", "id")
        list(page.values_list("pk", flat=True)[: reads["library_page"]])
    return floor(request, name)


urlpatterns = [
    path("bench/floor/<str:name>/", floor),
    path("bench/mandatory/<str:name>/", mandatory),
    path("bench/trivial/", trivial),
    *project_urlpatterns,
]
