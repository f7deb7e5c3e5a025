import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from exercises.models import Category, Condition, Exercise, RedFlag
from exercises.seeding import FIXTURES_DIR
from programs.seeding import seed_library
from tests.factories import CustomExerciseFactory

pytestmark = pytest.mark.django_db
SEED_DOSES = {
    # slug: (laterality, sets, reps_min, reps_max, duration_seconds_min, duration_seconds_max)
    "seated-ball-release": ("each_side", 1, None, None, 60, 120),
    "supine-ball-release": ("each_side", 1, None, None, 120, 180),
    "sciatic-nerve-glide": ("each_side", 1, 10, 10, None, None),
    "fibular-nerve-glide": ("each_side", 1, 10, 10, None, None),
    "pelvic-mobility-movements": ("bilateral", 1, 5, 10, None, None),
    "foot-supination-pelvis-over-femur": ("each_side", 2, 8, 8, None, None),
    "foam-roller-hip-rotations": ("each_side", None, 10, 20, None, None),
    "front-foot-elevated-lunge": ("each_side", None, 8, 10, None, None),
    "step-up-to-knee-drive": ("each_side", None, 5, 8, None, None),
}
SEED_TOOLS = [
    "soft-tissue-release",
    "nerve-glide",
    "stretch",
    "pelvic-mobility",
    "foot",
    "strength",
]


@pytest.fixture
def seeded(db):
    return seed_library()


def dose_of(exercise):
    return (
        exercise.laterality,
        exercise.sets,
        exercise.reps_min,
        exercise.reps_max,
        exercise.duration_seconds_min,
        exercise.duration_seconds_max,
    )


class TestFaithfulToTheSeed:
    def test_each_seed_exercise_has_the_seeds_dose_and_laterality(self, seeded):
        for slug, dose in SEED_DOSES.items():
            assert dose_of(Exercise.objects.get(slug=slug)) == dose, slug

    def test_the_two_hip_stretches_are_present_and_marked_as_not_from_the_source(self, seeded):
        for slug in ["posterior-hip-stretch", "hip-90-90-rotation-stretch"]:
            stretch = Exercise.objects.get(slug=slug)
            assert stretch.category.slug == "stretch"
            assert stretch.steps and "not taken from the source" in stretch.source_note

    def test_pelvic_mobility_movements_are_marked_as_our_choice(self, seeded):
        assert (
            "not taken from the source"
            in Exercise.objects.get(slug="pelvic-mobility-movements").source_note
        )

    def test_categories_are_the_seeds_six_tools_in_order(self, seeded):
        assert list(Category.objects.values_list("slug", flat=True)) == SEED_TOOLS

    def test_nerve_glides_say_what_the_foot_does_at_the_top_and_to_move_slowly(self, seeded):
        sciatic = Exercise.objects.get(slug="sciatic-nerve-glide")
        fibular = Exercise.objects.get(slug="fibular-nerve-glide")
        assert any("dorsiflex" in step.lower() for step in sciatic.steps)
        assert any("invert" in step.lower() for step in fibular.steps)
        for glide in (sciatic, fibular):
            assert any("slowly" in cue.lower() for cue in glide.cues)
            assert "step_height_cm" not in glide.progressable
            assert "load_kg" not in glide.progressable

    def test_every_exercise_asks_for_both_sides_breathing_and_attribution(self, seeded):
        exercises = Exercise.objects.select_related("source")
        assert exercises.count() == 11
        for exercise in exercises:
            cues = " ".join(exercise.cues).lower()
            assert "differences" in cues and "breathe" in cues, exercise.slug
            assert exercise.source.title == "Sciatic Nerve Pain 101: Why It Hurts and How to Help"
            assert str(exercise.source.published) == "2025-07-25"

    def test_strength_exercises_progress_load_and_step_height(self, seeded):
        lunge = Exercise.objects.get(slug="front-foot-elevated-lunge")
        step_up = Exercise.objects.get(slug="step-up-to-knee-drive")
        assert lunge.load_kg is None and "load_kg" in lunge.progressable
        assert step_up.step_height_cm and "step_height_cm" in step_up.progressable

    def test_sciatica_has_eight_red_flags_with_emergencies_marked(self, seeded):
        sciatica = Condition.objects.get(slug="sciatica")
        flags = list(sciatica.red_flags.all())
        assert len(flags) == 8
        assert flags[0].slug == "bowel-bladder-control" and flags[0].is_emergency
        assert not RedFlag.objects.get(slug="history-of-cancer").is_emergency
        kinds = {flag.slug: flag.kind for flag in flags}
        assert [kinds[slug] for slug in ("history-of-cancer", "trauma-fracture-risk")] == [
            "history",
            "history",
        ]
        assert kinds["fever-infection"] == kinds["persistent-pain-unrelieved-by-rest"] == "stop"
        assert list(kinds.values()).count("emergency") == 4
        assert all(flag.kind_note.startswith("Clinical addition") for flag in flags)
        assert "physical therapist" in sciatica.education.lower()
        assert sciatica.source.title.startswith("Sciatic Nerve Pain 101")


