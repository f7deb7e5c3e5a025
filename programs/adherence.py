"""What a therapist reads back: sessions done against prescribed, pain, and side differences."""

from datetime import datetime, time, timedelta

from django.db.models import Avg, Count, Max, Q, Sum
from django.utils import timezone

from .models import ExerciseLog, Item, Program, Session
from .prescriptions import current_week

FOLLOWED = [Program.Status.ACTIVE, Program.Status.PAUSED, Program.Status.COMPLETED]


def _week_start(program: Program, week: int) -> datetime:
    day = program.start_date + timedelta(weeks=week - 1)
    return timezone.make_aware(datetime.combine(day, time.min))


def week_rows(program: Program) -> list[dict]:
    """Per program week: sessions prescribed and done, average pain before and after (1 query)."""
    aggregates = {}
    for week in range(1, program.weeks + 1):
        within = Q(performed_at__gte=_week_start(program, week))
        within &= Q(performed_at__lt=_week_start(program, week + 1))
        aggregates[f"done_{week}"] = Count("id", filter=within)
        aggregates[f"before_{week}"] = Avg("pain_before", filter=within)
        aggregates[f"after_{week}"] = Avg("pain_after", filter=within)
    totals = Session.objects.filter(program=program).aggregate(**aggregates)
    return [
        {
            "week": week,
            "starts_on": program.start_date + timedelta(weeks=week - 1),
            "sessions_prescribed": program.sessions_per_week,
            "sessions_done": totals[f"done_{week}"],
            "pain_before_average": _rounded(totals[f"before_{week}"]),
            "pain_after_average": _rounded(totals[f"after_{week}"]),
        }
        for week in range(1, program.weeks + 1)
    ]


def side_differences(program: Program) -> list[dict]:
    """For each-side items: left and right totals of reps and seconds, average pain (1 query)."""
    rows = (
        ExerciseLog.objects.filter(
            session__program=program, item__side=Item.Side.EACH, side__in=["left", "right"]
        )
        .values("item_id", "exercise__name", "side")
        .annotate(reps=Sum("reps"), seconds=Sum("seconds"), pain=Avg("pain"))
        .order_by("item_id", "side")
    )
    by_item: dict[int, dict] = {}
    for row in rows:
        entry = by_item.setdefault(
            row["item_id"], {"item": row["item_id"], "exercise": row["exercise__name"]}
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


def client_adherence(*, client) -> dict:
    programs = client.programs.filter(status__in=FOLLOWED, start_date__isnull=False)
    return {
        "client": client.pk,
        "programs": [
            {
                "program": program.pk,
                "title": program.title,
                "status": program.status,
                "start_date": program.start_date,
                "current_week": current_week(program),
                "weeks": week_rows(program),
                "side_differences": side_differences(program),
                "items_for_review": items_for_review(program),
            }
            for program in programs.order_by("-start_date", "-id")
        ],
    }


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), 1)
