from decimal import Decimal

from progression.engine import Dose
from progression.session_time import Exercise, Part, session_minutes


def test_reps_take_four_seconds_each_with_rest_between_sets_and_time_to_set_up():
    squat = Exercise(Dose(sets=3, reps_min=10, reps_max=10), "reps", "both", rest_seconds=60)
    # 30 s set-up + 3 sets × 40 s + 2 rests × 60 s = 270 s
    assert session_minutes([Part([squat])]) == (4, 4)


def test_each_side_doubles_and_ranges_give_a_range():
    glide = Exercise(Dose(sets=1, reps_min=5, reps_max=20), "reps", "each")
    # 30 + 2 × 20 s = 70 s at least; 30 + 2 × 80 s = 190 s at most
    assert session_minutes([Part([glide])]) == (1, 3)


def test_holds_and_durations_count_their_seconds():
    stretch = Exercise(Dose(sets=1, reps_min=3, hold_seconds_min=30), "hold", "each")
    release = Exercise(
        Dose(sets=1, duration_seconds_min=60, duration_seconds_max=120), "duration", "both"
    )
    # stretch: 30 + 2 × 90 = 210 s; release: 30 + 60..120 s
    assert session_minutes([Part([stretch, release])]) == (5, 6)


def test_a_circuit_repeats_its_exercises_for_its_rounds_with_rest_between():
    lunge = Exercise(Dose(sets=1, reps_min=8, reps_max=10, load_kg=Decimal("2.5")), "reps", "each")
    circuit = Part([lunge], rounds=(3, 5), rest_between_rounds=60)
    # one round: 30 + 2 × 32..40 s = 94..110 s; 3 × 94 + 2 × 60 = 402 s; 5 × 110 + 4 × 60 = 790 s
    assert session_minutes([circuit]) == (7, 13)
