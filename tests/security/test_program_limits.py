"""A program's size is bounded (blocks, exercises, rules, weeks), over the API and in the admin,
so no schedule or printout can grow without end. Each refusal is a 400 naming the limit."""

import pytest

from programs.models import Item, Program
from programs.validation import MAX_BLOCKS, MAX_ITEMS, MAX_RULES
from tests.factories import ExerciseFactory, ItemFactory, ProgramFactory
from tests.programs.test_admin import form_data, management, program_url

pytestmark = pytest.mark.django_db
PROGRAMS = "/api/v1/programs/"


@pytest.fixture
def exercise():
    return ExerciseFactory(progressable=["reps", "sets"])


def item(exercise, rules: int = 0) -> dict:
    rule = {"parameter": "reps", "amount": "1", "start_week": 2}
    return {"exercise": exercise.pk, "side": "each", "progressions": [rule] * rules}


def block(items: list) -> dict:
    return {"title": "Block", "items": items}


def create(api, blocks, **fields):
    return api.post(PROGRAMS, {"title": "Big", "blocks": blocks, **fields}, format="json")


def test_limits_leave_room_for_a_full_program(as_therapist, exercise):
    blocks = [block([item(exercise)] * 2)] * MAX_BLOCKS
    blocks[0] = block([item(exercise, rules=1)])
    assert create(as_therapist, blocks, weeks=104).status_code == 201


def test_too_many_blocks(as_therapist, exercise):
    response = create(as_therapist, [block([])] * (MAX_BLOCKS + 1))
    assert response.status_code == 400
    assert f"no more than {MAX_BLOCKS} elements" in str(response.json()["blocks"])


def test_too_many_exercises_in_one_block(as_therapist, exercise):
    response = create(as_therapist, [block([item(exercise)] * (MAX_ITEMS + 1))])
    assert response.status_code == 400
    assert f"no more than {MAX_ITEMS} elements" in str(response.json()["blocks"]["0"]["items"])


def test_too_many_rules_on_one_exercise(as_therapist, exercise):
    rules = [{"parameter": "reps", "amount": "1"}] * (MAX_RULES + 1)
    response = create(as_therapist, [block([{**item(exercise), "progressions": rules}])])
    assert response.status_code == 400
    errors = response.json()["blocks"]["0"]["items"]["0"]["progressions"]
    assert f"no more than {MAX_RULES} elements" in str(errors)


def test_too_many_exercises_over_the_program_saves_nothing(as_therapist, exercise):
    half = MAX_ITEMS // 2 + 1
    response = create(as_therapist, [block([item(exercise)] * half)] * 2)
    assert response.status_code == 400
    assert response.json() == {"blocks": [f"A program holds at most {MAX_ITEMS} exercises."]}
    assert not Program.objects.filter(title="Big").exists()


def test_blocks_kept_without_their_items_count_too(as_therapist, therapist, exercise):
    program = ProgramFactory(owner=therapist)
    kept = ItemFactory(block__program=program, exercise=exercise, position=0).block
    Item.objects.bulk_create(
        Item(block=kept, exercise=exercise, side="each", position=n) for n in range(1, MAX_ITEMS)
    )
    response = as_therapist.patch(
        f"{PROGRAMS}{program.pk}/",
        {"blocks": [{"id": kept.pk}, block([item(exercise)])]},
        format="json",
    )
    assert response.status_code == 400
    assert Item.objects.filter(block__program=program).count() == MAX_ITEMS


@pytest.mark.parametrize("weeks", [0, 105])
def test_weeks_are_bounded(as_therapist, therapist, weeks):
    program = ProgramFactory(owner=therapist)
    assert create(as_therapist, [], weeks=weeks).status_code == 400
    response = as_therapist.get(f"{PROGRAMS}{program.pk}/schedule/?weeks={weeks}")
    assert response.status_code == 400
    assert "weeks" in response.json()


def test_the_admin_takes_no_more_rules_than_the_api(client, therapist):
    client.force_login(therapist)
    program = ProgramFactory(owner=therapist)
    ItemFactory(block__program=program)
    data = form_data(client.get(program_url(program)))
    prefix = "blocks-0-items-0-progressions"
    data.update(management(prefix, MAX_RULES + 1))
    for n in range(MAX_RULES + 1):
        data.update({f"{prefix}-{n}-parameter": "reps", f"{prefix}-{n}-amount": "1"})
        data.update({f"{prefix}-{n}-every_weeks": "1", f"{prefix}-{n}-start_week": "2"})
        data.update({f"{prefix}-{n}-mode": "absolute", f"{prefix}-{n}-trigger": "scheduled"})
    response = client.post(program_url(program), data)
    assert response.status_code == 200
    assert f"An exercise takes at most {MAX_RULES} rules." in response.content.decode()


def test_the_admin_counts_exercises_over_every_block(client, therapist, exercise):
    client.force_login(therapist)
    program = ProgramFactory(owner=therapist)
    first = ItemFactory(block__program=program, exercise=exercise, position=0).block
    Item.objects.bulk_create(
        Item(block=first, exercise=exercise, side="each", position=n) for n in range(1, MAX_ITEMS)
    )
    data = form_data(client.get(program_url(program)))
    data.update(
        {
            **management("blocks", 2, initial=1),
            "blocks-1-title": "More",
            "blocks-1-kind": "sequence",
            "blocks-1-position": "1",
            "blocks-1-rounds_min": "1",
            **management("blocks-1-items", 1),
            "blocks-1-items-0-exercise": str(exercise.pk),
            "blocks-1-items-0-side": "each",
            "blocks-1-items-0-position": "0",
            "blocks-1-items-0-sets": "1",
            **management("blocks-1-items-0-progressions", 0),
        }
    )
    response = client.post(program_url(program), data)
    assert response.status_code == 200
    assert f"A program holds at most {MAX_ITEMS} exercises." in response.content.decode()
    assert Item.objects.filter(block__program=program).count() == MAX_ITEMS


def test_a_printout_covers_at_most_26_weeks(as_therapist, therapist):
    program = ProgramFactory(owner=therapist, weeks=104)
    url = f"{PROGRAMS}{program.pk}/print/"
    assert as_therapist.get(url, {"weeks": "1-26"}).status_code == 200
    response = as_therapist.get(url, {"weeks": "1-27"})
    assert response.status_code == 400
    assert response.json() == {"weeks": ["At most 26 weeks in one printout."]}
    assert "Week 26" in as_therapist.get(url).content.decode()
    assert "Week 27" not in as_therapist.get(url).content.decode()
