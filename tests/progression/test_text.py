from decimal import Decimal

import pytest

from progression.engine import Dose, Rule
from progression.text import describe_rule, format_dose, format_load, format_step_height


def test_sets_reps_range_side_and_load_in_metric():
    dose = Dose(sets=2, reps_min=8, reps_max=10, load_kg=Decimal("2.5"))

    assert format_dose(dose, dosing="reps", side="each") == "2 × 8–10 reps each side · 2.5 kg"


def test_sets_reps_range_side_and_load_in_imperial():
    dose = Dose(sets=2, reps_min=8, reps_max=10, load_kg=Decimal("2.5"))

    text = format_dose(dose, dosing="reps", side="each", units="imperial")

    assert text == "2 × 8–10 reps each side · 5 lb"


@pytest.mark.parametrize(
    ("sets", "expected"),
    [(None, "8 reps"), (1, "8 reps"), (2, "2 × 8 reps"), (4, "4 × 8 reps")],
)
def test_sets_show_only_above_one(sets, expected):
    assert format_dose(Dose(sets=sets, reps_min=8, reps_max=8), dosing="reps", side="both") == (
        expected
    )


@pytest.mark.parametrize(
    ("reps_min", "reps_max", "expected"),
    [
        (10, 10, "10 reps"),
        (10, 20, "10–20 reps"),
        (10, None, "10 reps"),
        (None, 12, "12 reps"),
        (1, 1, "1 rep"),
    ],
)
def test_reps_show_a_single_number_or_an_en_dash_range(reps_min, reps_max, expected):
    dose = Dose(reps_min=reps_min, reps_max=reps_max)

    assert format_dose(dose, dosing="reps", side="both") == expected


@pytest.mark.parametrize(
    ("side", "expected"),
    [
        ("both", "10–20 reps"),
        ("each", "10–20 reps each side"),
        ("left", "10–20 reps left side"),
        ("right", "10–20 reps right side"),
        ("alternating", "10–20 reps alternating sides"),
    ],
)
def test_side_follows_the_lead_quantity(side, expected):
    assert format_dose(Dose(reps_min=10, reps_max=20), dosing="reps", side=side) == expected


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (60, 120, "1–2 min"),
        (120, 120, "2 min"),
        (45, 45, "45 s"),
        (90, None, "90 s"),
        (60, 90, "60–90 s"),
        (30, 60, "30–60 s"),
    ],
)
def test_duration_uses_minutes_only_when_both_ends_are_whole_minutes(low, high, expected):
    dose = Dose(duration_seconds_min=low, duration_seconds_max=high)

    assert format_dose(dose, dosing="duration", side="both") == expected


def test_duration_dosing_shows_sets_and_side_but_not_reps():
    dose = Dose(sets=2, reps_min=10, reps_max=10, duration_seconds_min=45, duration_seconds_max=45)

    assert format_dose(dose, dosing="duration", side="each") == "2 × 45 s each side"


def test_reps_dosing_adds_the_hold_after_the_reps():
    dose = Dose(reps_min=10, reps_max=10, hold_seconds_min=5, hold_seconds_max=5)

    assert format_dose(dose, dosing="reps", side="both") == "10 reps · hold 5 s"


@pytest.mark.parametrize(
    ("dose", "expected"),
    [
        (Dose(sets=3, hold_seconds_min=30, hold_seconds_max=30), "3 × hold 30 s each side"),
        (Dose(hold_seconds_min=20, hold_seconds_max=30), "hold 20–30 s each side"),
        (Dose(hold_seconds_min=60, hold_seconds_max=60), "hold 1 min each side"),
        (
            Dose(reps_min=5, reps_max=5, hold_seconds_min=10, hold_seconds_max=10),
            "hold 10 s each side · 5 reps",
        ),
    ],
)
def test_hold_dosing_leads_with_the_hold(dose, expected):
    assert format_dose(dose, dosing="hold", side="each") == expected


@pytest.mark.parametrize(
    ("units", "expected"),
    [("metric", "8 reps each side · 10 cm step"), ("imperial", "8 reps each side · 4 in step")],
)
def test_step_height_follows_the_load(units, expected):
    dose = Dose(reps_min=8, reps_max=8, step_height_cm=10)

    assert format_dose(dose, dosing="reps", side="each", units=units) == expected


def test_load_and_step_together_in_imperial():
    dose = Dose(reps_min=12, reps_max=12, load_kg=Decimal("10"), step_height_cm=20)

    text = format_dose(dose, dosing="reps", side="alternating", units="imperial")

    assert text == "12 reps alternating sides · 22.5 lb · 8 in step"


@pytest.mark.parametrize("load_kg", [None, Decimal("0")])
def test_bodyweight_shows_no_load(load_kg):
    dose = Dose(sets=2, reps_min=8, reps_max=8, load_kg=load_kg)

    assert format_dose(dose, dosing="reps", side="both") == "2 × 8 reps"


