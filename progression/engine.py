"""Progression engine: how an exercise's dose changes from week to week.

Pure Python (no Django) so the API, the printout and the tests share one source of truth for
"what does the client do in week N and why".
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

PARAMETERS = ("sets", "reps", "hold_seconds", "duration_seconds", "load_kg", "step_height_cm")
MODES = ("absolute", "percent", "double")
TRIGGERS = ("scheduled", "gated")
REVIEW_PAIN = 5
"""Pain above this in a week flags the item for review; by default a gated rule then steps its
dose back (see Rule.regress_above)."""

_DOSE_FIELDS = {
    "sets": ("sets",),
    "reps": ("reps_min", "reps_max"),
    "hold_seconds": ("hold_seconds_min", "hold_seconds_max"),
    "duration_seconds": ("duration_seconds_min", "duration_seconds_max"),
    "load_kg": ("load_kg",),
    "step_height_cm": ("step_height_cm",),
}
_UNITS = {  # (singular, plural) used in reason texts
    "sets": ("set", "sets"),
    "reps": ("rep", "reps"),
    "hold_seconds": ("s", "s"),
    "duration_seconds": ("s", "s"),
    "load_kg": ("kg", "kg"),
    "step_height_cm": ("cm", "cm"),
}
_RANGE_ENDS = {name for names in _DOSE_FIELDS.values() if len(names) == 2 for name in names}
_WHOLE = Decimal(1)


@dataclass(frozen=True)
class Dose:
    """One week's prescription; ranged values are (min, max), a load of None means bodyweight."""

    sets: int | None = None
    reps_min: int | None = None
    reps_max: int | None = None
    hold_seconds_min: int | None = None
    hold_seconds_max: int | None = None
    duration_seconds_min: int | None = None
    duration_seconds_max: int | None = None
    load_kg: Decimal | None = None
    step_height_cm: int | None = None

    @classmethod
    def of(cls, prescription) -> "Dose":
        """The week-1 dose of anything carrying the dose fields (an item, an exercise)."""
        return cls(**{name: getattr(prescription, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Rule:
    """How one parameter progresses.

    Modes:
    - "absolute" adds `amount` (a missing value counts as 0: bodyweight first, then load).
    - "percent" grows the value by `amount` percent, compounding on the exact unrounded value;
      a missing or zero value stays as it is.
    - "double" (double progression, load_kg only, needs a reps range in the base dose): each due
      week the reps target climbs by 1 from the bottom of the range to the top, shown as a single
      target (reps_min == reps_max); once at the top, the next due week adds `amount` kg and the
      reps return to the bottom. Week 1 shows the base range unchanged.

    Ranged parameters move both ends together, and `cap` limits each end. Gated rules ("when
    ready") step only after a week logged with the target met and pain at or below
    `pain_threshold`. After a week with pain above `regress_above`, or with symptoms spreading
    further down the leg, a gated rule steps the dose back by one of its steps (never below the
    base dose), whether due or not, and the item is marked for review. At most one rule may
    change each parameter, so each reason is unambiguous.
    """

    parameter: str
    amount: Decimal
    mode: str = "absolute"
    every_weeks: int = 1
    start_week: int = 2
    cap: Decimal | None = None
    trigger: str = "scheduled"
    pain_threshold: int = 3
    regress_above: int | None = None  # None: REVIEW_PAIN, or pain_threshold when that is higher

    def __post_init__(self) -> None:
        require_choice("parameter", self.parameter, PARAMETERS)
        require_choice("mode", self.mode, MODES)
        require_choice("trigger", self.trigger, TRIGGERS)
        if self.every_weeks < 1:
            raise ValueError(f"every_weeks must be at least 1, got {self.every_weeks}")
        if self.start_week < 2:
            raise ValueError(
                f"start_week must be at least 2 (week 1 is the base dose), got {self.start_week}"
            )
        if self.mode == "double" and self.parameter != "load_kg":
            raise ValueError(f"double progression steps load_kg, not {self.parameter!r}")
        if self.regress_above is not None and self.regress_above < self.pain_threshold:
            raise ValueError(
                f"regress_above ({self.regress_above}) must be at least the pain_threshold "
                f"({self.pain_threshold})"
            )

    @property
    def changed_parameters(self) -> tuple[str, ...]:
        """Double progression also drives the reps, so no other rule may change them."""
        return ("load_kg", "reps") if self.mode == "double" else (self.parameter,)

    @property
    def upper_pain(self) -> int:
        """Pain above this steps a gated rule back."""
        if self.regress_above is not None:
            return self.regress_above
        return max(REVIEW_PAIN, self.pain_threshold)

    def is_due(self, week: int) -> bool:
        return week >= self.start_week and (week - self.start_week) % self.every_weeks == 0


@dataclass(frozen=True)
class WeekOutcome:
    """What the client logged in one week; gated rules look at the previous week's outcome."""

    target_met: bool
    max_pain: int | None
    under_review: bool = False  # the therapist has not yet cleared an earlier painful week
    symptoms_spread: bool = False  # a session that week reported symptoms further down the leg


History = Mapping[int, WeekOutcome] | Callable[[int, Dose], WeekOutcome | None]
"""Outcomes by week: a mapping, or a function of (week, that week's dose) for targets that move."""


@dataclass(frozen=True)
class LoggedEntry:
    """One logged set of an item, as far as the target and the pain gate care."""

    reps: int | None = None
    seconds: int | None = None
    load_kg: Decimal | None = None
    pain: int | None = None
    symptoms_spread: bool = False  # the session it was logged in said so


def week_outcome(dose: Dose, entries: Sequence[LoggedEntry]) -> WeekOutcome | None:
    """None when nothing was logged; the target is met when every entry reached the bottom of
    the prescribed reps, hold or duration and the prescribed load (progress on consistency)."""
    if not entries:
        return None
    seconds = dose.hold_seconds_min or dose.duration_seconds_min
    targets = [
        (dose.reps_min, lambda entry: entry.reps),
        (seconds, lambda entry: entry.seconds),
        (dose.load_kg, lambda entry: entry.load_kg),
    ]
    met = all(
        (value(entry) or 0) >= target for entry in entries for target, value in targets if target
    )
    pains = [entry.pain for entry in entries if entry.pain is not None]
    spread = any(entry.symptoms_spread for entry in entries)
    return WeekOutcome(
        target_met=met, max_pain=max(pains) if pains else None, symptoms_spread=spread
    )


def week_number(start: date, day: date, weeks: int) -> int:
    """Week 1 is the first 7 days from `start`; before it, week 1; after the last, the last."""
    return min(max((day - start).days // 7 + 1, 1), weeks)


@dataclass(frozen=True)
class WeekDose:
    """The dose for one week, with a reason per parameter that changed, was held or was capped."""

    week: int
    dose: Dose
    reasons: dict[str, str] = field(default_factory=dict)
    review: bool = False


@dataclass(frozen=True)
class _Note:
    text: str
    shown_when_unchanged: bool = False  # holds and caps explain why a due rule moved nothing


def format_number(value: Decimal | int) -> str:
    """Plain digits without exponent or trailing zeros: 2.50 -> "2.5", 10 -> "10"."""
    return f"{Decimal(value).normalize():f}"


def nearest(value: Decimal, step: Decimal) -> Decimal:
    """Round half up to a multiple of `step`."""
    return (value / step).quantize(_WHOLE, ROUND_HALF_UP) * step


def nearest_half(value: Decimal) -> Decimal:
    """Round half up to a multiple of 0.5, the smallest load step clients can set up at home."""
    return nearest(value, Decimal("0.5"))


def require_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    """Reject a value outside a fixed set of choices with a message naming the valid ones."""
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(allowed)}")


def schedule(
    base: Dose,
    rules: Sequence[Rule],
    weeks: int,
    history: History | None = None,
) -> list[WeekDose]:
    """Doses for weeks 1..weeks in one pass; `history` gives a week's outcome (see History)."""
    _check_rules(base, rules)
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    outcome_of = history if callable(history) else lambda week, dose: (history or {}).get(week)
    running = {
        name: None if value is None else Decimal(value) for name, value in asdict(base).items()
    }
    previous = _rounded(running)
    result = [WeekDose(week=1, dose=previous)]
    for week in range(2, weeks + 1):
        outcome = outcome_of(week - 1, previous)
        notes: dict[str, _Note] = {}
        for rule in rules:
            worse = _worse_note(rule, outcome, week - 1)
            if worse is not None:
                _step_back(rule, running, base)
                notes.update(dict.fromkeys(rule.changed_parameters, worse))
                continue
            if not rule.is_due(week):
                continue
            note = _hold_note(rule, outcome, week - 1) or _apply(rule, running, base)
            notes.update(dict.fromkeys(rule.changed_parameters, note))
        dose = _rounded(running)
        reasons = {
            parameter: note.text
            for parameter, note in notes.items()
            if note.shown_when_unchanged or _changed(parameter, previous, dose)
        }
        result.append(WeekDose(week, dose, reasons, review=_needs_review(outcome)))
        previous = dose
    return result


def dose_for_week(
    base: Dose,
    rules: Sequence[Rule],
    week: int,
    history: History | None = None,
) -> WeekDose:
    """One week's dose; it still walks from week 1 because holds and caps depend on the path."""
    return schedule(base, rules, week, history)[-1]


def _check_rules(base: Dose, rules: Sequence[Rule]) -> None:
    changed = [parameter for rule in rules for parameter in rule.changed_parameters]
    duplicates = sorted({parameter for parameter in changed if changed.count(parameter) > 1})
    if duplicates:
        raise ValueError(f"more than one rule changes {', '.join(duplicates)}")
    has_range = base.reps_min is not None and base.reps_max is not None
    if any(rule.mode == "double" for rule in rules) and not (
        has_range and base.reps_min < base.reps_max
    ):
        raise ValueError("double progression needs a reps range (reps_min below reps_max)")


def _needs_review(outcome: WeekOutcome | None) -> bool:
    return outcome is not None and (
        outcome.under_review
        or outcome.symptoms_spread
        or (outcome.max_pain is not None and outcome.max_pain > REVIEW_PAIN)
    )


def _worse_note(rule: Rule, outcome: WeekOutcome | None, logged_week: int) -> _Note | None:
    """Why a gated rule steps back this week, or None when the client did not get worse."""
    if rule.trigger == "scheduled" or outcome is None:
        return None
    if outcome.symptoms_spread:
        text = f"stepped back: symptoms spread further down the leg in week {logged_week}"
    elif outcome.max_pain is not None and outcome.max_pain > rule.upper_pain:
        text = (
            f"stepped back: pain {outcome.max_pain}/10 in week {logged_week}"
            f" is above {rule.upper_pain}/10"
        )
    else:
        return None
    return _Note(text, shown_when_unchanged=True)


def _step_back(rule: Rule, running: dict[str, Decimal | None], base: Dose) -> None:
    """Undo one step of `rule` on the exact running values, never below the base dose."""
    if rule.mode == "double":
        bottom = Decimal(base.reps_min)
        target = running["reps_min"]
        if running["reps_min"] == running["reps_max"] and target > bottom:
            running["reps_min"] = running["reps_max"] = target - 1
            return
        floor = Decimal(base.load_kg or 0)
        load = running["load_kg"] or Decimal(0)
        if load > floor:
            running["load_kg"] = max(floor, load - rule.amount) or base.load_kg
        return
    for name in _DOSE_FIELDS[rule.parameter]:
        current, floor = running[name], getattr(base, name)
        if current is None:
            continue
        if rule.mode == "absolute":
            proposed = current - rule.amount
        else:
            proposed = current / (1 + rule.amount / 100)
        lowest = Decimal(floor) if floor is not None else Decimal(0)
        stepped = max(lowest, proposed)
        running[name] = None if floor is None and stepped == 0 else stepped


def _hold_note(rule: Rule, outcome: WeekOutcome | None, logged_week: int) -> _Note | None:
    """Why a gated rule waits this week, or None when the client is ready (scheduled: always)."""
    if rule.trigger == "scheduled":
        return None
    if outcome is None:
        text = f"held: nothing logged in week {logged_week}"
    elif outcome.max_pain is not None and outcome.max_pain > REVIEW_PAIN:
        text = (
            f"held for review: pain {outcome.max_pain}/10 in week {logged_week}"
            f" is above {REVIEW_PAIN}/10"
        )
    elif outcome.under_review:
        text = "held until your therapist has reviewed an earlier painful week"
    elif not outcome.target_met:
        text = f"held: target not met in week {logged_week}"
    elif outcome.max_pain is None:
        text = f"held: pain not logged in week {logged_week}"
    elif outcome.max_pain > rule.pain_threshold:
        text = (
            f"held: pain {outcome.max_pain}/10 in week {logged_week}"
            f" is above {rule.pain_threshold}/10"
        )
    else:
        return None
    return _Note(text, shown_when_unchanged=True)


def _apply(rule: Rule, running: dict[str, Decimal | None], base: Dose) -> _Note:
    """Advance the exact running values by one step of `rule`."""
    if rule.mode == "double":
        return _double_step(rule, running, base)
    capped = False
    for name in _DOSE_FIELDS[rule.parameter]:
        current = running[name]
        if current is None and name in _RANGE_ENDS:
            continue  # an end the prescription leaves open stays open
        if rule.mode == "absolute":
            proposed = (current or Decimal(0)) + rule.amount
        elif current:
            proposed = current * (1 + rule.amount / 100)
        else:
            continue
        running[name], limited = _limit(current or Decimal(0), proposed, rule.cap)
        capped = capped or limited
    if capped:
        return _Note(_cap_text(rule), shown_when_unchanged=True)
    step = f"+{format_number(rule.amount)}%" if rule.mode == "percent" else _step(rule)
    return _Note(f"{step} ({_cadence(rule)})")


def _double_step(rule: Rule, running: dict[str, Decimal | None], base: Dose) -> _Note:
    bottom, top = base.reps_min, base.reps_max
    target = running["reps_min"]
    if target < top:
        running["reps_min"] = running["reps_max"] = target + 1
        return _Note(f"+1 rep toward {top} ({_cadence(rule)})")
    load = running["load_kg"] or Decimal(0)
    new_load, capped = _limit(load, load + rule.amount, rule.cap)
    step = _cap_text(rule) if capped else _step(rule)
    if capped and new_load == load:
        return _Note(f"{step}, reps stay at {top}", shown_when_unchanged=True)
    running["load_kg"] = new_load
    running["reps_min"] = running["reps_max"] = Decimal(bottom)
    return _Note(
        f"reps at top of {bottom}–{top}: {step}, reps back to {bottom}",
        shown_when_unchanged=capped,
    )


def _limit(current: Decimal, proposed: Decimal, cap: Decimal | None) -> tuple[Decimal, bool]:
    """Keep `proposed` within `cap` without ever lowering a base that already exceeds it."""
    if cap is None or proposed <= cap:
        return proposed, False
    return max(current, cap), True


def _rounded(running: dict[str, Decimal | None]) -> Dose:
    return Dose(
        **{name: None if value is None else _round(name, value) for name, value in running.items()}
    )


def _round(name: str, value: Decimal) -> Decimal | int:
    if name == "load_kg":
        return nearest_half(value)
    return int(value.quantize(_WHOLE, ROUND_HALF_UP))


def _changed(parameter: str, previous: Dose, dose: Dose) -> bool:
    return any(getattr(previous, name) != getattr(dose, name) for name in _DOSE_FIELDS[parameter])


def _quantity(value: Decimal, parameter: str) -> str:
    singular, plural = _UNITS[parameter]
    return f"{format_number(value)} {singular if value == 1 else plural}"


def _cap_text(rule: Rule) -> str:
    return f"capped at {_quantity(rule.cap, rule.parameter)}"


def _step(rule: Rule) -> str:
    return f"+{_quantity(rule.amount, rule.parameter)}"


def _cadence(rule: Rule) -> str:
    every = "weekly" if rule.every_weeks == 1 else f"every {rule.every_weeks} weeks"
    ready = ", when ready" if rule.trigger == "gated" else ""
    return f"{every} from week {rule.start_week}{ready}"
