"""The client app's side: /me/, the client's programs with this week's dose, and logging."""

import threading
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from uuid import uuid4

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from exercises.models import MAX_REPS, Exercise
from logbook.models import ExerciseLog, Session
from programs.models import Item, Program
from tests.conftest import client_for
from tests.factories import (
    BlockFactory,
    ClientFactory,
    ClientUserFactory,
    ConditionFactory,
    ExerciseLogFactory,
    ItemFactory,
    ProgramFactory,
    ProgressionRuleFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ME_URL = "/api/v1/me/"
PROGRAMS_URL = "/api/v1/me/programs/"
SESSIONS_URL = "/api/v1/me/sessions/"


def program_url(program):
    return f"{PROGRAMS_URL}{program.pk}/"


def today():
    return timezone.localdate()


def active_program(client, *, start_date=None, **fields) -> Program:
    fields.setdefault("weeks", 8)
    return ProgramFactory(
        owner=client.therapist,
        client=client,
        status=Program.Status.ACTIVE,
        start_date=start_date or today(),
        **fields,
    )


def item_in(program, **fields) -> Item:
    return ItemFactory(block=BlockFactory(program=program), **fields)


def noon_of(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def entry(item, side="left", **fields) -> dict:
    return {"item": item.pk, "side": side, "sets": 2, "reps": 10, "pain": 2, **fields}


def earlier_today() -> datetime:
    """An hour ago, or midnight when today is younger than that (a program starts today)."""
    now = timezone.localtime()
    return max(now - timedelta(hours=1), now.replace(hour=0, minute=0, second=0, microsecond=0))


def session_payload(program, entries, **fields) -> dict:
    return {
        "client_uuid": str(uuid4()),
        "program": program.pk,
        "performed_at": earlier_today().isoformat(),
        "pain_before": 3,
        "pain_after": 2,
        "notes": "Felt fine.",
        "entries": entries,
        **fields,
    }


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def items_of(program_body) -> list[dict]:
    return [item for block in program_body["blocks"] for item in block["items"]]


def item_body(program_body, item) -> dict:
    return next(row for row in items_of(program_body) if row["id"] == item.pk)


@pytest.fixture
def app_user(therapist):
    return ClientUserFactory(
        client_profile__therapist=therapist,
        client_profile__first_name="Ada",
        client_profile__last_name="Lovelace",
        client_profile__email="ada@example.com",
    )


@pytest.fixture
def app_client(app_user):
    return app_user.client_profile


@pytest.fixture
def as_app(app_user):
    return client_for(app_user)


@pytest.fixture
def other_app_user(therapist):
    return ClientUserFactory(client_profile__therapist=therapist)


@pytest.fixture
def as_other_app(other_app_user):
    return client_for(other_app_user)


class TestMe:
    def test_shows_the_profile_units_and_therapist(self, as_app, app_client, therapist):
        therapist.first_name, therapist.last_name = "Robin", "Hale"
        therapist.email = "robin@clinic.example"
        therapist.save()

        body = ok(as_app.get(ME_URL))

        assert body["id"] == app_client.pk
        assert (body["first_name"], body["last_name"]) == ("Ada", "Lovelace")
        assert body["email"] == "ada@example.com"
        assert body["units"] == "metric"
        assert body["therapist"] == {"name": "Robin Hale", "email": "robin@clinic.example"}
        assert "notes" not in body

    def test_units_can_be_changed_and_nothing_else(self, as_app, app_client):
        response = as_app.patch(
            ME_URL,
            {"units": "imperial", "first_name": "Eve", "email": "eve@example.com", "id": 999},
        )

        assert ok(response)["units"] == "imperial"
        app_client.refresh_from_db()
        assert app_client.units == "imperial"
        assert (app_client.first_name, app_client.email) == ("Ada", "ada@example.com")

    def test_unknown_units_are_a_400(self, as_app, app_client):
        response = as_app.patch(ME_URL, {"units": "stone"})
        assert response.status_code == 400 and "units" in response.json()
        app_client.refresh_from_db()
        assert app_client.units == "metric"

    def test_put_and_delete_are_not_offered(self, as_app):
        assert as_app.put(ME_URL, {"units": "imperial"}).status_code == 405
        assert as_app.delete(ME_URL).status_code == 405


class TestAccess:
    URLS = [ME_URL, PROGRAMS_URL, SESSIONS_URL]

    @pytest.mark.parametrize("url", URLS)
    def test_anonymous_gets_401(self, api, url):
        assert api.get(url).status_code == 401

    @pytest.mark.parametrize("url", URLS)
    def test_a_therapist_gets_403(self, as_therapist, url):
        assert as_therapist.get(url).status_code == 403

    @pytest.mark.parametrize("url", URLS)
    def test_a_user_without_a_client_profile_gets_403(self, as_client, url):
        assert as_client.get(url).status_code == 403

    def test_a_therapist_cannot_log_a_session(self, as_therapist, app_client):
        program = active_program(app_client)
        item = item_in(program)
        response = as_therapist.post(SESSIONS_URL, session_payload(program, [entry(item)]))
        assert response.status_code == 403
        assert not Session.objects.exists()

    def test_a_client_cannot_change_or_delete_a_program(self, as_app, app_client):
        program = active_program(app_client, title="Mine")
        url = f"/api/v1/programs/{program.pk}/"

        assert as_app.patch(url, {"title": "Changed"}).status_code == 403
        assert as_app.delete(url).status_code == 403
        assert as_app.post(f"{url}activate/").status_code == 403
        program.refresh_from_db()
        assert program.title == "Mine" and program.status == Program.Status.ACTIVE

    def test_a_client_sees_only_their_own_sessions(self, as_app, app_client, other_app_user):
        mine = SessionFactory(program=active_program(app_client))
        SessionFactory(program=active_program(other_app_user.client_profile))

        body = ok(as_app.get(SESSIONS_URL))

        assert [row["id"] for row in body["results"]] == [mine.pk]


class TestMyPrograms:
    def test_lists_only_this_clients_active_programs(self, as_app, app_client, other_app_user):
        active = active_program(app_client)
        for status in ("draft", "paused", "completed", "archived"):
            ProgramFactory(owner=app_client.therapist, client=app_client, status=status)
        active_program(other_app_user.client_profile)
        ProgramFactory(owner=app_client.therapist, client=None, status=Program.Status.ACTIVE)

        body = ok(as_app.get(PROGRAMS_URL))

        assert body["count"] == 1
        assert [row["id"] for row in body["results"]] == [active.pk]

    def test_another_clients_program_and_own_drafts_are_404(
        self, as_app, app_client, other_app_user
    ):
        others = active_program(other_app_user.client_profile)
        draft = ProgramFactory(owner=app_client.therapist, client=app_client)

        assert as_app.get(program_url(others)).status_code == 404
        assert as_app.get(program_url(draft)).status_code == 404

    def test_each_item_carries_the_exercise_dose_and_red_flags(self, as_app, app_client):
        condition = ConditionFactory(red_flags=3)
        program = active_program(app_client, condition=condition)
        item = item_in(
            program,
            exercise__steps=["Stand tall.", "Step forward."],
            exercise__cues=["Breathe"],
            exercise__video_url="https://video.example/lunge",
            exercise__dosing=Exercise.Dosing.REPS,
        )

        body = ok(as_app.get(program_url(program)))

        assert body["current_week"] == 1 and body["week"] == 1
        row = item_body(body, item)
        assert row["exercise"]["steps"] == ["Stand tall.", "Step forward."]
        assert row["exercise"]["cues"] == ["Breathe"]
        assert row["exercise"]["video_url"] == "https://video.example/lunge"
        assert "image" in row["exercise"]
        assert row["dose"]["sets"] == 2
        assert (row["dose"]["reps_min"], row["dose"]["reps_max"]) == (8, 10)
        assert row["dose_text"] == "2 × 8–10 reps each side"
        assert row["reasons"] == {}
        flags = condition.red_flags.order_by("position")
        assert [flag["text"] for flag in body["red_flags"]] == [flag.text for flag in flags]

    def test_dose_text_follows_the_clients_units(self, as_app, app_client):
        app_client.units = "imperial"
        app_client.save()
        program = active_program(app_client)
        item = item_in(program, load_kg=Decimal("2.5"), step_height_cm=20)

        row = item_body(ok(as_app.get(program_url(program))), item)

        assert row["dose_text"] == "2 × 8–10 reps each side · 5 lb · 8 in step"
        assert Decimal(row["dose"]["load_kg"]) == Decimal("2.5")
        assert row["dose"]["step_height_cm"] == 20

    def test_the_current_week_comes_from_the_start_date(self, as_app, app_client):
        program = active_program(app_client, start_date=today() - timedelta(days=15))
        item = item_in(program)
        ProgressionRuleFactory(item=item, parameter="load_kg", amount=Decimal("2.5"))

        body = ok(as_app.get(PROGRAMS_URL))["results"][0]

        assert body["current_week"] == 3 and body["week"] == 3
        row = item_body(body, item)
        assert Decimal(row["dose"]["load_kg"]) == Decimal("5")
        assert row["dose_text"].endswith("· 5 kg")
        assert row["reasons"] == {"load_kg": "+2.5 kg (weekly from week 2)"}

    def test_week_looks_ahead_without_moving_the_current_week(self, as_app, app_client):
        program = active_program(app_client)
        item = item_in(program)
        ProgressionRuleFactory(item=item, parameter="load_kg", amount=Decimal("2.5"))

        body = ok(as_app.get(program_url(program), {"week": 5}))

        assert body["current_week"] == 1 and body["week"] == 5
        assert Decimal(item_body(body, item)["dose"]["load_kg"]) == Decimal("10")

    @pytest.mark.parametrize("week", ["0", "9", "-1", "abc", "2.5", "", "²", "1" * 5000])
    def test_a_week_outside_the_program_is_a_400(self, as_app, app_client, week):
        program = active_program(app_client, weeks=8)
        item_in(program)

        response = as_app.get(program_url(program), {"week": week})

        assert response.status_code == 400
        assert "week" in response.json()

    def test_after_the_last_week_the_last_week_is_shown(self, as_app, app_client):
        program = active_program(app_client, start_date=today() - timedelta(days=100), weeks=8)
        item = item_in(program)
        ProgressionRuleFactory(item=item, parameter="load_kg", amount=Decimal("1"))

        body = ok(as_app.get(program_url(program)))

        assert body["current_week"] == 8
        assert Decimal(item_body(body, item)["dose"]["load_kg"]) == Decimal("7")

    def test_an_active_program_without_a_start_date_is_in_week_one(self, as_app, app_client):
        program = active_program(app_client)
        item = item_in(program)
        ExerciseLogFactory(session=SessionFactory(program=program), item=item)
        Program.objects.filter(pk=program.pk).update(start_date=None)

        body = ok(as_app.get(program_url(program)))

        assert body["current_week"] == 1
        assert item_body(body, item)["dose"]["reps_min"] == 8

    def test_before_the_start_date_it_is_week_one(self, as_app, app_client):
        program = active_program(app_client, start_date=today() + timedelta(days=10))
        item = item_in(program)
        ProgressionRuleFactory(item=item, parameter="load_kg", amount=Decimal("1"))

        body = ok(as_app.get(program_url(program)))

        assert body["current_week"] == 1
        assert item_body(body, item)["dose"]["load_kg"] is None


def log_week_one(as_app, program, item, *, reps, pain, sessions=2):
    performed_at = noon_of(program.start_date + timedelta(days=1))
    for _ in range(sessions):
        payload = session_payload(
            program,
            [entry(item, "left", reps=reps, pain=pain), entry(item, "right", reps=reps, pain=pain)],
            performed_at=performed_at.isoformat(),
        )
        ok(as_app.post(SESSIONS_URL, payload), 201)


class TestGatedProgression:
    """Reps +2 weekly when ready (pain at or below 3); the week 1 target is 8 reps."""

    @pytest.fixture
    def program(self, app_client):
        return active_program(app_client, start_date=today() - timedelta(days=8))

    @pytest.fixture
    def item(self, program):
        item = item_in(program)
        ProgressionRuleFactory(
            item=item, parameter="reps", amount=2, trigger="gated", pain_threshold=3
        )
        return item

    def week_two(self, as_app, program, item) -> dict:
        body = ok(as_app.get(program_url(program)))
        assert body["current_week"] == 2
        return item_body(body, item)

    def test_target_met_with_little_pain_progresses(self, as_app, program, item):
        log_week_one(as_app, program, item, reps=8, pain=2)

        row = self.week_two(as_app, program, item)

        assert (row["dose"]["reps_min"], row["dose"]["reps_max"]) == (10, 12)
        assert row["reasons"] == {"reps": "+2 reps (weekly from week 2, when ready)"}

    def test_pain_above_the_threshold_holds(self, as_app, program, item):
        log_week_one(as_app, program, item, reps=10, pain=4)

        row = self.week_two(as_app, program, item)

        assert (row["dose"]["reps_min"], row["dose"]["reps_max"]) == (8, 10)
        assert row["reasons"] == {"reps": "held: pain 4/10 in week 1 is above 3/10"}
        item.refresh_from_db()
        assert item.needs_review is False

    def test_a_missed_target_holds(self, as_app, program, item):
        log_week_one(as_app, program, item, reps=6, pain=1)

        row = self.week_two(as_app, program, item)

        assert (row["dose"]["reps_min"], row["dose"]["reps_max"]) == (8, 10)
        assert row["reasons"] == {"reps": "held: target not met in week 1"}

    def test_nothing_logged_holds(self, as_app, program, item):
        row = self.week_two(as_app, program, item)

        assert row["dose"]["reps_min"] == 8
        assert row["reasons"] == {"reps": "held: nothing logged in week 1"}

    def test_severe_pain_flags_the_item_for_review_and_steps_back(
        self, as_app, as_therapist, app_client, program, item
    ):
        log_week_one(as_app, program, item, reps=10, pain=7, sessions=1)

        item.refresh_from_db()
        assert item.needs_review is True
        row = self.week_two(as_app, program, item)
        assert row["dose"]["reps_min"] == 8
        assert row["reasons"] == {"reps": "stepped back: pain 7/10 in week 1 is above 5/10"}
        adherence = ok(as_therapist.get(f"/api/v1/clients/{app_client.pk}/adherence/"))
        reviews = adherence["programs"][0]["items_for_review"]
        assert reviews == [{"item": item.pk, "exercise": item.exercise.name, "max_pain": 7}]

    def test_another_clients_logs_do_not_count(self, as_app, program, item, other_app_user):
        other = SessionFactory(
            program=active_program(other_app_user.client_profile, start_date=program.start_date),
            performed_at=noon_of(program.start_date + timedelta(days=1)),
        )
        ExerciseLogFactory(session=other, item=item, reps=10, pain=0)

        row = self.week_two(as_app, program, item)

        assert row["dose"]["reps_min"] == 8


@pytest.fixture
def logging_setup(app_client, other_app_user):
    program = active_program(app_client, start_date=today() - timedelta(days=3))
    block = BlockFactory(program=program)
    each_side = ItemFactory(block=block, side=Item.Side.EACH)
    both_sides = ItemFactory(block=block, side=Item.Side.BOTH)
    second = active_program(app_client)
    foreign = active_program(other_app_user.client_profile)
    return SimpleNamespace(
        program=program,
        each_side=each_side,
        both_sides=both_sides,
        second_program=second,
        second_item=item_in(second),
        foreign_program=foreign,
        foreign_item=item_in(foreign),
    )


def valid_payload(setup) -> dict:
    return session_payload(
        setup.program,
        [entry(setup.each_side, "left"), entry(setup.both_sides, "both")],
    )


def change_entry(index, **fields):
    def change(setup, payload):
        payload["entries"][index].update(fields)

    return change


def change_top(**fields):
    def change(setup, payload):
        payload.update(fields)

    return change


def use_program(status):
    def change(setup, payload):
        Program.objects.filter(pk=setup.program.pk).update(status=status)

    return change


def drop(name):
    def change(setup, payload):
        del payload[name]

    return change


INVALID_SESSIONS = {
    "item of another program": (
        lambda setup, payload: payload["entries"][0].update(item=setup.second_item.pk),
        ("entries", 0, "item"),
    ),
    "item of another client": (
        lambda setup, payload: payload["entries"][0].update(item=setup.foreign_item.pk),
        ("entries", 0, "item"),
    ),
    "both on an each-side item": (change_entry(0, side="both"), ("entries", 0, "side")),
    "no side on an each-side item": (
        lambda setup, payload: payload["entries"][0].pop("side"),
        ("entries", 0, "side"),
    ),
    "left on a bilateral item": (change_entry(1, side="left"), ("entries", 1, "side")),
    "unknown side": (change_entry(0, side="middle"), ("entries", 0, "side")),
    "pain 11": (change_entry(0, pain=11), ("entries", 0, "pain")),
    "difficulty -1": (change_entry(1, difficulty=-1), ("entries", 1, "difficulty")),
    "negative reps": (change_entry(0, reps=-1), ("entries", 0, "reps")),
    "reps above max": (change_entry(0, reps=MAX_REPS + 1), ("entries", 0, "reps")),
    "negative load": (change_entry(0, load_kg="-2.5"), ("entries", 0, "load_kg")),
    "pain before 11": (change_top(pain_before=11), ("pain_before",)),
    "performed in an hour": (
        change_top(performed_at=(timezone.now() + timedelta(hours=1)).isoformat()),
        ("performed_at",),
    ),
    "paused program": (use_program(Program.Status.PAUSED), ("program",)),
    "completed program": (use_program(Program.Status.COMPLETED), ("program",)),
    "another client's program": (
        lambda setup, payload: payload.update(program=setup.foreign_program.pk),
        ("program",),
    ),
    "missing client_uuid": (drop("client_uuid"), ("client_uuid",)),
    "missing program": (drop("program"), ("program",)),
    "missing entries": (drop("entries"), ("entries",)),
    "empty entries": (change_top(entries=[]), ("entries",)),
    "client_uuid not a uuid": (change_top(client_uuid="not-a-uuid"), ("client_uuid",)),
    "program not a number": (change_top(program="first"), ("program",)),
    "entries not a list": (change_top(entries="lunges"), ("entries",)),
    "entry not an object": (change_top(entries=["lunges"]), ("entries", 0)),
    "reps not a number": (change_entry(0, reps="ten"), ("entries", 0, "reps")),
    "item missing": (
        lambda setup, payload: payload["entries"][0].pop("item"),
        ("entries", 0, "item"),
    ),
    "performed_at not a time": (change_top(performed_at="yesterday"), ("performed_at",)),
}


class TestSessionValidation:
    def test_a_valid_session_is_stored_with_its_entries(self, as_app, app_client, logging_setup):
        payload = valid_payload(logging_setup)
        payload["entries"][0].update(load_kg="2.5", difficulty=6, notes="Left felt weaker.")

        body = ok(as_app.post(SESSIONS_URL, payload), 201)

        session = Session.objects.get()
        assert body["id"] == session.pk and session.client == app_client
        assert str(session.client_uuid) == payload["client_uuid"]
        left, both = session.entries.order_by("id")
        assert (left.item, left.side, left.reps, left.load_kg) == (
            logging_setup.each_side,
            "left",
            10,
            Decimal("2.5"),
        )
        assert left.exercise == logging_setup.each_side.exercise
        assert (both.item, both.side) == (logging_setup.both_sides, "both")
        assert [row["side"] for row in body["entries"]] == ["left", "both"]

    @pytest.mark.parametrize("case", INVALID_SESSIONS)
    def test_an_invalid_session_is_a_400_naming_the_field_and_stores_nothing(
        self, as_app, logging_setup, case
    ):
        change, path = INVALID_SESSIONS[case]
        payload = valid_payload(logging_setup)
        change(logging_setup, payload)

        response = as_app.post(SESSIONS_URL, payload)

        assert response.status_code == 400, response.content
        error = response.json()
        for key in path:
            assert isinstance(error, dict) and str(key) in error, (path, response.json())
            error = error[str(key)]
        assert Session.objects.count() == 0
        assert ExerciseLog.objects.count() == 0
        assert not Item.objects.filter(needs_review=True).exists()

    def test_a_non_object_body_is_a_400(self, as_app, logging_setup):
        assert as_app.post(SESSIONS_URL, [valid_payload(logging_setup)]).status_code == 400
        assert Session.objects.count() == 0

    def test_a_small_clock_skew_is_accepted(self, as_app, logging_setup):
        payload = valid_payload(logging_setup)
        payload["performed_at"] = (timezone.now() + timedelta(minutes=2)).isoformat()
        ok(as_app.post(SESSIONS_URL, payload), 201)

    def test_alternating_items_take_either_side(self, as_app, logging_setup):
        item = ItemFactory(block=BlockFactory(program=logging_setup.program), side="alternating")
        for side in ("left", "right", "both"):
            ok(
                as_app.post(
                    SESSIONS_URL, session_payload(logging_setup.program, [entry(item, side)])
                ),
                201,
            )


class TestUploadCost:
    @pytest.mark.parametrize("count", [1, 8])
    def test_a_session_costs_the_same_queries_whatever_its_entries(
        self, as_app, app_client, django_assert_num_queries, count
    ):
        program = active_program(app_client)
        items = [item_in(program) for _ in range(count)]
        payload = session_payload(program, [entry(item, pain=7) for item in items])

        # the client's id; two savepoints and their releases; the program's row locked, its
        # items, the session, its entries, the review marks; the audit record
        with django_assert_num_queries(11):
            body = ok(as_app.post(SESSIONS_URL, payload), 201)

        stored = Session.objects.get()
        assert body["id"] == stored.pk
        assert body["created_at"] == stored.created_at.isoformat().replace("+00:00", "Z")
        assert [row["item"] for row in body["entries"]] == [item.pk for item in items]
        assert list(stored.entries.values_list("item_id", flat=True)) == [i.pk for i in items]
        assert Item.objects.filter(needs_review=True).count() == count


class TestIdempotency:
    def test_a_repeated_upload_returns_the_stored_session(self, as_app, logging_setup):
        payload = valid_payload(logging_setup)

        first = ok(as_app.post(SESSIONS_URL, payload), 201)
        second = ok(as_app.post(SESSIONS_URL, {**payload, "notes": "Edited offline."}), 200)

        assert second["id"] == first["id"]
        assert second["notes"] == "Felt fine."
        assert Session.objects.count() == 1
        assert ExerciseLog.objects.count() == len(payload["entries"])

    def test_the_same_uuid_from_another_client_is_their_own_session(
        self, as_app, as_other_app, other_app_user, logging_setup
    ):
        payload = valid_payload(logging_setup)
        first = ok(as_app.post(SESSIONS_URL, payload), 201)
        program = active_program(other_app_user.client_profile)
        theirs = session_payload(program, [entry(item_in(program))])
        theirs["client_uuid"] = payload["client_uuid"]

        second = ok(as_other_app.post(SESSIONS_URL, theirs), 201)

        assert second["id"] != first["id"]
        assert Session.objects.filter(client_uuid=payload["client_uuid"]).count() == 2

    @pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so the uploads cannot race",
    )
    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_concurrent_identical_uploads_store_one_session(self):
        therapist = UserFactory()
        user = ClientUserFactory(client_profile=ClientFactory(therapist=therapist))
        program = active_program(user.client_profile)
        payload = session_payload(program, [entry(item_in(program))])
        barrier = threading.Barrier(2)
        statuses, ids = [], []

        def upload():
            try:
                api = APIClient()
                api.force_authenticate(user)
                barrier.wait(timeout=10)
                response = api.post(SESSIONS_URL, payload)
                statuses.append(response.status_code)
                ids.append(response.json().get("id"))
            finally:
                connection.close()

        threads = [threading.Thread(target=upload) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert sorted(statuses) == [200, 201]
        assert ids[0] == ids[1]
        assert Session.objects.count() == 1
        assert ExerciseLog.objects.count() == 1


def build_program(client, *, blocks: int, items: int) -> Program:
    """An active program in week 2 with a gated rule and week 1 logs on every item."""
    program = active_program(
        client, start_date=today() - timedelta(days=8), condition=ConditionFactory(red_flags=3)
    )
    session = SessionFactory(program=program, performed_at=noon_of(program.start_date))
    for _ in range(blocks):
        block = BlockFactory(program=program)
        for _ in range(items):
            item = ItemFactory(block=block)
            ProgressionRuleFactory(item=item, parameter="reps", amount=2, trigger="gated")
            ProgressionRuleFactory(item=item, parameter="load_kg", amount=Decimal("2.5"))
            ExerciseLogFactory(session=session, item=item, side="left", reps=10, pain=1)
            ExerciseLogFactory(session=session, item=item, side="right", reps=10, pain=1)
    return program


class TestQueryCounts:
    # With the cache empty: the account's client id, the programs (with their cache state),
    # their contents and logs, and the audit record; the list counts its rows first.
    LIST_QUERIES = 10
    DETAIL_QUERIES = 9

    @pytest.mark.parametrize("blocks, items", [(1, 1), (4, 5)])
    def test_the_list_does_not_grow_with_the_items(
        self, as_app, app_client, django_assert_num_queries, blocks, items
    ):
        build_program(app_client, blocks=blocks, items=items)
        build_program(app_client, blocks=blocks, items=items)

        with django_assert_num_queries(self.LIST_QUERIES):
            body = ok(as_app.get(PROGRAMS_URL))

        assert body["count"] == 2
        rows = [item for program in body["results"] for item in items_of(program)]
        assert len(rows) == 2 * blocks * items
        assert all(row["dose"]["reps_min"] == 10 for row in rows)

    @pytest.mark.parametrize("blocks, items", [(1, 1), (4, 5)])
    def test_the_detail_does_not_grow_with_the_items(
        self, as_app, app_client, django_assert_num_queries, blocks, items
    ):
        program = build_program(app_client, blocks=blocks, items=items)

        with django_assert_num_queries(self.DETAIL_QUERIES):
            body = ok(as_app.get(program_url(program)))

        assert len(items_of(body)) == blocks * items
        assert len(body["red_flags"]) == 3
