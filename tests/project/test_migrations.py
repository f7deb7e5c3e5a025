"""A database made by the migrations from before the apps were split (clients, sessions and the
audit trail in `programs`) migrates forward with nothing lost: the rows stay in their tables,
content types and the Therapists group's permissions follow the models, and the API reads the
data back. Run on SQLite and on PostgreSQL, as the whole suite is."""

from datetime import timedelta
from uuid import uuid4

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.roles import THERAPISTS_GROUP
from audit.models import AuditEvent
from logbook.models import Session
from programs.models import Program
from ptbuilder import caching
from tests.factories import ExerciseFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE_THE_SPLIT = [
    ("programs", "0008_audit_log_append_only_in_postgresql"),
    ("clients", None),
    ("logbook", None),
    ("audit", None),
]


def migrate(targets):
    """As the migrate command does: the cache's triggers off, migrations, triggers back on."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    caching.drop_triggers()
    executor.migrate(targets)
    caching.install_triggers()
    return executor.loader.project_state([node for node in targets if node[1]]).apps


def leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def data_made_before_the_split(old) -> dict:
    """Rows written through the models as they were before the split."""
    user_model = old.get_model("auth", "User")
    therapist = user_model.objects.create(username="maria", is_staff=True)
    therapist.groups.add(old.get_model("auth", "Group").objects.get(name=THERAPISTS_GROUP))
    client = old.get_model("programs", "Client").objects.create(
        therapist_id=therapist.pk, first_name="Ana", last_name="Silva", units="imperial"
    )
    exercise = ExerciseFactory()
    program = old.get_model("programs", "Program").objects.create(
        owner_id=therapist.pk,
        client_id=client.pk,
        title="Back plan",
        status="active",
        start_date=timezone.localdate() - timedelta(days=3),
    )
    block = old.get_model("programs", "Block").objects.create(program=program, position=1)
    item = old.get_model("programs", "Item").objects.create(
        block=block, exercise_id=exercise.pk, position=1, sets=2, reps_min=8, reps_max=10
    )
    session = old.get_model("programs", "Session").objects.create(
        client=client,
        program=program,
        client_uuid=uuid4(),
        performed_at=timezone.now() - timedelta(days=1),
        pain_after=2,
    )
    old.get_model("programs", "ExerciseLog").objects.create(
        session=session, item=item, exercise_id=exercise.pk, side="both", reps=10
    )
    old.get_model("programs", "AuditEvent").objects.create(
        user_id=therapist.pk,
        username="maria",
        action="read:retrieve",
        object_type="client",
        object_id=str(client.pk),
        client_id=client.pk,
        path=f"/api/v1/clients/{client.pk}/",
        status_code=200,
    )
    return {"therapist": therapist.pk, "client": client.pk, "program": program.pk}


def test_a_database_from_before_the_split_migrates_forward_with_nothing_lost():
    old = migrate(BEFORE_THE_SPLIT)
    made = data_made_before_the_split(old)
    migrate(leaves())

    therapist = get_user_model().objects.get(pk=made["therapist"])
    assert therapist.has_perm("clients.change_client")
    assert therapist.has_perm("clients.add_screening")
    assert therapist.has_perm("logbook.view_session")
    assert not Permission.objects.filter(content_type__app_label="programs", codename="view_client")

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(therapist)[1]}")
    client = api.get(f"/api/v1/clients/{made['client']}/")
    assert client.status_code == 200
    assert client.json()["last_name"] == "Silva"
    program = api.get(f"/api/v1/programs/{made['program']}/").json()
    assert program["blocks"][0]["items"][0]["reps_max"] == 10
    adherence = api.get(f"/api/v1/clients/{made['client']}/adherence/").json()
    assert adherence["programs"][0]["program"] == made["program"]
    assert Session.objects.get().entries.get().reps == 10
    reads = AuditEvent.objects.filter(action="read:retrieve", object_type="client")
    assert reads.filter(client_id=made["client"]).count() == 2  # the one from before, and now


OLD_TEMPLATE_NOTES = (
    "Do the six tools in order.\n\nNumbers the source does not give are clinical choices made for "
    "this template: 3 sessions a week. Adjust them to the client."
)


def test_the_templates_reasoning_moves_out_of_the_clients_notes():
    before = [("programs", "0010_pause_record")]
    old = migrate(before)
    therapist = old.get_model("auth", "User").objects.create(username="robin")
    copy = old.get_model("programs", "Program").objects.create(
        owner_id=therapist.pk, title="Copy", notes=OLD_TEMPLATE_NOTES
    )
    migrate(leaves())
    moved = Program.objects.get(pk=copy.pk)
    assert moved.notes == "Do the six tools in order."
    assert moved.rationale.startswith("Numbers the source does not give")
