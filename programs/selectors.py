"""Reads: querysets with everything their serializers touch, and the week-by-week schedule."""

import json

from django.db.models import Prefetch
from rest_framework.utils.encoders import JSONEncoder

from . import dosing
from .models import Item, Program, ProgressionRule


def program_list_qs(*, user):
    return Program.objects.visible_to(user).select_related("condition", "client")


def program_state_qs(*, user):
    """Just what a cached rendering needs to be found and answered: the state it is keyed by,
    the owner for the permission check, the client's units (with_state adds the tokens)."""
    return (
        Program.objects.visible_to(user)
        .select_related("client")
        .only("version", "owner_id", "client_id", "client__units")
    )


def program_detail_qs(*, user):
    items = Item.objects.select_related("exercise__category").prefetch_related(
        Prefetch("progressions", queryset=ProgressionRule.objects.order_by("id"))
    )
    return program_list_qs(user=user).prefetch_related(
        "blocks", Prefetch("blocks__items", queryset=items)
    )


def program_snapshot(*, program_id: int) -> dict:
    """The program as the API shows it (blocks, items, rules), for its version history."""
    from .serializers import ProgramSerializer

    program = program_detail_qs(user=None).get(pk=program_id)
    return json.loads(json.dumps(ProgramSerializer(program, context={}).data, cls=JSONEncoder))


def program_schedule(*, program: Program, weeks: int) -> list[dict]:
    """Every item's dose for weeks 1..N, gated rules assumed ready (the planned path)."""
    units = program.client.units if program.client else "metric"
    ready = dosing.ready_every_week(weeks)
    rows = []
    for block in program.blocks.all():
        for item in block.items.all():
            rows.append(
                {
                    "item": item.pk,
                    "block": block.title,
                    "exercise": item.exercise.name,
                    "weeks": [
                        {
                            "week": week.week,
                            "dose": week.dose,
                            "dose_text": dosing.item_dose_text(item, week.dose, units),
                            "reasons": week.reasons,
                        }
                        for week in dosing.item_schedule(item, weeks, ready)
                    ],
                }
            )
    return rows
