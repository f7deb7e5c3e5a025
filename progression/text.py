"""Human-readable doses for clients, e.g. "2 × 8–10 reps each side · 5 lb".

Pure Python (no Django) so the API, the printout and its progression tables word doses alike.
Parts are joined by " · ": the lead quantity (with sets as "2 ×" when above 1, and the side),
then the secondary quantity, load, step height and rounds. Ranges use an en dash.
"""

from decimal import Decimal

from .engine import Dose, Rule, format_number, nearest, require_choice

DOSINGS = ("reps", "hold", "duration")
SIDES = ("both", "each", "left", "right", "alternating")
UNITS = ("metric", "imperial")
POUNDS_PER_KG = Decimal("2.20462")
CM_PER_INCH = Decimal("2.54")
POUND_STEP = Decimal("2.5")
"""Dumbbells and ankle weights come in steps of 2.5 lb (the lightest usually 2.5 lb)."""

_SIDE_TEXT = {
    "both": None,
    "each": "each side",
    "left": "left side",
    "right": "right side",
    "alternating": "alternating sides",
}


def format_dose(
    dose: Dose,
    *,
    dosing: str,
    side: str,
    units: str = "metric",
    rounds: tuple[int | None, int | None] | None = None,
) -> str:
    """Reps dosing leads with reps (then "hold 5 s"); hold dosing leads with "hold 30 s" (then
    reps); duration dosing shows only the duration. Bodyweight and no step show nothing."""
    require_choice("dosing", dosing, DOSINGS)
    require_choice("side", side, SIDES)
    require_choice("units", units, UNITS)
    reps = _counted(_span(dose.reps_min, dose.reps_max), "rep", "reps")
    hold_time = _seconds(dose.hold_seconds_min, dose.hold_seconds_max)
    hold = f"hold {hold_time}" if hold_time else None
    lead, *secondary = {
        "reps": (reps, hold),
        "hold": (hold, reps),
        "duration": (_seconds(dose.duration_seconds_min, dose.duration_seconds_max),),
    }[dosing]
    sets = f"{dose.sets} ×" if lead and dose.sets and dose.sets > 1 else None
    step = format_step_height(dose.step_height_cm, units)
    parts = [
        _join(" ", sets, lead, _SIDE_TEXT[side]),
        *secondary,
        format_load(dose.load_kg, units),
        step and f"{step} step",
        rounds and _counted(_span(*rounds), "round", "rounds"),
    ]
    return _join(" · ", *parts)


def format_load(load_kg: Decimal | None, units: str) -> str:
    """Load as "2.5 kg" or, in pounds, one a client can lift: "5 lb" (nearest 2.5 lb, at least
    2.5); empty for bodyweight (None or 0). The stored value stays the exact metric one."""
    require_choice("units", units, UNITS)
    if not load_kg:
        return ""
    if units == "imperial":
        pounds = max(POUND_STEP, nearest(load_kg * POUNDS_PER_KG, POUND_STEP))
        return f"{format_number(pounds)} lb"
    return f"{format_number(load_kg)} kg"


def format_step_height(cm: int | None, units: str) -> str:
    """Step height as "20 cm" or "8 in" (whole inches, at least 1); empty when there is no step."""
    require_choice("units", units, UNITS)
    if not cm:
        return ""
    if units == "imperial":
        inches = max(Decimal(1), nearest(Decimal(cm) / CM_PER_INCH, Decimal(1)))
        return f"{format_number(inches)} in"
    return f"{cm} cm"


def describe_rule(rule: Rule, base: Dose, units: str = "metric") -> str:
    """How a rule moves the dose, in the client's words and units, from the rule itself: the
    handout prints it, so it cannot go stale as a typed note would.

    "Every 2 weeks from week 3, once you are ready: a step 5 cm higher (at most 30 cm). ..."
    """
    require_choice("units", units, UNITS)
    every = "Every week" if rule.every_weeks == 1 else f"Every {rule.every_weeks} weeks"
    when = f"{every} from week {rule.start_week}"
    if rule.trigger == "scheduled":
        return f"{when}: {_change(rule, base, units)}."
    return (
        f"{when}, once you are ready: {_change(rule, base, units)}. Ready means last week's"
        f" dose done with pain at most {rule.pain_threshold}/10; a week with pain above"
        f" {rule.upper_pain}/10, or symptoms spreading further down your leg, steps it back."
    )


def _change(rule: Rule, base: Dose, units: str) -> str:
    cap = f" (at most {_amount(rule.parameter, rule.cap, units)})" if rule.cap else ""
    if rule.mode == "double":
        load = _amount("load_kg", rule.amount, units)
        return (
            f"one more rep up to {base.reps_max}, then {load} more with the reps back to "
            f"{base.reps_min}{cap}"
        )
    percent = rule.mode == "percent"
    amount = (
        f"{format_number(rule.amount)}%" if percent else _amount(rule.parameter, rule.amount, units)
    )
    if rule.parameter in {"sets", "reps"}:
        number, _, unit = amount.partition(" ")
        change = f"{number} more {rule.parameter if percent else unit}"
    else:
        change = {
            "hold_seconds": f"hold {amount} longer",
            "duration_seconds": f"{amount} longer",
            "load_kg": f"{amount} more weight",
            "step_height_cm": f"a step {amount} higher",
        }[rule.parameter]
    return change + cap


def _amount(parameter: str, value: Decimal, units: str) -> str:
    """An amount or cap in the client's units, e.g. "2.5 kg", "5 lb", "1 rep", "10 s"."""
    if parameter == "load_kg":
        return format_load(value, units)
    if parameter == "step_height_cm":
        return format_step_height(int(value), units)
    number = format_number(value)
    if parameter in {"hold_seconds", "duration_seconds"}:
        return f"{number} s"
    singular = parameter[:-1]
    return f"{number} {singular if number == '1' else parameter}"


def _span(low: int | None, high: int | None) -> str | None:
    """Range as "8–10", or a single number when the ends agree or only one is set."""
    if low is None or high is None or low == high:
        value = high if low is None else low
        return None if value is None else str(value)
    return f"{low}–{high}"


def _seconds(low: int | None, high: int | None) -> str | None:
    """Whole minutes read more naturally ("1–2 min"); anything else stays in seconds ("90 s")."""
    ends = [value for value in (low, high) if value is not None]
    if not ends:
        return None
    if all(value % 60 == 0 for value in ends):
        minutes = [None if value is None else value // 60 for value in (low, high)]
        return f"{_span(*minutes)} min"
    return f"{_span(low, high)} s"


def _counted(number: str | None, singular: str, plural: str) -> str | None:
    return number and f"{number} {singular if number == '1' else plural}"


def _join(separator: str, *parts: str | None) -> str:
    return separator.join(part for part in parts if part)
