"""What a therapist reads back: sessions done against prescribed, pain, and side differences."""

from datetime import datetime, time, timedelta
from functools import partial

from django.db.models import Avg, Count, DateTimeField, Func, IntegerField, Max, Sum, Value
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


def week_rows(program: Program) -> list[dict]:
    """Per program week: sessions prescribed and done, average pain before and after (1 query,
    grouped by week in the database). Sessions outside the program's weeks are left out."""
    start = timezone.make_aware(datetime.combine(program.start_date, time.min))
    end = start + timedelta(weeks=program.weeks)
    rows = (
        Session.objects.filter(program=program, performed_at__gte=start, performed_at__lt=end)
        .annotate(week=ProgramWeek("performed_at", start))
        .values("week")
        .annotate(done=Count("id"), before=Avg("pain_before"), after=Avg("pain_after"))
        .order_by()
    )
    by_week = {row["week"]: row for row in rows}
    empty = {"done": 0, "before": None, "after": None}
    return [
        {
            "week": week,
            "starts_on": program.start_date + timedelta(weeks=week - 1),
            "sessions_prescribed": program.sessions_per_week,
            "sessions_done": by_week.get(week, empty)["done"],
            "pain_before_average": _rounded(by_week.get(week, empty)["before"]),
            "pain_after_average": _rounded(by_week.get(week, empty)["after"]),
        }
        for week in range(1, program.weeks + 1)
    ]


def side_differences(program: Program) -> list[dict]:
    """For each-side items: left and right totals of reps and seconds, average pain (2 queries:
    the items, then their logs grouped in the database)."""
    names = dict(
        Item.objects.filter(block__program=program, side=Item.Side.EACH).values_list(
            "id", "exercise__name"
        )
    )
    rows = (
        ExerciseLog.objects.filter(item_id__in=list(names), side__in=["left", "right"])
        .values("item_id", "side")
        .annotate(reps=Sum("reps"), seconds=Sum("seconds"), pain=Avg("pain"))
        .order_by("item_id", "side")
    )
    by_item: dict[int, dict] = {}
    for row in rows:
        entry = by_item.setdefault(
            row["item_id"], {"item": row["item_id"], "exercise": names[row["item_id"]]}
        )
        entry[row["side"]] = {
            "reps": row["reps"] or 0,
            "seconds": row["seconds"] or 0,
            "pain_average": _rounded(row["pain"]),
        }
    empty = {"reps": 0, "seconds": 0, "pain_average": None}
    result = []
    for entry in by_item.values():
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
        result.append(entry)
    return result


def items_for_review(program: Program) -> list[dict]:
    items = (
        Item.objects.filter(block__program=program, needs_review=True)
        .annotate(max_pain=Max("logs__pain"))
        .values("id", "exercise__name", "max_pain")
    )
    return [
        {"item": item["id"], "exercise": item["exercise__name"], "max_pain": item["max_pain"]}
        for item in items
    ]


def program_adherence(program: Program) -> dict:
    """One program's adherence, cached until its next change or logged session (or tomorrow)."""
    today = timezone.localdate()
    return caching.program_entry(program, "adherence", partial(adherence_data, today=today), today)


def adherence_data(program: Program, today) -> dict:
    return caching.plain(
        {
            "program": program.pk,
            "title": program.title,
            "status": program.status,
            "start_date": program.start_date,
            "current_week": current_week(program, today),
            "weeks": week_rows(program),
            "side_differences": side_differences(program),
            "items_for_review": items_for_review(program),
        }
    )


def client_adherence(*, client) -> dict:
    programs = caching.with_state(
        client.programs.filter(status__in=FOLLOWED, start_date__isnull=False)
    )
    return {
        "client": client.pk,
        "programs": [
            program_adherence(program) for program in programs.order_by("-start_date", "-id")
        ],
    }


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), 1)
