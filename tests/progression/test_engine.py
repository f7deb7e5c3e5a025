from decimal import Decimal

import pytest

from progression.engine import (
    PARAMETERS,
    REVIEW_PAIN,
    Dose,
    Rule,
    WeekOutcome,
    dose_for_week,
    schedule,
)


def decimals(*values: str | None) -> list[Decimal | None]:
    return [None if value is None else Decimal(value) for value in values]


def loads(weeks) -> list[Decimal | None]:
    return [week.dose.load_kg for week in weeks]


def reasons(weeks) -> list[dict[str, str]]:
    return [week.reasons for week in weeks]


def test_parameters_are_the_names_rules_accept():
    assert PARAMETERS == (
        "sets",
        "reps",
        "hold_seconds",
        "duration_seconds",
        "load_kg",
        "step_height_cm",
    )
    assert REVIEW_PAIN == 5


def test_absolute_load_steps_every_two_weeks_from_week_three_until_cap():
    rule = Rule("load_kg", Decimal("2.5"), every_weeks=2, start_week=3, cap=Decimal("10"))

    weeks = schedule(Dose(load_kg=Decimal("5")), [rule], 9)

    assert [week.week for week in weeks] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert loads(weeks) == decimals("5", "5", "7.5", "7.5", "10", "10", "10", "10", "10")
    step = {"load_kg": "+2.5 kg (every 2 weeks from week 3)"}
    capped = {"load_kg": "capped at 10 kg"}
    assert reasons(weeks) == [{}, {}, step, {}, step, {}, capped, {}, capped]


def test_load_from_bodyweight_starts_at_zero():
    weeks = schedule(Dose(reps_min=10, reps_max=10), [Rule("load_kg", Decimal("2.5"))], 4)

    assert loads(weeks) == decimals(None, "2.5", "5", "7.5")
    assert weeks[1].reasons == {"load_kg": "+2.5 kg (weekly from week 2)"}


def test_step_height_rises_two_cm_every_two_weeks_up_to_cap():
    rule = Rule("step_height_cm", Decimal("2"), every_weeks=2, start_week=3, cap=Decimal("15"))

    weeks = schedule(Dose(step_height_cm=10), [rule], 9)

    assert [week.dose.step_height_cm for week in weeks] == [10, 10, 12, 12, 14, 14, 15, 15, 15]
    assert weeks[2].reasons == {"step_height_cm": "+2 cm (every 2 weeks from week 3)"}
    assert weeks[6].reasons == {"step_height_cm": "capped at 15 cm"}
    assert weeks[8].reasons == {"step_height_cm": "capped at 15 cm"}


def test_percent_compounds_on_the_exact_unrounded_load():
    # Exact: 10, 11, 12.1, 13.31, 14.641 ... compounding the rounded 12 would give 13 in week 4.
    weeks = schedule(Dose(load_kg=Decimal("10")), [Rule("load_kg", Decimal("10"), "percent")], 8)

    assert loads(weeks) == decimals("10", "11", "12", "13.5", "14.5", "16", "17.5", "19.5")
    assert weeks[1].reasons == {"load_kg": "+10% (weekly from week 2)"}


def test_percent_rounds_load_to_half_kilograms_and_reps_to_whole_numbers_half_up():
    load_weeks = schedule(
        Dose(load_kg=Decimal("2")), [Rule("load_kg", Decimal("10"), "percent")], 8
    )
    reps_weeks = schedule(
        Dose(reps_min=10, reps_max=10), [Rule("reps", Decimal("5"), "percent")], 7
    )

    assert loads(load_weeks) == decimals("2", "2", "2.5", "2.5", "3", "3", "3.5", "4")
    # 10.5 rounds up to 11, 11.025 stays 11, 11.576 becomes 12.
    assert [week.dose.reps_min for week in reps_weeks] == [10, 11, 11, 12, 12, 13, 13]


