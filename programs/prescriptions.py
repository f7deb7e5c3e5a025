"""What a client does in a given week: doses from the engine, gated rules fed by their logs."""

from collections import defaultdict

from django.db.models import Prefetch
from django.utils import timezone

from exercises.models import RedFlag

from . import dosing, progression
from .models import ExerciseLog, Item, Program, ProgressionRule

EntriesByWeek = dict[int, list[progression.LoggedEntry]]


def client_programs_qs(*, client):
    """The client's active programs with everything the client app shows."""
    items = Item.objects.select_related("exercise__category").prefetch_related(
        Prefetch("progressions", queryset=ProgressionRule.objects.order_by("id"))
    )
    return (
        Program.objects.filter(client=client, status=Program.Status.ACTIVE)
        .select_related("condition", "owner", "client")
        .prefetch_related(
            "blocks",
            Prefetch("blocks__items", queryset=items),
            Prefetch("condition__red_flags", queryset=RedFlag.objects.order_by("position")),
        )
        .order_by("start_date", "id")
    )


def current_week(program: Program, today=None) -> int:
    today = today or timezone.localdate()
    return progression.week_number(program.start_date or today, today, program.weeks)


def logged_entries(programs: list[Program]) -> dict[int, EntriesByWeek]:
    """Every logged entry of these programs, by item and by program week, in one query."""
    by_item: dict[int, EntriesByWeek] = defaultdict(lambda: defaultdict(list))
    starts = {program.pk: program for program in programs}
    logs = ExerciseLog.objects.filter(session__program__in=starts, item__isnull=False).values_list(
        "item_id",
        "session__program_id",
        "session__performed_at",
        "reps",
        "seconds",
        "load_kg",
        "pain",
    )
    for item_id, program_id, performed_at, reps, seconds, load_kg, pain in logs:
        program = starts[program_id]
        start = program.start_date or timezone.localdate()  # as current_week() counts
        week = progression.week_number(start, timezone.localdate(performed_at), program.weeks)
        by_item[item_id][week].append(
            progression.LoggedEntry(reps=reps, seconds=seconds, load_kg=load_kg, pain=pain)
        )
    return by_item


def week_doses(program: Program, week: int, entries: dict[int, EntriesByWeek]) -> dict:
    """item id -> WeekDose for `week`; gated rules pass only on this client's own logs."""
    doses = {}
    for block in program.blocks.all():
        for item in block.items.all():
            item_entries = entries.get(item.pk, {})

            def outcome(logged_week, dose, item_entries=item_entries):
                return progression.week_outcome(dose, item_entries.get(logged_week, []))

            doses[item.pk] = progression.dose_for_week(
                dosing.engine_dose(item), dosing.engine_rules(item), week, outcome
            )
    return doses
