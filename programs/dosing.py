"""The bridge between stored prescriptions and the pure progression engine."""

from collections.abc import Mapping

from . import progression
from .dose_text import format_dose

ENGINE_DOSE_FIELDS = [name for name in progression.Dose.__dataclass_fields__]


def engine_dose(prescription) -> progression.Dose:
    """The week-1 dose of an item (or an exercise's default dose)."""
    return progression.Dose(**{name: getattr(prescription, name) for name in ENGINE_DOSE_FIELDS})


def engine_rules(item) -> list[progression.Rule]:
    return [
        progression.Rule(
            parameter=rule.parameter,
            amount=rule.amount,
            mode=rule.mode,
            every_weeks=rule.every_weeks,
            start_week=rule.start_week,
            cap=rule.cap,
            trigger=rule.trigger,
            pain_threshold=rule.pain_threshold,
        )
        for rule in item.progressions.all()
    ]


def item_schedule(
    item, weeks: int, history: Mapping[int, progression.WeekOutcome] | None = None
) -> list[progression.WeekDose]:
    return progression.schedule(engine_dose(item), engine_rules(item), weeks, history)


def item_dose_text(item, dose: progression.Dose, units: str) -> str:
    return format_dose(dose, dosing=item.exercise.dosing, side=item.side, units=units)


def ready_every_week(weeks: int) -> dict[int, progression.WeekOutcome]:
    """A history in which the client meets the target pain-free every week: the planned path."""
    return {week: progression.WeekOutcome(target_met=True, max_pain=0) for week in range(weeks)}
