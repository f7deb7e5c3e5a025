"""The week-by-week plan: only the parameters that change, in the client's units, with the
weeks a "when ready" rule rises marked as such.

Pure Python (no Django): the handout's "How your program progresses" and the admin's live
schedule preview are the same tables.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from .engine import Rule, WeekDose
from .text import format_load, format_step_height

LABELS = {
    "sets": "Sets",
    "reps": "Reps",
    "hold_seconds": "Hold",
    "duration_seconds": "Duration",
    "load_kg": "Load",
    "step_height_cm": "Step height",
}


@dataclass(frozen=True)
class Entry:
    """One exercise of a program: its weeks from week 1 and the rules that move them."""

    exercise: str
    weeks: Sequence[WeekDose]
    rules: Sequence[Rule]


@dataclass(frozen=True)
class Row:
    exercise: str
    parameter: str
    values: list[str]


@dataclass(frozen=True)
class Table:
    weeks: list[int]
    rows: list[Row]


def plan_tables(
    entries: Sequence[Entry], *, first_week: int, last_week: int, units: str, per_table: int
) -> list[Table]:
    """Tables of at most `per_table` weeks (so none is wider than a page or a screen); none
    when nothing changes within the weeks shown."""
    rows = []
    for entry in entries:
        weeks = entry.weeks[first_week - 1 : last_week]
        gated: dict[str, bool] = {}
        for rule in entry.rules:
            for parameter in rule.changed_parameters:
                gated[parameter] = gated.get(parameter, False) or rule.trigger == "gated"
        for parameter, when_ready in gated.items():
            values = [value_text(parameter, week.dose, units) for week in weeks]
            if len(set(values)) > 1:
                rows.append((entry.exercise, LABELS[parameter], _marked(values, when_ready)))
    if not rows:
        return []
    numbers = list(range(first_week, last_week + 1))
    return [
        Table(
            numbers[start : start + per_table],
            [Row(name, label, values[start : start + per_table]) for name, label, values in rows],
        )
        for start in range(0, len(numbers), per_table)
    ]


def value_text(parameter: str, dose, units: str) -> str:
    if parameter == "load_kg":
        return format_load(dose.load_kg, units) or "bodyweight"
    if parameter == "step_height_cm":
        return format_step_height(dose.step_height_cm, units) or "–"
    if parameter == "sets":
        return str(dose.sets or "–")
    low, high = getattr(dose, f"{parameter}_min"), getattr(dose, f"{parameter}_max")
    unit = "" if parameter == "reps" else " s"
    return f"{low}–{high}{unit}" if high and high != low else f"{low}{unit}"


def _marked(values: list[str], when_ready: bool) -> list[str]:
    """A gated rule's rise happens once the client is ready, not on a date: the plan says so."""
    if not when_ready:
        return values
    return [
        f"{value} when ready" if index and value != values[index - 1] else value
        for index, value in enumerate(values)
    ]
