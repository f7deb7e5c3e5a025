"""How long a session takes, estimated from the doses, so the handout can say "about 25–35
minutes". Pure Python (no Django).

Clinical choices where the dose does not say: a repetition takes about 4 s at a controlled
pace; a rest between sets of 30 s when none is prescribed; 30 s to get into position for each
exercise. "Each side" doubles an exercise's work; alternating sides count their repetitions in
all, so they do not.
"""

from dataclasses import dataclass

from .engine import Dose

SECONDS_PER_REP = 4
DEFAULT_REST_SECONDS = 30
SETUP_SECONDS = 30


@dataclass(frozen=True)
class Exercise:
    """One exercise as done in a session: its dose, its dosing, its side and prescribed rest."""

    dose: Dose
    dosing: str  # "reps", "hold" or "duration"
    side: str
    rest_seconds: int | None = None


@dataclass(frozen=True)
class Part:
    """A block: its exercises, done once (a sequence) or for `rounds` (a circuit)."""

    exercises: list[Exercise]
    rounds: tuple[int, int] = (1, 1)
    rest_between_rounds: int = 0


def _work(exercise: Exercise, at_most: bool) -> int:
    """Seconds of one pass through an exercise (all its sets, both sides when it says so)."""
    dose = exercise.dose

    def pick(low, high):
        values = [value for value in (low, high) if value is not None]
        return (max(values) if at_most else min(values)) if values else None

    reps = pick(dose.reps_min, dose.reps_max)
    if exercise.dosing == "duration":
        per_set = pick(dose.duration_seconds_min, dose.duration_seconds_max) or 0
    elif exercise.dosing == "hold":
        per_set = (pick(dose.hold_seconds_min, dose.hold_seconds_max) or 0) * (reps or 1)
    else:
        per_set = (reps or 0) * SECONDS_PER_REP
    sets = dose.sets or 1
    sides = 2 if exercise.side == "each" else 1
    rest = exercise.rest_seconds if exercise.rest_seconds is not None else DEFAULT_REST_SECONDS
    return SETUP_SECONDS + sides * (sets * per_set + (sets - 1) * rest)


def session_minutes(parts: list[Part]) -> tuple[int, int]:
    """The shortest and longest session the doses allow, in whole minutes (at least 1)."""

    def total(at_most: bool) -> int:
        seconds = 0
        for part in parts:
            rounds = part.rounds[1] if at_most else part.rounds[0]
            one_round = sum(_work(exercise, at_most) for exercise in part.exercises)
            seconds += rounds * one_round + (rounds - 1) * part.rest_between_rounds
        return seconds

    return max(1, round(total(False) / 60)), max(1, round(total(True) / 60))
