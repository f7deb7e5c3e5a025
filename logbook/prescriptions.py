"""What a client does in a given week: doses from the engine, gated rules fed by their logs."""

from collections import defaultdict
from dataclasses import replace

from django.db.models import Prefetch
from django.utils import timezone

from exercises.models import RedFlag
from programs import dosing
from programs.models import Item, Program, ProgressionRule
from progression import engine as progression

from .models import ExerciseLog

EntriesByWeek = dict[int, list[progression.LoggedEntry]]


def client_programs_qs(*, client_id: int):
    """The client's active programs, without their contents (see with_contents)."""
    return Program.objects.filter(client_id=client_id, status=Program.Status.ACTIVE).order_by(
        "start_date", "id"
    )


def with_contents(programs):
    """Everything the client app and the printout show of these programs."""
    items = Item.objects.select_related("exercise__category").prefetch_related(
        Prefetch("progressions", queryset=ProgressionRule.objects.order_by("id"))
    )
    return programs.select_related("condition", "owner", "client").prefetch_related(
        "blocks",
        Prefetch("blocks__items", queryset=items),
        Prefetch("condition__red_flags", queryset=RedFlag.objects.order_by("position")),
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
        "session__symptoms_spread",
    )
    for item_id, program_id, performed_at, reps, seconds, load_kg, pain, spread in logs:
        program = starts[program_id]
        start = program.start_date or timezone.localdate()  # as current_week() counts
        week = progression.week_number(start, timezone.localdate(performed_at), program.weeks)
        by_item[item_id][week].append(
            progression.LoggedEntry(
                reps=reps, seconds=seconds, load_kg=load_kg, pain=pain, symptoms_spread=spread
            )
        )
    return by_item


def week_doses(program: Program, week: int, entries: dict[int, EntriesByWeek]) -> dict:
    """item id -> WeekDose for `week`; gated rules pass only on this client's own logs, and an
    item marked for review holds them from its first painful week until the mark is cleared."""
    doses = {}
    for block in program.blocks.all():
        for item in block.items.all():
            doses[item.pk] = progression.dose_for_week(
                progression.Dose.of(item),
                dosing.engine_rules(item),
                week,
                _outcomes(entries.get(item.pk, {}), item.needs_review),
            )
    return doses


def _outcomes(by_week: EntriesByWeek, needs_review: bool):
    painful = [
        logged_week
        for logged_week, logged in by_week.items()
        if any(
            (entry.pain or 0) > progression.REVIEW_PAIN or entry.symptoms_spread for entry in logged
        )
    ]
    held_from = min(painful) if needs_review and painful else None

    def outcome(logged_week, dose):
        result = progression.week_outcome(dose, by_week.get(logged_week, []))
        if result is not None and held_from is not None and logged_week >= held_from:
            result = replace(result, under_review=True)
        return result

    return outcome
