"""The bridge between stored prescriptions and the pure progression engine."""

from collections.abc import Mapping

from progression import engine as progression
from progression.text import describe_rule, format_dose


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
            regress_above=rule.regress_above,
        )
        for rule in item.progressions.all()
    ]


def item_schedule(
    item, weeks: int, history: Mapping[int, progression.WeekOutcome] | None = None
) -> list[progression.WeekDose]:
    return progression.schedule(progression.Dose.of(item), engine_rules(item), weeks, history)


def item_dose_text(item, dose: progression.Dose, units: str) -> str:
    return format_dose(dose, dosing=item.exercise.dosing, side=item.side, units=units)


def item_progression_texts(item, units: str) -> list[str]:
    """How each of the item's rules moves its dose, worded for the client (see describe_rule)."""
    base = progression.Dose.of(item)
    return [describe_rule(rule, base, units) for rule in engine_rules(item)]


def ready_every_week(weeks: int) -> dict[int, progression.WeekOutcome]:
    """A history in which the client meets the target pain-free every week: the planned path."""
    return {week: progression.WeekOutcome(target_met=True, max_pain=0) for week in range(weeks)}
