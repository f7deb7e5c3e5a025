"""Every inline row posted to the admin may only address rows of the object on the page.

Attacks are real form posts: therapist B opens their own program, then posts it back with ids of
therapist A's blocks, items and rules (kept, changed, deleted or as new rows); A's prescription
must not change, and B's page must show an error.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from programs.models import Block, Item, Program, ProgressionRule
from tests.factories import (
    ClientFactory,
    ItemFactory,
    ProgramFactory,
    ProgressionRuleFactory,
    TherapistFactory,
)
from tests.programs.test_admin import form_data, management, program_url

pytestmark = pytest.mark.django_db
PROGRAM_ADD = reverse("admin:programs_program_add")


def state(program: Program) -> list:
    """Everything the program prescribes, with the ids of its rows."""
    program.refresh_from_db()
    rows = [(program.title, program.version, program.status)]
    for block in Block.objects.filter(program=program).order_by("pk"):
        rows.append(("block", block.pk, block.title, block.position))
        for item in Item.objects.filter(block=block).order_by("pk"):
            rows.append(("item", item.pk, item.block_id, item.sets, item.reps_max, item.notes))
            for rule in ProgressionRule.objects.filter(item=item).order_by("pk"):
                rows.append(("rule", rule.pk, rule.item_id, rule.amount, rule.parameter))
    return rows


@pytest.fixture
def victim():
    """Therapist A's active program with a block, an item and a rule."""
    program = ProgramFactory(status=Program.Status.ACTIVE, title="A's plan")
    item = ItemFactory(block__program=program, sets=2, reps_max=10, notes="A's note")
    ProgressionRuleFactory(item=item, amount=Decimal("2.5"))
    return program


@pytest.fixture
def attacker(client):
    """Therapist B, signed in to the admin, with a program of their own."""
    therapist = TherapistFactory()
    client.force_login(therapist)
    program = ProgramFactory(owner=therapist, client=ClientFactory(therapist=therapist))
    item = ItemFactory(block__program=program, sets=3, reps_max=12)
    ProgressionRuleFactory(item=item, amount=Decimal("1"))
    return client, program


def refused(response) -> bool:
    return response.status_code == 200 and "is not part of this program" in (
        response.content.decode()
    )


def a_rows(victim):
    block = victim.blocks.get()
    item = block.items.get()
    return block, item, item.progressions.get()


@pytest.mark.parametrize("delete", [False, True])
@pytest.mark.parametrize("row", ["block", "item", "rule"])
def test_a_foreign_row_id_on_the_change_page_is_refused(attacker, victim, row, delete):
    admin, own = attacker
    block, item, rule = a_rows(victim)
    field = {
        "block": ("blocks-0-id", block.pk),
        "item": ("blocks-0-items-0-id", item.pk),
        "rule": ("blocks-0-items-0-progressions-0-id", rule.pk),
    }[row]
    before, own_before = state(victim), state(own)
    data = form_data(admin.get(program_url(own)))
    data[field[0]] = str(field[1])
    data["blocks-0-items-0-notes"] = "B's values"
    if delete:
        data[field[0].removesuffix("id") + "DELETE"] = "on"

    response = admin.post(program_url(own), data)

    assert refused(response)
    assert state(victim) == before
    assert state(own) == own_before


def test_a_foreign_id_on_a_new_row_is_refused(attacker, victim):
    """An extra (new) row carrying an id would otherwise overwrite that row."""
    admin, own = attacker
    _, item, _ = a_rows(victim)
    before = state(victim)
    data = form_data(admin.get(program_url(own)))
    exercise_id = data["blocks-0-items-0-exercise"]
    data.update(
        {
            **management("blocks-0-items", 2, initial=1),
            "blocks-0-items-1-id": str(item.pk),
            "blocks-0-items-1-exercise": exercise_id,
            "blocks-0-items-1-side": data["blocks-0-items-0-side"],
            "blocks-0-items-1-position": "1",
            "blocks-0-items-1-sets": "9",
            **management("blocks-0-items-1-progressions", 0),
        }
    )
    assert refused(admin.post(program_url(own), data))
    assert state(victim) == before


def test_an_unknown_id_is_refused(attacker):
    admin, own = attacker
    before = state(own)
    data = form_data(admin.get(program_url(own)))
    data["blocks-0-items-0-id"] = "987654321"
    assert refused(admin.post(program_url(own), data))
    assert state(own) == before


def test_a_foreign_block_on_the_add_page_is_refused(attacker, victim):
    admin, own = attacker
    block, _, _ = a_rows(victim)
    before, programs = state(victim), Program.objects.count()
    data = form_data(admin.get(PROGRAM_ADD))
    data.update(
        title="New plan",
        client=str(own.client_id),
        weeks="4",
        sessions_per_week="3",
        status="draft",
        **management("blocks", 1, initial=1),
        **{"blocks-0-id": str(block.pk), "blocks-0-title": "Taken", "blocks-0-kind": "sequence"},
        **{"blocks-0-position": "0", "blocks-0-rounds_min": "1"},
        **management("blocks-0-items", 0),
    )
    assert refused(admin.post(PROGRAM_ADD, data))
    assert state(victim) == before
    assert Program.objects.count() == programs


def test_an_item_still_moves_between_blocks_of_the_same_program(attacker):
    admin, own = attacker
    [first_item] = Item.objects.filter(block__program=own)
    Block.objects.filter(pk=first_item.block_id).update(position=0)
    second = ItemFactory(block__program=own, block__position=1, sets=4).block
    data = form_data(admin.get(program_url(own)))
    moved = {
        key.replace("blocks-0-items-0", "blocks-1-items-1"): value
        for key, value in data.items()
        if key.startswith("blocks-0-items-0")
    }
    data = {key: value for key, value in data.items() if not key.startswith("blocks-0-items-0")}
    data.update(
        {
            **management("blocks-0-items", 0),
            **management("blocks-1-items", 2, initial=2),
            **moved,
            "blocks-1-items-1-position": "1",
            "blocks-1-items-1-block": str(second.pk),  # nested_admin's script sets the parent
        }
    )
    response = admin.post(program_url(own), data)
    assert response.status_code == 302, response.context["errors"]
    first_item.refresh_from_db()
    assert first_item.block_id == second.pk
    assert first_item.progressions.count() == 1


def test_read_only_rows_of_the_client_page_ignore_foreign_ids(attacker, victim):
    """The client page lists programs and screenings read-only; posted rows change nothing."""
    admin, own = attacker
    before = state(victim)
    url = reverse("admin:clients_client_change", args=[own.client_id])
    data = form_data(admin.get(url), form_id="client_form")
    data.update(
        {
            **management("programs", 1, initial=1),
            "programs-0-id": str(victim.pk),
            "programs-0-title": "Taken",
            "programs-0-DELETE": "on",
        }
    )
    admin.post(url, data)
    assert state(victim) == before
