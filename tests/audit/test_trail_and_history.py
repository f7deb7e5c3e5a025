from datetime import date, timedelta

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit import trail as audit
from audit.models import AuditEvent
from programs.models import Program, ProgramVersion
from tests.conftest import client_for
from tests.factories import (
    ClientFactory,
    ClientUserFactory,
    ExerciseLogFactory,
    ItemFactory,
    ProgramFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


def detail(program):
    return f"/api/v1/programs/{program.pk}/"


@pytest.fixture
def active(therapist):
    program = ProgramFactory(owner=therapist, status="active", start_date=date(2026, 11, 2))
    ItemFactory(block__program=program, reps_min=8, reps_max=10)
    return program


class TestProgramHistory:
    def test_each_change_to_an_active_program_keeps_the_replaced_version(
        self, as_therapist, therapist, active
    ):
        as_therapist.patch(detail(active), {"title": "Second"})
        body = as_therapist.get(detail(active)).json()
        body["blocks"][0]["items"][0]["reps_max"] = 12
        as_therapist.put(detail(active), body)

        listing = as_therapist.get(f"{detail(active)}versions/").json()
        assert [row["version"] for row in listing["results"]] == [2, 1]
        first = as_therapist.get(f"{detail(active)}versions/1/").json()
        second = as_therapist.get(f"{detail(active)}versions/2/").json()
        assert first["snapshot"]["title"] != "Second" and second["snapshot"]["title"] == "Second"
        assert second["snapshot"]["blocks"][0]["items"][0]["reps_max"] == 10
        assert first["replaced_by"] == therapist.username
        assert as_therapist.get(f"{detail(active)}versions/3/").status_code == 404

    def test_drafts_keep_no_history(self, as_therapist, therapist):
        draft = ProgramFactory(owner=therapist)
        as_therapist.patch(detail(draft), {"title": "Renamed"})
        assert not ProgramVersion.objects.exists()

    def test_history_is_as_private_as_the_program(self, api, as_other_therapist, as_client, active):
        url = f"{detail(active)}versions/"
        assert api.get(url).status_code == 401
        assert as_client.get(url).status_code == 403
        assert as_other_therapist.get(url).status_code == 404


class TestStatusChanges:
    @pytest.mark.parametrize(
        "start, target, allowed",
        [
            ("active", "paused", True),
            ("active", "completed", True),
            ("paused", "archived", True),
            ("draft", "archived", True),
            ("draft", "active", False),
            ("paused", "active", False),
            ("archived", "draft", False),
            ("completed", "paused", False),
        ],
    )
    def test_transitions(self, as_therapist, therapist, start, target, allowed):
        program = ProgramFactory(owner=therapist, status=start)
        response = as_therapist.patch(detail(program), {"status": target})
        program.refresh_from_db()
        if allowed:
            assert response.status_code == 200 and program.status == target
        else:
            assert response.status_code == 400 and "status" in response.json()
            assert program.status == start

    def test_a_paused_program_takes_no_sessions_and_leaves_the_client_app(
        self, as_therapist, active
    ):
        as_therapist.patch(detail(active), {"status": "paused"})
        user = ClientUserFactory(client_profile=active.client)
        assert client_for(user).get("/api/v1/me/programs/").json()["count"] == 0


class TestAuditTrail:
    def test_a_change_and_its_record_commit_together(self, as_therapist, active, monkeypatch):
        def failing(*args, **kwargs):
            raise DatabaseError("the audit table is unavailable")

        monkeypatch.setattr(audit, "record", failing)
        with pytest.raises(DatabaseError):
            as_therapist.patch(detail(active), {"title": "Renamed"})
        active.refresh_from_db()
        assert (active.title, active.version) != ("Renamed", 2)

    def test_a_refused_change_keeps_its_denied_record(self, as_therapist, active):
        response = as_therapist.patch(detail(active), {"status": "draft"})
        assert response.status_code == 400  # not a refusal of the caller: no record
        theirs = ProgramFactory()
        assert as_therapist.patch(detail(theirs), {"title": "x"}).status_code == 404
        assert AuditEvent.objects.filter(action="denied:partial_update").count() == 1

    def test_reads_and_changes_of_client_data_are_recorded(self, as_therapist, therapist, active):
        as_therapist.get(detail(active), REMOTE_ADDR="203.0.113.9", HTTP_X_REQUEST_ID="req-1")
        as_therapist.patch(detail(active), {"title": "Renamed"})
        as_therapist.get(f"/api/v1/clients/{active.client_id}/")
        as_therapist.get(f"{detail(active)}pdf/")
        events = list(AuditEvent.objects.order_by("id"))
        assert [(event.action, event.object_type) for event in events] == [
            ("read:retrieve", "program"),
            ("change:partial_update", "program"),
            ("read:retrieve", "client"),
            ("read:pdf", "program"),
        ]
        first = events[0]
        assert (first.user, first.ip, first.request_id) == (therapist, "203.0.113.9", "req-1")
        assert {event.client_id for event in events} == {active.client_id}

    def test_client_app_reads_and_session_uploads_are_recorded(self, active):
        user = ClientUserFactory(client_profile=active.client)
        app = client_for(user)
        app.get("/api/v1/me/programs/")
        session = SessionFactory(program=active)
        ExerciseLogFactory(session=session, item=active.blocks.get().items.get())
        app.get("/api/v1/me/sessions/")
        assert list(AuditEvent.objects.values_list("action", "client", "username")) == [
            ("read:list", active.client_id, user.username),
            ("read:list", active.client_id, user.username),
        ]

    def test_refused_requests_are_not_recorded_as_access(self, as_other_therapist, active):
        assert as_other_therapist.get(detail(active)).status_code == 404
        assert list(AuditEvent.objects.values_list("action", "client")) == [
            ("denied:retrieve", None)
        ]

    def test_the_log_is_append_only(self, as_therapist, active):
        as_therapist.get(detail(active))
        event = AuditEvent.objects.get()
        event.action = "tampered"
        with pytest.raises(PermissionError):
            event.save()
        with pytest.raises(PermissionError):
            event.delete()
        with pytest.raises(PermissionError):
            AuditEvent.objects.all().delete()
        with pytest.raises(PermissionError):
            AuditEvent.objects.update(action="tampered")
        assert AuditEvent.objects.get().action == "read:retrieve"

    @pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the database's own guard is PostgreSQL's"
    )
    @pytest.mark.parametrize(
        "sql",
        [
            "DELETE FROM programs_auditevent",
            "UPDATE programs_auditevent SET action = 'tampered'",
            "UPDATE programs_auditevent SET client_id = NULL, ip = '10.0.0.1'",
            "TRUNCATE programs_auditevent",
        ],
    )
    def test_the_database_refuses_to_change_the_log(self, as_therapist, active, sql):
        as_therapist.get(detail(active))
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for none
                cursor.execute(sql)
        assert AuditEvent.objects.get().action == "read:retrieve"

    def test_deleting_a_client_or_an_account_keeps_their_events(self, as_therapist, therapist):
        client = ClientFactory(therapist=therapist)
        client_id = str(client.pk)
        assert as_therapist.get(f"/api/v1/clients/{client_id}/").status_code == 200
        client.delete()
        therapist.delete()
        event = AuditEvent.objects.get()
        assert (event.client_id, event.user_id) == (None, None)
        assert (event.username, event.object_id) == (therapist.username, client_id)

    def test_admin_views_are_recorded_and_only_superusers_read_the_log(
        self, client, therapist, superuser, active
    ):
        client.force_login(therapist)
        assert (
            client.get(reverse("admin:clients_client_change", args=[active.client_id])).status_code
            == 200
        )
        assert AuditEvent.objects.get().action == "read:admin"
        assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
        client.force_login(superuser)
        listing = client.get(reverse("admin:audit_auditevent_changelist"))
        assert listing.status_code == 200
        event = AuditEvent.objects.first()
        change = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
        assert change.status_code == 200 and not change.context["has_change_permission"]
        assert (
            client.post(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code
            == 403
        )


def test_client_admin_page_shows_sessions_adherence_and_review_items(client, therapist, active):
    item = active.blocks.get().items.get()
    item.needs_review = True
    item.save()
    session = SessionFactory(program=active, pain_before=4, pain_after=2)
    ExerciseLogFactory(session=session, item=item, side="left", reps=9, pain=7)
    ExerciseLogFactory(session=session, item=item, side="right", reps=6, pain=3)
    client.force_login(therapist)
    page = client.get(reverse("admin:clients_client_change", args=[active.client_id]))
    html = page.content.decode()
    assert "Items marked for review" in html and item.exercise.name in html
    assert "pain up to 7/10" in html
    assert "Recent sessions" in html and "4 → 2" in html
    assert "9 / 0 / 7.0" in html and "6 / 0 / 3.0" in html  # left and right
    assert Program.objects.get(pk=active.pk).status == "active"


def test_an_active_program_keeps_its_start_date(as_therapist, active):
    response = as_therapist.patch(detail(active), {"start_date": None})
    assert response.status_code == 400 and "start_date" in response.json()
    active.refresh_from_db()
    assert active.start_date == date(2026, 11, 2)


def test_no_invitation_for_a_client_who_has_an_account(as_therapist, active):
    ClientUserFactory(client_profile=active.client)
    response = as_therapist.post(f"/api/v1/clients/{active.client_id}/invitation/")
    assert response.status_code == 409
    assert "already has an app account" in response.json()["detail"]


def test_no_session_before_the_program_started(active):
    from datetime import datetime, time
    from uuid import uuid4

    from django.utils import timezone

    user = ClientUserFactory(client_profile=active.client)
    item = active.blocks.get().items.get()
    before = timezone.make_aware(datetime.combine(date(2026, 11, 1), time(12)))
    response = client_for(user).post(
        "/api/v1/me/sessions/",
        {
            "client_uuid": str(uuid4()),
            "program": active.pk,
            "performed_at": before.isoformat(),
            "entries": [{"item": item.pk, "side": "left", "reps": 8}],
        },
    )
    assert response.status_code == 400 and "performed_at" in response.json()


def test_each_read_keeps_its_own_time(as_therapist, active):
    start = timezone.now()
    for minutes in range(3):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            as_therapist.get(detail(active))
    times = list(AuditEvent.objects.order_by("id").values_list("at", flat=True))
    assert times == [start + timedelta(minutes=minutes) for minutes in range(3)]


def test_a_read_is_recorded_before_its_answer_is_sent(as_therapist, active, monkeypatch):
    """The record is written before the view hands its answer on; nothing waits in a worker."""
    seen = []
    dispatch = audit.AuditedViewMixin.dispatch

    def spy(view, request, *args, **kwargs):
        response = dispatch(view, request, *args, **kwargs)
        seen.append(AuditEvent.objects.filter(action="read:retrieve").count())
        return response

    monkeypatch.setattr(audit.AuditedViewMixin, "dispatch", spy)
    as_therapist.get(detail(active))
    assert seen == [1]