def test_week_one_is_the_base_dose_rounded():
    base = Dose(sets=2, reps_min=8, reps_max=12, load_kg=Decimal("2.25"))

    first = schedule(base, [Rule("load_kg", Decimal("1"))], 1)

    assert [week.dose for week in first] == [
        Dose(sets=2, reps_min=8, reps_max=12, load_kg=Decimal("2.5"))
    ]
    assert first[0].reasons == {}
    assert first[0].review is False


def test_percent_leaves_missing_or_zero_values_unchanged():
    rules = [Rule("load_kg", Decimal("10"), "percent"), Rule("sets", Decimal("50"), "percent")]

    weeks = schedule(Dose(sets=0), rules, 3)

    assert [week.dose for week in weeks] == [Dose(sets=0)] * 3
    assert reasons(weeks) == [{}, {}, {}]


def test_percent_on_a_reps_range_moves_both_ends():
    weeks = schedule(Dose(reps_min=8, reps_max=12), [Rule("reps", Decimal("10"), "percent")], 5)

    assert [(week.dose.reps_min, week.dose.reps_max) for week in weeks] == [
        (8, 12),
        (9, 13),
        (10, 15),
        (11, 16),
        (12, 18),
    ]


def test_reps_range_shifts_both_ends_and_cap_limits_both_ends():
    rule = Rule("reps", Decimal("2"), cap=Decimal("13"))

    weeks = schedule(Dose(reps_min=8, reps_max=10), [rule], 5)

    assert [(week.dose.reps_min, week.dose.reps_max) for week in weeks] == [
        (8, 10),
        (10, 12),
        (12, 13),
        (13, 13),
        (13, 13),
    ]
    capped = {"reps": "capped at 13 reps"}
    assert reasons(weeks) == [{}, {"reps": "+2 reps (weekly from week 2)"}, capped, capped, capped]


def test_every_weeks_and_start_week_set_the_cadence():
    rule = Rule("sets", Decimal("1"), every_weeks=3, start_week=4)

    weeks = schedule(Dose(sets=2), [rule], 10)

    assert [week.dose.sets for week in weeks] == [2, 2, 2, 3, 3, 3, 4, 4, 4, 5]
    assert weeks[3].reasons == {"sets": "+1 set (every 3 weeks from week 4)"}
    assert [rule.is_due(week) for week in range(1, 8)] == [
        False,
        False,
        False,
        True,
        False,
        False,
        True,
    ]


def test_gated_rule_applies_when_target_met_and_pain_within_threshold():
    rules = [
        Rule("load_kg", Decimal("2.5"), trigger="gated"),
        Rule("hold_seconds", Decimal("5"), trigger="gated", pain_threshold=4),
    ]
    history = {week: WeekOutcome(target_met=True, max_pain=week) for week in range(1, 5)}
    base = Dose(hold_seconds_min=10, hold_seconds_max=10, load_kg=Decimal("5"))

    weeks = schedule(base, rules, 5, history)

    assert loads(weeks) == decimals("5", "7.5", "10", "12.5", "12.5")
    assert [week.dose.hold_seconds_min for week in weeks] == [10, 15, 20, 25, 30]
    assert weeks[1].reasons == {
        "load_kg": "+2.5 kg (weekly from week 2, when ready)",
        "hold_seconds": "+5 s (weekly from week 2, when ready)",
    }
    assert weeks[4].reasons["load_kg"] == "held: pain 4/10 in week 4 is above 3/10"


def test_gated_rule_holds_and_says_why():
    history = {
        1: WeekOutcome(target_met=True, max_pain=1),
        2: WeekOutcome(target_met=False, max_pain=0),
        3: WeekOutcome(target_met=True, max_pain=4),
        5: WeekOutcome(target_met=True, max_pain=None),
    }
    rule = Rule("load_kg", Decimal("2.5"), trigger="gated")

    weeks = schedule(Dose(load_kg=Decimal("5")), [rule], 6, history)

    assert loads(weeks) == decimals("5", "7.5", "7.5", "7.5", "7.5", "7.5")
    assert reasons(weeks) == [
        {},
        {"load_kg": "+2.5 kg (weekly from week 2, when ready)"},
        {"load_kg": "held: target not met in week 2"},
        {"load_kg": "held: pain 4/10 in week 3 is above 3/10"},
        {"load_kg": "held: nothing logged in week 4"},
        {"load_kg": "held: pain not logged in week 5"},
    ]
    assert [week.review for week in weeks] == [False] * 6