@pytest.mark.parametrize(
    ("rounds", "expected"),
    [
        (None, "10 reps"),
        ((None, None), "10 reps"),
        ((1, 1), "10 reps · 1 round"),
        ((3, None), "10 reps · 3 rounds"),
        ((2, 3), "10 reps · 2–3 rounds"),
    ],
)
def test_rounds_come_last(rounds, expected):
    dose = Dose(reps_min=10, reps_max=10)

    assert format_dose(dose, dosing="reps", side="both", rounds=rounds) == expected


@pytest.mark.parametrize(
    ("load_kg", "units", "expected"),
    [
        (Decimal("2.5"), "metric", "2.5 kg"),
        (Decimal("5.0"), "metric", "5 kg"),
        (Decimal("1.25"), "metric", "1.25 kg"),
        (Decimal("20"), "metric", "20 kg"),
        (Decimal("2.5"), "imperial", "5 lb"),
        (Decimal("3"), "imperial", "7.5 lb"),
        (Decimal("0.5"), "imperial", "2.5 lb"),  # the lightest weight there is
        (Decimal("10"), "imperial", "22.5 lb"),
        (None, "metric", ""),
        (Decimal("0"), "imperial", ""),
    ],
)
def test_format_load_drops_trailing_zero_and_rounds_pounds_to_what_a_client_can_lift(
    load_kg, units, expected
):
    assert format_load(load_kg, units) == expected


@pytest.mark.parametrize(
    ("cm", "units", "expected"),
    [
        (20, "metric", "20 cm"),
        (15, "imperial", "6 in"),
        (9, "imperial", "4 in"),
        (1, "imperial", "1 in"),
        (20, "imperial", "8 in"),
        (None, "metric", ""),
        (0, "imperial", ""),
    ],
)
def test_format_step_height_rounds_inches_to_whole(cm, units, expected):
    assert format_step_height(cm, units) == expected


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"dosing": "sets"}, "unknown dosing 'sets'"),
        ({"side": "top"}, "unknown side 'top'"),
        ({"units": "stone"}, "unknown units 'stone'"),
    ],
)
def test_unknown_choice_raises_value_error(options, message):
    with pytest.raises(ValueError, match=message):
        format_dose(Dose(reps_min=10), **{"dosing": "reps", "side": "both", **options})


def test_helpers_reject_unknown_units():
    with pytest.raises(ValueError, match="unknown units 'cubits'"):
        format_load(Decimal("1"), "cubits")
    with pytest.raises(ValueError, match="unknown units 'cubits'"):
        format_step_height(10, "cubits")


READY = (
    "Ready means last week's dose done with pain at most 3/10; a week with pain above 5/10, or"
    " symptoms spreading further down your leg, steps it back."
)


@pytest.mark.parametrize(
    ("rule", "base", "units", "expected"),
    [
        (
            Rule("load_kg", Decimal("2.5"), "double", 2, 2, Decimal("5"), "gated"),
            Dose(reps_min=8, reps_max=10),
            "metric",
            "Every 2 weeks from week 2, once you are ready: one more rep up to 10, then 2.5 kg"
            f" more with the reps back to 8 (at most 5 kg). {READY}",
        ),
        (
            Rule("step_height_cm", Decimal("5"), every_weeks=2, start_week=3, cap=Decimal(30)),
            Dose(step_height_cm=15),
            "imperial",
            "Every 2 weeks from week 3: a step 2 in higher (at most 12 in).",
        ),
        (Rule("reps", Decimal(1)), Dose(), "metric", "Every week from week 2: 1 more rep."),
        (Rule("sets", Decimal(2)), Dose(), "metric", "Every week from week 2: 2 more sets."),
        (
            Rule("reps", Decimal(10), mode="percent", cap=Decimal(15)),
            Dose(),
            "metric",
            "Every week from week 2: 10% more reps (at most 15 reps).",
        ),
        (
            Rule("hold_seconds", Decimal(5), start_week=4),
            Dose(),
            "metric",
            "Every week from week 4: hold 5 s longer.",
        ),
        (
            Rule("load_kg", Decimal(1), cap=Decimal(4)),
            Dose(),
            "imperial",
            "Every week from week 2: 2.5 lb more weight (at most 10 lb).",
        ),
    ],
)
def test_a_rule_is_described_from_its_own_values(rule, base, units, expected):
    assert describe_rule(rule, base, units) == expected


def test_a_rules_own_upper_pain_threshold_is_named():
    rule = Rule("reps", Decimal(1), trigger="gated", pain_threshold=2, regress_above=6)
    text = describe_rule(rule, Dose())
    assert "pain at most 2/10" in text and "pain above 6/10" in text
