"""Prescription rules shared by the API serializers and the admin forms.

Each function returns errors keyed by field name (empty when valid), so both callers can attach
them to the right field.
"""

from decimal import Decimal

from exercises.models import (
    MAX_LOAD_KG,
    MAX_REPS,
    MAX_SECONDS,
    MAX_SETS,
    MAX_STEP_HEIGHT_CM,
    Exercise,
    Parameter,
    range_errors,
)

from .models import Item, ProgressionRule

SIDES_BY_LATERALITY = {
    Exercise.Laterality.BILATERAL: {Item.Side.BOTH},
    Exercise.Laterality.EACH_SIDE: {Item.Side.EACH, Item.Side.LEFT, Item.Side.RIGHT},
    Exercise.Laterality.ALTERNATING: {Item.Side.ALTERNATING, Item.Side.EACH},
}
DEFAULT_SIDE = {
    Exercise.Laterality.BILATERAL: Item.Side.BOTH,
    Exercise.Laterality.EACH_SIDE: Item.Side.EACH,
    Exercise.Laterality.ALTERNATING: Item.Side.ALTERNATING,
}
"""The side an item takes when none is given: what the exercise's laterality implies."""
SIDE_LABELS = dict(Item.Side.choices)
PARAMETER_LABELS = dict(Parameter.choices)
PARAMETER_LIMITS = {
    "sets": MAX_SETS,
    "reps": MAX_REPS,
    "hold_seconds": MAX_SECONDS,
    "duration_seconds": MAX_SECONDS,
    "load_kg": MAX_LOAD_KG,
    "step_height_cm": MAX_STEP_HEIGHT_CM,
}
MAX_PERCENT = 100
MAX_BLOCKS = 30
MAX_ITEMS = 60
MAX_RULES = 6
"""A program's size: far above what a clinic prescribes, low enough that every schedule and
printout of a program stays quick to compute."""
TOO_MANY_ITEMS = f"A program holds at most {MAX_ITEMS} exercises."


def block_errors(values: dict) -> dict:
    """Rounds as an ordered range (a single value when only the minimum is set)."""
    low, high = values.get("rounds_min") or 1, values.get("rounds_max")
    if high is not None and high < low:
        return {"rounds_max": f"Must be at least rounds_min ({low})."}
    return {}


def default_side(exercise: Exercise) -> str:
    return DEFAULT_SIDE[exercise.laterality]


def item_errors(exercise: Exercise, values: dict, kept_exercise_id: int | None = None) -> dict:
    """An exercise still in the library (an item may keep one archived since), a side it can be
    done on, and ordered ranges. Messages use the words of the forms, never internal codes."""
    errors = range_errors(values)
    if exercise.is_archived and exercise.pk != kept_exercise_id:
        errors["exercise"] = f"{exercise.name} is archived; choose one from the library."
    side = values.get("side") or default_side(exercise)
    allowed = SIDES_BY_LATERALITY[exercise.laterality]
    if side not in allowed:
        choices = [SIDE_LABELS[choice] for choice in Item.Side.values if choice in allowed]
        errors["side"] = (
            f"{exercise.name} is done {exercise.get_laterality_display().lower()}, so "
            f'"{SIDE_LABELS.get(side, side)}" does not fit; choose {_one_of(choices)}.'
        )
    return errors


def _one_of(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


def starting_value(parameter: str, values: dict):
    """The item's week-1 value of a parameter (the top of a range)."""
    if parameter in {"reps", "hold_seconds", "duration_seconds"}:
        return values.get(f"{parameter}_max") or values.get(f"{parameter}_min")
    return values.get(parameter)


def rule_errors(exercise: Exercise, item_values: dict, rule: dict) -> dict:
    """A rule may only change what the exercise supports, within sane bounds."""
    parameter, mode = rule.get("parameter"), rule.get("mode", ProgressionRule.Mode.ABSOLUTE)
    amount, cap = rule.get("amount"), rule.get("cap")
    label = PARAMETER_LABELS.get(parameter, parameter)
    if parameter not in exercise.progressable:
        supported = [PARAMETER_LABELS[name] for name in exercise.progressable]
        can = f"choose {_one_of(supported)}" if supported else "it has nothing to progress"
        return {"parameter": f"{exercise.name} cannot progress {label.lower()}; {can}."}
    errors = {}
    limit = PARAMETER_LIMITS[parameter]
    start = starting_value(parameter, item_values)
    if mode == ProgressionRule.Mode.DOUBLE:
        low, high = item_values.get("reps_min"), item_values.get("reps_max")
        if parameter != "load_kg":
            errors["mode"] = "Double progression raises the external load: choose that."
        elif low is None or high is None or high <= low:
            errors["mode"] = "Double progression needs a reps range on the item, e.g. 8–10."
    if mode == ProgressionRule.Mode.PERCENT:
        if not start:
            errors["mode"] = (
                f"A percentage of nothing stays nothing: set the item's {label.lower()} first."
            )
        if amount is not None and amount > MAX_PERCENT:
            errors["amount"] = f"At most {MAX_PERCENT}% a step."
    elif amount is not None and amount > limit:
        errors["amount"] = f"At most {limit} a step for {label.lower()}."
    threshold, regress_above = rule.get("pain_threshold"), rule.get("regress_above")
    if regress_above is not None and threshold is not None and regress_above < threshold:
        errors["regress_above"] = (
            f"At least the pain threshold ({threshold}/10): pain that lets the dose rise "
            "cannot also step it back."
        )
    if cap is not None:
        if cap > limit:
            errors["cap"] = f"At most {limit} for {label.lower()}."
        elif start is not None and cap < Decimal(start):
            errors["cap"] = f"Below the starting value ({start})."
    return errors


def rules_errors(exercise: Exercise, item_values: dict, rules: list[dict]) -> list[dict]:
    """Errors per rule, in order; a parameter may be changed by one rule only."""
    errors, claimed = [], set()
    for rule in rules:
        rule_error = rule_errors(exercise, item_values, rule)
        changes = {rule.get("parameter")}
        if rule.get("mode") == ProgressionRule.Mode.DOUBLE:
            changes.add("reps")
        if not rule_error and changes & claimed:
            rule_error = {"parameter": "Another rule on this item already changes it."}
        claimed |= changes
        errors.append(rule_error)
    return errors if any(errors) else []
