"""A session that reports symptoms spreading further down the leg steps the client's gated doses
back the next week, says why, and marks the items for the therapist's review."""

from datetime import timedelta
from uuid import uuid4

import pytest
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


@pytest.fixture
def program(therapist):
    """Active in its third week; one item with a gated +2 reps rule from week 2."""
    program = ProgramFactory(
        owner=therapist, status="active", start_date=timezone.localdate() - timedelta(days=15)
    )
    item = ItemFactory(
        block=BlockFactory(program=program), side="both", sets=2, reps_min=8, reps_max=8
    )
    ProgressionRuleFactory(item=item, parameter="reps", amount=2, trigger="gated")
    return program


def log(app, program, days_ago, pain=1, **session):
    item = program.blocks.get().items.get()
    response = app.post(
        "/api/v1/me/sessions/",
        {
            "client_uuid": str(uuid4()),
            "program": program.pk,
            "performed_at": (timezone.now() - timedelta(days=days_ago)).isoformat(),
            "entries": [{"item": item.pk, "side": "both", "reps": 10, "pain": pain}],
            **session,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def row(app, program, week):
    body = app.get(f"/api/v1/me/programs/{program.pk}/?week={week}").json()
    return body["blocks"][0]["items"][0]


def test_symptoms_spreading_step_the_dose_back_and_mark_the_item(program, as_therapist):
    app = client_for(ClientUserFactory(client_profile=program.client))
    assert log(app, program, 14)["symptoms_spread"] is False  # week 1: ready
    assert row(app, program, 2)["dose"]["reps_min"] == 10
    log(app, program, 7, symptoms_spread=True)  # week 2: worse
    week_three = row(app, program, 3)
    assert week_three["dose"]["reps_min"] == 8
    assert week_three["reasons"]["reps"] == (
        "stepped back: symptoms spread further down the leg in week 2"
    )
    detail = as_therapist.get(f"/api/v1/programs/{program.pk}/").json()
    assert detail["blocks"][0]["items"][0]["needs_review"] is True


def test_symptoms_spread_must_be_a_boolean(program):
    app = client_for(ClientUserFactory(client_profile=program.client))
    item = program.blocks.get().items.get()
    response = app.post(
        "/api/v1/me/sessions/",
        {
            "client_uuid": str(uuid4()),
            "program": program.pk,
            "performed_at": timezone.now().isoformat(),
            "symptoms_spread": "sometimes",
            "entries": [{"item": item.pk, "side": "both", "reps": 10}],
        },
        format="json",
    )
    assert response.status_code == 400 and "symptoms_spread" in response.json()


@pytest.mark.parametrize(
    ("regress_above", "week_three_reps", "reason"),
    [
        (None, 8, "stepped back: pain 6/10 in week 2 is above 5/10"),
        (7, 10, "held for review: pain 6/10 in week 2 is above 5/10"),
    ],
)
def test_each_rule_sets_the_pain_that_steps_it_back(
    program, regress_above, week_three_reps, reason
):
    program.blocks.get().items.get().progressions.update(regress_above=regress_above)
    app = client_for(ClientUserFactory(client_profile=program.client))
    log(app, program, 14)  # week 1: ready, so week 2 rises to 10
    log(app, program, 7, pain=6)  # week 2: painful
    week_three = row(app, program, 3)
    assert (week_three["dose"]["reps_min"], week_three["reasons"]["reps"]) == (
        week_three_reps,
        reason,
    )