def test_pain_above_review_level_holds_gated_rules_and_flags_review():
    rules = [
        Rule("load_kg", Decimal("2.5"), trigger="gated", pain_threshold=8),
        Rule("reps", Decimal("1")),
    ]
    history = {
        1: WeekOutcome(target_met=True, max_pain=7),
        2: WeekOutcome(target_met=True, max_pain=2),
    }

    weeks = schedule(Dose(reps_min=10, reps_max=10, load_kg=Decimal("5")), rules, 3, history)

    assert loads(weeks) == decimals("5", "5", "7.5")
    assert [week.dose.reps_min for week in weeks] == [10, 11, 12]
    assert [week.review for week in weeks] == [False, True, False]
    assert weeks[1].reasons == {
        "load_kg": "held for review: pain 7/10 in week 1 is above 5/10",
        "reps": "+1 rep (weekly from week 2)",
    }


def test_review_is_flagged_even_without_gated_rules():
    history = {1: WeekOutcome(target_met=True, max_pain=6), 2: WeekOutcome(True, REVIEW_PAIN)}

    weeks = schedule(Dose(sets=3), [], 3, history)

    assert [week.review for week in weeks] == [False, True, False]


def test_double_progression_climbs_reps_then_adds_load_until_cap():
    rule = Rule("load_kg", Decimal("2.5"), mode="double", cap=Decimal("9"))

    weeks = schedule(Dose(reps_min=8, reps_max=10, load_kg=Decimal("5")), [rule], 11)

    assert [week.dose.reps_min for week in weeks] == [8, 9, 10, 8, 9, 10, 8, 9, 10, 10, 10]
    assert [week.dose.reps_max for week in weeks] == [10, 9, 10, 8, 9, 10, 8, 9, 10, 10, 10]
    assert loads(weeks) == decimals("5", "5", "5", "7.5", "7.5", "7.5", "9", "9", "9", "9", "9")
    climb = "+1 rep toward 10 (weekly from week 2)"
    load_step = "reps at top of 8–10: +2.5 kg, reps back to 8"
    partial_cap = "reps at top of 8–10: capped at 9 kg, reps back to 8"
    full_cap = "capped at 9 kg, reps stay at 10"
    assert reasons(weeks) == [
        {},
        {"reps": climb},
        {"reps": climb},
        {"load_kg": load_step, "reps": load_step},
        {"reps": climb},
        {"reps": climb},
        {"load_kg": partial_cap, "reps": partial_cap},
        {"reps": climb},
        {"reps": climb},
        {"load_kg": full_cap, "reps": full_cap},
        {"load_kg": full_cap, "reps": full_cap},
    ]


def test_double_progression_from_bodyweight_adds_first_load_at_top_of_range():
    rule = Rule("load_kg", Decimal("1"), mode="double", every_weeks=2)

    weeks = schedule(Dose(reps_min=12, reps_max=13), [rule], 7)

    assert [week.dose.reps_min for week in weeks] == [12, 13, 13, 12, 12, 13, 13]
    assert loads(weeks) == decimals(None, None, None, "1", "1", "1", "1")
    assert weeks[3].reasons["load_kg"] == "reps at top of 12–13: +1 kg, reps back to 12"


