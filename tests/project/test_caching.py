"""Reads come from the cache, and a change never serves a stale one."""

from datetime import timedelta
from uuid import uuid4

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from accounts.roles import THERAPISTS_GROUP
from clients.models import Client
from exercises.models import Exercise
from logbook.models import ExerciseLog, Session
from programs.models import Item, Program
from ptbuilder import caching
from tests.conftest import client_for
from tests.factories import (
    BlockFactory,
    ClientUserFactory,
    CustomExerciseFactory,
    EquipmentFactory,
    ExerciseFactory,
    ItemFactory,
    ProgramFactory,
    ProgressionRuleFactory,
    SuperuserFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def active(therapist):
    """An active program in its second week, one item with a gated +2 reps rule."""
    program = ProgramFactory(
        owner=therapist, status="active", start_date=timezone.localdate() - timedelta(days=8)
    )
    item = ItemFactory(block=BlockFactory(program=program), sets=2, reps_min=8, reps_max=10)
    ProgressionRuleFactory(item=item, parameter="reps", amount=2, trigger="gated")
    return program


def detail(program):
    return f"/api/v1/programs/{program.pk}/"


def test_a_second_read_is_served_from_the_cache(
    as_therapist, active, django_assert_max_num_queries
):
    first = as_therapist.get(detail(active))
    with django_assert_max_num_queries(3):  # the program row, the therapist check, the audit
        second = as_therapist.get(detail(active))
    assert second.json() == first.json()


def test_an_edit_is_seen_at_once(as_therapist, active):
    as_therapist.get(detail(active))
    as_therapist.patch(detail(active), {"title": "Renamed"})
    assert as_therapist.get(detail(active)).json()["title"] == "Renamed"


def test_an_edited_library_exercise_is_seen_at_once(as_therapist, active, superuser):
    as_therapist.get(detail(active))
    exercise = active.blocks.get().items.get().exercise
    client_for(superuser).patch(f"/api/v1/exercises/{exercise.pk}/", {"name": "Renamed glide"})
    item = as_therapist.get(detail(active)).json()["blocks"][0]["items"][0]
    assert item["exercise_detail"]["name"] == "Renamed glide"


def test_a_logged_session_moves_the_clients_gated_dose_at_once(active):
    user = ClientUserFactory(client_profile=active.client)
    app = client_for(user)
    before = app.get(f"/api/v1/me/programs/{active.pk}/").json()["blocks"][0]["items"][0]
    assert before["dose"]["reps_min"] == 8 and "held" in before["reasons"]["reps"]
    item = active.blocks.get().items.get()
    week_one = timezone.now() - timedelta(days=7)
    app.post(
        "/api/v1/me/sessions/",
        {
            "client_uuid": str(uuid4()),
            "program": active.pk,
            "performed_at": week_one.isoformat(),
            "entries": [
                {"item": item.pk, "side": "left", "reps": 10, "pain": 1},
                {"item": item.pk, "side": "right", "reps": 10, "pain": 1},
            ],
        },
    )
    after = app.get(f"/api/v1/me/programs/{active.pk}/").json()["blocks"][0]["items"][0]
    assert after["dose"]["reps_min"] == 10


def test_the_clients_units_are_part_of_the_key(active):
    user = ClientUserFactory(client_profile=active.client)
    app = client_for(user)
    item = active.blocks.get().items.get()
    item.load_kg = 5
    item.save()
    assert (
        "5 kg"
        in app.get("/api/v1/me/programs/").json()["results"][0]["blocks"][0]["items"][0][
            "dose_text"
        ]
    )
    app.patch("/api/v1/me/", {"units": "imperial"})
    text = app.get("/api/v1/me/programs/").json()["results"][0]["blocks"][0]["items"][0]
    assert "10 lb" in text["dose_text"]


def test_a_painful_session_holds_gated_rules_until_the_therapist_clears_the_mark(
    as_therapist, active
):
    user = ClientUserFactory(client_profile=active.client)
    app = client_for(user)
    item = active.blocks.get().items.get()
    for days_ago, pain in [(7, 7), (1, 1)]:  # week 1 painful, week 2 fine
        app.post(
            "/api/v1/me/sessions/",
            {
                "client_uuid": str(uuid4()),
                "program": active.pk,
                "performed_at": (timezone.now() - timedelta(days=days_ago)).isoformat(),
                "entries": [{"item": item.pk, "side": "left", "reps": 10, "pain": pain}],
            },
        )
    week_three = app.get(f"/api/v1/me/programs/{active.pk}/?week=3").json()
    row = week_three["blocks"][0]["items"][0]
    assert row["dose"]["reps_min"] == 8
    assert (
        row["reasons"]["reps"] == "held until your therapist has reviewed an earlier painful week"
    )

    body = as_therapist.get(detail(active)).json()
    assert body["blocks"][0]["items"][0]["needs_review"] is True
    body["blocks"][0]["items"][0]["needs_review"] = False
    assert as_therapist.put(detail(active), body).status_code == 200
    row = app.get(f"/api/v1/me/programs/{active.pk}/?week=3").json()["blocks"][0]["items"][0]
    assert row["dose"]["reps_min"] == 10


def test_adherence_counts_a_new_session_at_once(as_therapist, active):
    url = f"/api/v1/clients/{active.client_id}/adherence/"
    assert as_therapist.get(url).json()["programs"][0]["weeks"][1]["sessions_done"] == 0
    user = ClientUserFactory(client_profile=active.client)
    item = active.blocks.get().items.get()
    client_for(user).post(
        "/api/v1/me/sessions/",
        {
            "client_uuid": str(uuid4()),
            "program": active.pk,
            "performed_at": timezone.now().isoformat(),
            "entries": [{"item": item.pk, "side": "left", "reps": 8}],
        },
    )
    assert as_therapist.get(url).json()["programs"][0]["weeks"][1]["sessions_done"] == 1


EXERCISES = "/api/v1/exercises/"
MY_PROGRAMS = "/api/v1/me/programs/"


def listed(api, **params) -> list[str]:
    return [row["name"] for row in api.get(EXERCISES, params).json()["results"]]


class TestExerciseList:
    def test_a_second_read_only_reads_the_librarys_state(
        self, as_therapist, django_assert_num_queries
    ):
        ExerciseFactory(name="Nerve glide")
        first = as_therapist.get(EXERCISES)
        # the page for this caller: its count, its rows with the library's state
        with django_assert_num_queries(2):
            second = as_therapist.get(EXERCISES)
        assert second.content == first.content
        assert second["Content-Type"] == "application/json"

    def test_a_new_exercise_is_listed_at_once(self, as_therapist):
        assert listed(as_therapist) == []
        ExerciseFactory(name="Nerve glide")
        assert listed(as_therapist) == ["Nerve glide"]

    def test_each_caller_gets_their_own_page(self, as_therapist, as_other_therapist, therapist):
        CustomExerciseFactory(name="Mine", owner=therapist)
        assert listed(as_therapist) == ["Mine"]
        assert listed(as_other_therapist) == []

    def test_each_query_gets_its_own_page(self, as_therapist):
        ExerciseFactory(name="Nerve glide")
        ExerciseFactory(name="Bridge")
        assert listed(as_therapist, search="glide") == ["Nerve glide"]
        assert listed(as_therapist, search="bridge") == ["Bridge"]

    def test_an_edited_category_is_seen_at_once(self, as_therapist):
        exercise = ExerciseFactory()
        as_therapist.get(EXERCISES)
        exercise.category.slug = "renamed"
        exercise.category.save()
        assert as_therapist.get(EXERCISES).json()["results"][0]["category"] == "renamed"

    def test_added_equipment_is_seen_at_once(self, as_therapist):
        exercise = ExerciseFactory()
        as_therapist.get(EXERCISES)
        exercise.equipment.add(EquipmentFactory(slug="step"))
        assert as_therapist.get(EXERCISES).json()["results"][0]["equipment"] == ["step"]

    def test_archiving_in_the_admin_is_seen_at_once(self, client, superuser, as_therapist):
        exercise = ExerciseFactory(name="Nerve glide")
        assert listed(as_therapist) == ["Nerve glide"]
        client.force_login(superuser)
        client.post(
            "/admin/exercises/exercise/",
            {"action": "archive", "_selected_action": [exercise.pk]},
        )
        assert Exercise.objects.get(pk=exercise.pk).is_archived
        assert listed(as_therapist) == []

    def test_pages_link_to_the_host_they_were_asked_on(self, as_therapist, settings):
        settings.ALLOWED_HOSTS = ["a.example", "b.example"]
        ExerciseFactory.create_batch(2)
        first = as_therapist.get(EXERCISES, {"page_size": 1}, HTTP_HOST="a.example").json()
        second = as_therapist.get(EXERCISES, {"page_size": 1}, HTTP_HOST="b.example").json()
        assert first["next"].startswith("http://a.example/")
        assert second["next"].startswith("http://b.example/")


class TestProgramDetail:
    def test_another_therapist_never_gets_a_cached_program(self, as_therapist, active):
        assert as_therapist.get(detail(active)).status_code == 200
        other = client_for(TherapistFactory())
        assert other.get(detail(active)).status_code == 404

    def test_a_client_never_gets_a_cached_program(self, as_therapist, active):
        assert as_therapist.get(detail(active)).status_code == 200
        app = client_for(ClientUserFactory(client_profile=active.client))
        assert app.get(detail(active)).status_code == 403

    def test_the_etag_comes_with_a_cached_read(self, as_therapist, active):
        as_therapist.get(detail(active))
        assert as_therapist.get(detail(active))["ETag"] == active.etag

    def test_a_changed_client_record_is_seen_at_once(self, as_therapist, active):
        item = active.blocks.get().items.get()
        item.load_kg = 5
        item.save()
        assert (
            "5 kg" in as_therapist.get(detail(active)).json()["blocks"][0]["items"][0]["dose_text"]
        )
        client = active.client
        client.units = "imperial"
        client.save()
        text = as_therapist.get(detail(active)).json()["blocks"][0]["items"][0]["dose_text"]
        assert "10 lb" in text

    def test_a_deleted_draft_is_gone_at_once(self, as_therapist, therapist):
        draft = ProgramFactory(owner=therapist)
        assert as_therapist.get(detail(draft)).status_code == 200
        assert as_therapist.delete(detail(draft)).status_code == 204
        assert as_therapist.get(detail(draft)).status_code == 404


class TestMyPrograms:
    @pytest.fixture
    def app(self, active):
        return client_for(ClientUserFactory(client_profile=active.client))

    def test_a_second_read_only_reads_the_state_and_writes_the_audit(
        self, app, django_assert_num_queries
    ):
        first = app.get(MY_PROGRAMS)
        # the page: its count, its rows with the state of what they show; the audit event (who
        # the caller's client is, the test client remembers on its user)
        with django_assert_num_queries(3):
            second = app.get(MY_PROGRAMS)
        assert second.content == first.content

    def test_a_newly_activated_program_is_listed_at_once(self, app, active, therapist):
        assert app.get(MY_PROGRAMS).json()["count"] == 1
        ProgramFactory(owner=therapist, client=active.client, status="active")
        assert app.get(MY_PROGRAMS).json()["count"] == 2

    def test_a_paused_program_leaves_the_list_at_once(self, app, active):
        assert app.get(MY_PROGRAMS).json()["count"] == 1
        active.status = "paused"
        active.save()
        assert app.get(MY_PROGRAMS).json()["count"] == 0

    def test_the_week_moves_on_with_the_calendar(self, app, active):
        assert app.get(MY_PROGRAMS).json()["results"][0]["current_week"] == 2
        with time_machine.travel(timezone.now() + timedelta(days=7)):
            assert app.get(MY_PROGRAMS).json()["results"][0]["current_week"] == 3

    def test_a_logged_session_moves_the_listed_dose_at_once(self, app, active):
        rows = app.get(MY_PROGRAMS).json()["results"][0]["blocks"][0]["items"]
        assert rows[0]["dose"]["reps_min"] == 8
        item = active.blocks.get().items.get()
        app.post(
            "/api/v1/me/sessions/",
            {
                "client_uuid": str(uuid4()),
                "program": active.pk,
                "performed_at": (timezone.now() - timedelta(days=7)).isoformat(),
                "entries": [
                    {"item": item.pk, "side": "left", "reps": 10, "pain": 1},
                    {"item": item.pk, "side": "right", "reps": 10, "pain": 1},
                ],
            },
        )
        rows = app.get(MY_PROGRAMS).json()["results"][0]["blocks"][0]["items"]
        assert rows[0]["dose"]["reps_min"] == 10


def test_a_superuser_demoted_no_longer_reads_from_their_cached_entries(active):
    admin = SuperuserFactory()
    api = client_for(admin)
    assert api.get(detail(active)).status_code == 200

    admin.is_superuser = False
    admin.save()
    Group.objects.get(name=THERAPISTS_GROUP).user_set.add(admin)

    assert api.get(detail(active)).status_code == 404  # not one of their own programs


def test_an_entry_made_with_another_field_list_is_never_read(as_therapist, active, monkeypatch):
    """An entry written by a release whose models had other fields (here: a program without
    `goal`) is served while that release runs, and never once the fields have changed."""
    fresh = as_therapist.get(detail(active)).json()
    fields = caching.field_lists()
    fields["programs.Program"] = tuple(f for f in fields["programs.Program"] if f != "goal")
    monkeypatch.setattr(caching, "_schema", caching.schema_digest(fields))
    caching.program_entry(
        active, "detail", lambda program: b'{"legacy": true}', "metric", activity=True
    )
    assert as_therapist.get(detail(active)).json() == {"legacy": True}

    monkeypatch.setattr(caching, "_schema", None)  # this release's field lists
    response = as_therapist.get(detail(active))
    assert response.status_code == 200
    assert response.json() == fresh


def test_the_state_read_with_programs_is_their_current_state(active, superuser):
    def read():
        [program] = caching.with_state(Program.objects.filter(pk=active.pk))
        return program.plan_token, program.library_token

    assert read() == tuple(caching.current(caching.program_scope(active.pk), caching.LIBRARY))
    before = read()
    ExerciseFactory()
    assert read()[1] != before[1]
    active.save()
    assert read()[0] != before[0]


def test_the_schedule_follows_an_edit_and_the_weeks_asked(as_therapist, active):
    url = f"{detail(active)}schedule/"
    assert len(as_therapist.get(url, {"weeks": 2}).json()[0]["weeks"]) == 2
    assert len(as_therapist.get(url, {"weeks": 3}).json()[0]["weeks"]) == 3

    body = as_therapist.get(detail(active)).json()
    body["blocks"][0]["items"][0]["reps_min"] = 12
    body["blocks"][0]["items"][0]["reps_max"] = 14
    assert as_therapist.put(detail(active), body).status_code == 200

    assert as_therapist.get(url, {"weeks": 2}).json()[0]["weeks"][0]["dose"]["reps_min"] == 12


class TestWritesThatBypassSave:
    """The database renews what a write changes, whatever the write: no signal is needed."""

    def item_of(self, api, program) -> dict:
        return api.get(detail(program)).json()["blocks"][0]["items"][0]

    def test_an_item_updated_by_a_queryset(self, as_therapist, active):
        assert self.item_of(as_therapist, active)["reps_max"] == 10
        Item.objects.filter(block__program=active).update(reps_max=14)
        assert self.item_of(as_therapist, active)["reps_max"] == 14

    def test_a_rule_changed_by_raw_sql(self, as_therapist, active):
        assert self.item_of(as_therapist, active)["progressions"][0]["amount"] == "2.00"
        with connection.cursor() as cursor:
            cursor.execute("UPDATE programs_progressionrule SET amount = 3")
        assert self.item_of(as_therapist, active)["progressions"][0]["amount"] == "3.00"

    def test_a_clients_units_updated_by_a_queryset(self, as_therapist, active):
        Item.objects.filter(block__program=active).update(load_kg=5)
        assert "5 kg" in self.item_of(as_therapist, active)["dose_text"]
        Client.objects.filter(pk=active.client_id).update(units="imperial")
        assert "10 lb" in self.item_of(as_therapist, active)["dose_text"]

    def test_the_library_updated_by_a_queryset(self, as_therapist, active):
        assert self.item_of(as_therapist, active)["exercise_detail"]["name"] != "Renamed"
        as_therapist.get(EXERCISES)
        Exercise.objects.update(name="Renamed")
        assert self.item_of(as_therapist, active)["exercise_detail"]["name"] == "Renamed"
        assert listed(as_therapist) == ["Renamed"]

    def test_logs_created_in_bulk_move_the_clients_gated_dose(self, active):
        app = client_for(ClientUserFactory(client_profile=active.client))
        assert (
            app.get(MY_PROGRAMS).json()["results"][0]["blocks"][0]["items"][0]["dose"]["reps_min"]
            == 8
        )
        item = active.blocks.get().items.get()
        last_week = timezone.now() - timedelta(days=7)
        [session] = Session.objects.bulk_create(
            [
                Session(
                    client=active.client,
                    program=active,
                    client_uuid=uuid4(),
                    performed_at=last_week,
                )
            ]
        )
        ExerciseLog.objects.bulk_create(
            ExerciseLog(
                session=session, item=item, exercise=item.exercise, side=side, reps=10, pain=1
            )
            for side in ("left", "right")
        )
        rows = app.get(MY_PROGRAMS).json()["results"][0]["blocks"][0]["items"]
        assert rows[0]["dose"]["reps_min"] == 10

    def test_a_therapist_renamed_by_a_queryset_gets_a_fresh_pdf_etag(
        self, as_therapist, therapist, active
    ):
        etag = caching.program_key(active, "pdf")
        type(therapist).objects.filter(pk=therapist.pk).update(last_login=timezone.now())
        assert caching.program_key(active, "pdf") == etag  # a log-in's time is not printed
        type(therapist).objects.filter(pk=therapist.pk).update(last_name="Renamed")
        assert caching.program_key(active, "pdf") != etag


def renewing_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers"
                " WHERE trigger_name LIKE 'renew_%%'"
            )
        else:
            cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'")
        return {table for (table,) in cursor.fetchall()}


def test_every_table_a_cached_rendering_shows_renews_it():
    """Also after a migration that rebuilds a table: they are installed after every migrate."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    shown = [
        *apps.get_app_config("exercises").get_models(include_auto_created=True),
        *(apps.get_model(label) for label in ["programs.Program", "programs.Block"]),
        *(apps.get_model(label) for label in ["programs.Item", "programs.ProgressionRule"]),
        *(apps.get_model(label) for label in ["logbook.Session", "logbook.ExerciseLog"]),
        apps.get_model("clients.Client"),
        get_user_model(),
        *apps.get_app_config("clinics").get_models(),
    ]
    missing = {model._meta.db_table for model in shown} - renewing_triggers()
    assert not missing, f"no trigger renews the cache for {missing}"
