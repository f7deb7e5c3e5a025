"""What a therapist reads back: sessions done against prescribed, pain, and side differences."""

from datetime import datetime, time, timedelta
from functools import partial

from django.db.models import (
    Avg,
    Case,
    Count,
    DateTimeField,
    Func,
    IntegerField,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from programs.models import Item, Program
from ptbuilder import caching

from .models import ExerciseLog, Session
from .prescriptions import current_week

FOLLOWED = [Program.Status.ACTIVE, Program.Status.PAUSED, Program.Status.COMPLETED]


class ProgramWeek(Func):
    """The 1-based program week of a moment, counted in 7-day steps from a start, in SQL."""

    output_field = IntegerField()

    def __init__(self, moment, start: datetime):
        super().__init__(moment, Value(start, output_field=DateTimeField()))

    def _parts(self, compiler):
        (moment, moment_params), (start, start_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        return moment, start, [*moment_params, *start_params]

    def as_sqlite(self, compiler, connection, **extra_context):
        moment, start, params = self._parts(compiler)
        return f"(CAST((julianday({moment}) - julianday({start})) / 7 AS INTEGER) + 1)", params

    def as_postgresql(self, compiler, connection, **extra_context):
        moment, start, params = self._parts(compiler)
        return f"(FLOOR(EXTRACT(EPOCH FROM ({moment} - {start})) / 604800)::integer + 1)", params


def _start(program: Program) -> datetime:
    return timezone.make_aware(datetime.combine(program.start_date, time.min))


def week_rows(programs: list[Program]) -> dict[int, list[dict]]:
    """Per program and week: sessions prescribed and done, average pain before and after (1
    query, grouped in the database). Sessions outside a program's weeks are left out."""
    within = Q(pk__in=[])
    week = Case(output_field=IntegerField())
    for program in programs:
        start = _start(program)
        end = start + timedelta(weeks=program.weeks)
        within |= Q(program=program, performed_at__gte=start, performed_at__lt=end)
        week.cases.append(When(program=program, then=ProgramWeek("performed_at", start)))
    rows = (
        Session.objects.filter(within)
        .annotate(week=week)
        .values("program_id", "week")
        .annotate(done=Count("id"), before=Avg("pain_before"), after=Avg("pain_after"))
        .order_by()
    )
    found = {(row["program_id"], row["week"]): row for row in rows}
    empty = {"done": 0, "before": None, "after": None}
    return {
        program.pk: [
            {
                "week": week,
                "starts_on": program.start_date + timedelta(weeks=week - 1),
                "sessions_prescribed": program.sessions_per_week,
                "sessions_done": found.get((program.pk, week), empty)["done"],
                "pain_before_average": _rounded(found.get((program.pk, week), empty)["before"]),
                "pain_after_average": _rounded(found.get((program.pk, week), empty)["after"]),
            }
            for week in range(1, program.weeks + 1)
        ]
        for program in programs
    }


def side_differences(programs: list[Program]) -> dict[int, list[dict]]:
    """Per program, for its each-side items: left and right totals of reps and seconds, average
    pain (2 queries: the items, then their logs grouped in the database)."""
    items = Item.objects.filter(block__program__in=programs, side=Item.Side.EACH)
    names = {
        item_id: (program_id, name)
        for item_id, program_id, name in items.values_list(
            "id", "block__program_id", "exercise__name"
        )
    }
    rows = (
        ExerciseLog.objects.filter(item_id__in=list(names), side__in=["left", "right"])
        .values("item_id", "side")
        .annotate(reps=Sum("reps"), seconds=Sum("seconds"), pain=Avg("pain"))
        .order_by("item_id", "side")
    )
    by_item: dict[int, dict] = {}
    for row in rows:
        entry = by_item.setdefault(
            row["item_id"], {"item": row["item_id"], "exercise": names[row["item_id"]][1]}
        )
        entry[row["side"]] = {
            "reps": row["reps"] or 0,
            "seconds": row["seconds"] or 0,
            "pain_average": _rounded(row["pain"]),
        }
    result: dict[int, list[dict]] = {program.pk: [] for program in programs}
    empty = {"reps": 0, "seconds": 0, "pain_average": None}
    for item_id, entry in by_item.items():
        left, right = entry.setdefault("left", empty), entry.setdefault("right", empty)
        entry["difference"] = {
            "reps": left["reps"] - right["reps"],
            "seconds": left["seconds"] - right["seconds"],
            "pain_average": (
                None
                if left["pain_average"] is None or right["pain_average"] is None
                else round(left["pain_average"] - right["pain_average"], 1)
            ),
        }
        result[names[item_id][0]].append(entry)
    return result


def items_for_review(programs: list[Program]) -> dict[int, list[dict]]:
    """Per program, its items marked for review with the highest pain logged (1 query)."""
    items = (
        Item.objects.filter(block__program__in=programs, needs_review=True)
        .annotate(max_pain=Max("logs__pain"))
        .values("id", "block__program_id", "exercise__name", "max_pain")
        .order_by("block__position", "position", "id")
    )
    result: dict[int, list[dict]] = {program.pk: [] for program in programs}
    for item in items:
        result[item["block__program_id"]].append(
            {"item": item["id"], "exercise": item["exercise__name"], "max_pain": item["max_pain"]}
        )
    return result


def adherence_data(programs: list[Program], today) -> dict[int, dict]:
    """Each program's adherence, in four queries for all of them."""
    weeks, sides, reviews = (
        week_rows(programs),
        side_differences(programs),
        items_for_review(programs),
    )
    return {
        program.pk: caching.plain(
            {
                "program": program.pk,
                "title": program.title,
                "status": program.status,
                "start_date": program.start_date,
                "current_week": current_week(program, today),
                "weeks": weeks[program.pk],
                "side_differences": sides[program.pk],
                "items_for_review": reviews[program.pk],
            }
        )
        for program in programs
    }


def client_adherence(*, client) -> dict:
    """The client's followed programs, newest first; each program's entry is cached until its
    next change or logged session (or tomorrow), and the missing ones are built together."""
    today = timezone.localdate()
    programs = list(
        caching.with_state(
            client.programs.filter(status__in=FOLLOWED, start_date__isnull=False)
        ).order_by("-start_date", "-id")
    )
    entries = caching.program_entries(
        programs,
        "adherence",
        partial(adherence_data, today=today),
        lambda _: (today,),
        activity=True,
    )
    return {"client": client.pk, "programs": entries}


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), 1)