def test_two_rules_on_different_parameters_progress_independently():
    rules = [
        Rule("load_kg", Decimal("2.5"), every_weeks=2),
        Rule("sets", Decimal("1"), start_week=3, every_weeks=2, cap=Decimal("4")),
    ]

    weeks = schedule(Dose(sets=2, load_kg=Decimal("5")), rules, 7)

    assert loads(weeks) == decimals("5", "7.5", "7.5", "10", "10", "12.5", "12.5")
    assert [week.dose.sets for week in weeks] == [2, 2, 3, 3, 4, 4, 4]
    load_step = {"load_kg": "+2.5 kg (every 2 weeks from week 2)"}
    sets_step = {"sets": "+1 set (every 2 weeks from week 3)"}
    assert reasons(weeks) == [
        {},
        load_step,
        sets_step,
        load_step,
        sets_step,
        load_step,
        {"sets": "capped at 4 sets"},
    ]


def test_reasons_appear_only_when_the_rounded_value_changes():
    rule = Rule("load_kg", Decimal("1"), mode="percent")

    weeks = schedule(Dose(load_kg=Decimal("10")), [rule], 4)

    assert loads(weeks) == decimals("10", "10", "10", "10.5")
    assert reasons(weeks) == [{}, {}, {}, {"load_kg": "+1% (weekly from week 2)"}]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"parameter": "weight"}, "unknown parameter 'weight'"),
        ({"mode": "linear"}, "unknown mode 'linear'"),
        ({"trigger": "sometimes"}, "unknown trigger 'sometimes'"),
        ({"every_weeks": 0}, "every_weeks must be at least 1, got 0"),
        ({"start_week": 1}, "start_week must be at least 2"),
        ({"parameter": "reps", "mode": "double"}, "double progression steps load_kg, not 'reps'"),
    ],
)
def test_invalid_rule_raises_value_error(arguments, message):
    with pytest.raises(ValueError, match=message):
        Rule(**{"parameter": "load_kg", "amount": Decimal("1"), **arguments})


@pytest.mark.parametrize(
    ("base", "rules", "weeks", "message"),
    [
        (
            Dose(reps_min=10, reps_max=10),
            [Rule("load_kg", Decimal("1"), "double")],
            3,
            "double progression needs a reps range",
        ),
        (Dose(), [Rule("load_kg", Decimal("1"), "double")], 3, "needs a reps range"),
        (
            Dose(reps_min=8, reps_max=10),
            [Rule("load_kg", Decimal("1"), "double"), Rule("reps", Decimal("1"))],
            3,
            "more than one rule changes reps",
        ),
        (
            Dose(),
            [Rule("load_kg", Decimal("1")), Rule("load_kg", Decimal("5"), "percent")],
            3,
            "more than one rule changes load_kg",
        ),
        (Dose(), [], 0, "weeks must be at least 1, got 0"),
    ],
)
def test_invalid_schedule_raises_value_error(base, rules, weeks, message):
    with pytest.raises(ValueError, match=message):
        schedule(base, rules, weeks)


def test_dose_for_week_is_the_last_week_of_the_schedule():
    base = Dose(sets=2, reps_min=8, reps_max=10, load_kg=Decimal("5"))
    rules = [
        Rule("load_kg", Decimal("2.5"), mode="double", trigger="gated"),
        Rule("sets", Decimal("1"), every_weeks=4, cap=Decimal("3")),
    ]
    history = {week: WeekOutcome(target_met=week != 3, max_pain=2) for week in range(1, 9)}

    for week in range(1, 10):
        assert dose_for_week(base, rules, week, history) == schedule(base, rules, week, history)[-1]
    assert dose_for_week(base, rules, 9, history).dose == Dose(
        sets=3, reps_min=9, reps_max=9, load_kg=Decimal("10")
    )


def test_an_open_end_of_a_range_stays_open_as_the_other_rises():
    """reps_min 12 with no maximum: "12", then "13", never "13–1"."""
    weeks = schedule(Dose(reps_min=12), [Rule("reps", Decimal(1))], 3)
    assert [(week.dose.reps_min, week.dose.reps_max) for week in weeks] == [
        (12, None),
        (13, None),
        (14, None),
    ]
