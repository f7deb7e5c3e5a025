"""Serialized programs come from the shared cache, and a change never serves a stale one."""

from datetime import timedelta
from uuid import uuid4

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import (
    BlockFactory,
    ClientUserFactory,
    ItemFactory,
    ProgramFactory,
    ProgressionRuleFactory,
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
    assert "11 lb" in text["dose_text"]


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