class TestIdempotentSeeding:
    def test_second_run_changes_nothing(self, seeded):
        before = {exercise.pk: exercise.updated_at for exercise in Exercise.objects.all()}
        tally = seed_library()
        assert not [key for key in tally if "created" in key or "updated" in key], tally
        after = {exercise.pk: exercise.updated_at for exercise in Exercise.objects.all()}
        assert after == before

    def test_changed_fixture_updates_in_place(self, seeded, tmp_path):
        data = json.loads((FIXTURES_DIR / "sciatic_nerve_pain_101.json").read_text())
        glide = next(entry for entry in data["exercises"] if entry["slug"] == "sciatic-nerve-glide")
        glide["default_dose"]["reps_max"] = 12
        glide["default_dose"]["load_kg"] = None
        glide["equipment"] = ["mat"]
        changed = tmp_path / "library.json"
        changed.write_text(json.dumps(data))
        pk = Exercise.objects.get(slug="sciatic-nerve-glide").pk

        seed_library([changed])

        updated = Exercise.objects.get(slug="sciatic-nerve-glide")
        assert updated.pk == pk and updated.reps_max == 12
        assert list(updated.equipment.values_list("slug", flat=True)) == ["mat"]
        assert Exercise.objects.count() == 11

    def test_custom_exercises_survive_and_are_not_matched(self, seeded):
        custom = CustomExerciseFactory(name="My glide", slug="sciatic-nerve-glide", reps_max=3)
        seed_library()
        custom.refresh_from_db()
        assert (custom.name, custom.reps_max) == ("My glide", 3)
        assert Exercise.objects.shared().get(slug="sciatic-nerve-glide").reps_max == 10

    def test_archived_shared_exercise_is_restored_by_the_fixtures(self, seeded):
        Exercise.objects.filter(slug="sciatic-nerve-glide").update(is_archived=True)
        seed_library()
        assert not Exercise.objects.get(slug="sciatic-nerve-glide").is_archived

    def test_command_reports_what_it_did(self, db, capsys):
        call_command("seed_library")
        assert "exercises created: 11" in capsys.readouterr().out
        call_command("seed_library")
        assert "created" not in capsys.readouterr().out


def test_load_is_kept_as_an_exact_decimal(seeded):
    lunge = Exercise.objects.get(slug="front-foot-elevated-lunge")
    lunge.load_kg = Decimal("2.5")
    lunge.save()
    assert Exercise.objects.get(pk=lunge.pk).load_kg == Decimal("2.5")


def test_steps_carry_no_numbers_a_dose_can_contradict():
    """The dose line is the only place for counts and times; a position's angle may stay."""
    import json
    import re

    from exercises.seeding import FIXTURES_DIR

    for path in FIXTURES_DIR.glob("*.json"):
        for exercise in json.loads(path.read_text())["exercises"]:
            for step in exercise["steps"]:
                assert not re.search(r"\d", re.sub(r"\d+ degrees", "", step)), (
                    exercise["slug"],
                    step,
                )
