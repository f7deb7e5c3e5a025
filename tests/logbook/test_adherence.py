"""Adherence: sessions counted in the program week they fall in, and side differences."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from tests.factories import ExerciseLogFactory, ItemFactory, ProgramFactory, SessionFactory

pytestmark = pytest.mark.django_db
START = date(2026, 11, 2)


def at(day: date, hour=12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def followed(therapist):
    program = ProgramFactory(owner=therapist, status="active", start_date=START, weeks=2)
    ItemFactory(block__program=program)
    return program


def adherence(api, program) -> dict:
    response = api.get(f"/api/v1/clients/{program.client_id}/adherence/")
    assert response.status_code == 200, response.content
    [followed] = response.json()["programs"]
    return followed


def test_sessions_count_in_their_program_week(as_therapist, followed):
    for day, pain in [(START, 4), (START + timedelta(days=6), 2), (START + timedelta(days=7), 1)]:
        SessionFactory(program=followed, performed_at=at(day), pain_before=pain, pain_after=0)

    weeks = adherence(as_therapist, followed)["weeks"]

    assert [(row["week"], row["sessions_done"]) for row in weeks] == [(1, 2), (2, 1)]
    assert weeks[0]["pain_before_average"] == 3.0
    assert weeks[0]["sessions_prescribed"] == followed.sessions_per_week


def test_sessions_outside_the_programs_weeks_are_left_out(as_therapist, followed):
    SessionFactory(program=followed, performed_at=at(START - timedelta(days=1), hour=23))
    SessionFactory(program=followed, performed_at=at(START + timedelta(weeks=2)))

    weeks = adherence(as_therapist, followed)["weeks"]

    assert [row["sessions_done"] for row in weeks] == [0, 0]


def test_side_differences_compare_left_and_right(as_therapist, followed):
    item = followed.blocks.get().items.get()
    session = SessionFactory(program=followed, performed_at=at(START))
    ExerciseLogFactory(session=session, item=item, side="left", reps=10, pain=2)
    ExerciseLogFactory(session=session, item=item, side="right", reps=6, pain=4)

    [row] = adherence(as_therapist, followed)["side_differences"]

    assert row["left"] == {"reps": 10, "seconds": 0, "pain_average": 2.0}
    assert row["right"] == {"reps": 6, "seconds": 0, "pain_average": 4.0}
    assert row["difference"] == {"reps": 4, "seconds": 0, "pain_average": -2.0}
