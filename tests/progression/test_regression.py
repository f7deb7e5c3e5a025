"""Regression: after a week that went worse (pain above the rule's upper threshold, or symptoms
spreading further down the leg), a gated rule steps its dose back one step, says why, and marks
the item for review; never below the base dose. Tested as value series."""

from decimal import Decimal

import pytest

from progression.engine import Dose, Rule, WeekOutcome, schedule

READY = WeekOutcome(target_met=True, max_pain=1)
PAINFUL = WeekOutcome(target_met=True, max_pain=7)
SPREAD = WeekOutcome(target_met=True, max_pain=2, symptoms_spread=True)


def series(base, rule, history, weeks, name):
    return [getattr(week.dose, name) for week in schedule(base, [rule], weeks, history)]


def test_reps_climb_when_ready_and_step_back_after_a_painful_week():
    rule = Rule("reps", Decimal(2), trigger="gated")
    history = {1: READY, 2: READY, 3: PAINFUL, 4: READY}
    weeks = schedule(Dose(sets=2, reps_min=8, reps_max=8), [rule], 5, history)
    assert [week.dose.reps_min for week in weeks] == [8, 10, 12, 10, 12]
    assert weeks[3].reasons["reps"] == "stepped back: pain 7/10 in week 3 is above 5/10"
    assert weeks[3].review is True and weeks[4].review is False


def test_symptoms_spreading_steps_back_whatever_the_pain():
    rule = Rule("step_height_cm", Decimal(5), trigger="gated", every_weeks=1)
    history = {1: READY, 2: READY, 3: SPREAD}
    weeks = schedule(Dose(step_height_cm=15), [rule], 4, history)
    assert [week.dose.step_height_cm for week in weeks] == [15, 20, 25, 20]
    assert "symptoms spread further down the leg in week 3" in weeks[3].reasons["step_height_cm"]
    assert weeks[3].review is True


def test_never_below_the_base_dose():
    rule = Rule("step_height_cm", Decimal(5), trigger="gated")
    assert series(Dose(step_height_cm=15), rule, {1: PAINFUL, 2: PAINFUL}, 3, "step_height_cm") == [
        15,
        15,
        15,
    ]


def test_load_from_bodyweight_steps_back_to_bodyweight():
    rule = Rule("load_kg", Decimal("2.5"), trigger="gated")
    history = {1: READY, 2: PAINFUL}
    assert series(Dose(reps_min=8, reps_max=10), rule, history, 3, "load_kg") == [
        None,
        Decimal("2.5"),
        None,
    ]


def test_double_progression_steps_back_a_rep_then_the_load():
    rule = Rule("load_kg", Decimal("2.5"), mode="double", trigger="gated")
    ready = dict.fromkeys(range(1, 5), READY)
    history = {**ready, 5: PAINFUL, 6: PAINFUL}
    weeks = schedule(Dose(reps_min=8, reps_max=10), [rule], 7, history)
    doses = [(week.dose.reps_min, week.dose.load_kg) for week in weeks]
    assert doses == [
        (8, None),
        (9, None),
        (10, None),
        (8, Decimal("2.5")),
        (9, Decimal("2.5")),
        (8, Decimal("2.5")),  # a painful week: one rep back
        (8, None),  # and another: the load goes
    ]


def test_a_scheduled_rule_does_not_step_back():
    rule = Rule("reps", Decimal(1))
    assert series(Dose(reps_min=8, reps_max=8), rule, {1: PAINFUL}, 3, "reps_min") == [8, 9, 10]


def test_the_upper_threshold_is_the_rules_and_not_below_its_gate():
    rule = Rule("reps", Decimal(1), trigger="gated", pain_threshold=3, regress_above=7)
    history = {1: READY, 2: PAINFUL}  # pain 7: not above 7, only held for review
    assert series(Dose(reps_min=8, reps_max=8), rule, history, 3, "reps_min") == [8, 9, 9]
    with pytest.raises(ValueError, match="regress_above"):
        Rule("reps", Decimal(1), trigger="gated", pain_threshold=4, regress_above=3)
