import json
import re
from decimal import Decimal

import pytest

from exercises.seeding import FIXTURES_DIR
from programs import dosing, selectors, services
from programs.models import Block, Item, Program, ProgressionRule
from programs.seeding import seed_library
from tests.factories import SuperuserFactory, TherapistFactory

pytestmark = pytest.mark.django_db
FIXTURE = FIXTURES_DIR / "sciatic_nerve_pain_101.json"
SLUG = "sciatic-nerve-pain-six-movement-tools"
TITLE = "Sciatic nerve pain: six movement tools"
BLOCK_TITLES = [
    "1. Ball release for the pelvic floor and posterior hip",
    "2. Nerve glides",
    "3. Posterior hip and hip rotator stretches",
    "4. Pelvic mobility",
    "5. Foot supination",
    "6. Strength circuit",
]
# exercise slug, side, sets, reps_min, reps_max, duration_seconds_min, duration_seconds_max,
# load_kg, step_height_cm: the seed's doses
SEED_ITEMS = [
    [
        ("seated-ball-release", "each", 1, None, None, 60, 120, None, None),
        ("supine-ball-release", "each", 1, None, None, 120, 180, None, None),
    ],
    [
        ("sciatic-nerve-glide", "each", 1, 10, 10, None, None, None, None),
        ("fibular-nerve-glide", "each", 1, 10, 10, None, None, None, None),
    ],
    [
        ("posterior-hip-stretch", "each", 1, 2, 3, None, None, None, None),
        ("hip-90-90-rotation-stretch", "each", 1, 2, 3, None, None, None, None),
    ],
    [("pelvic-mobility-movements", "both", 1, 5, 10, None, None, None, None)],
    [("foot-supination-pelvis-over-femur", "each", 2, 8, 8, None, None, None, None)],
    [
        ("foam-roller-hip-rotations", "each", None, 10, 20, None, None, None, None),
        ("front-foot-elevated-lunge", "each", None, 8, 10, None, None, None, None),
        ("step-up-to-knee-drive", "each", None, 5, 8, None, None, None, 15),
    ],
]
# The planned path (ready every week) over 12 weeks: the lunge rises in even weeks (one rep, then
# load with the reps back to 8), the step-up in odd weeks; both reach their caps by week 8.
LUNGE_REPS = [(8, 10), (9, 9), (9, 9), (10, 10), (10, 10), (8, 8)] + [(8, 8), (9, 9), (9, 9)]
LUNGE_REPS += [(10, 10), (10, 10), (10, 10)]
LUNGE_LOADS = [None] * 5 + [2.5] * 7
STEP_HEIGHTS = [15, 15, 20, 20, 25, 25, 30, 30, 30, 30, 30, 30]


def template():
    return Program.objects.get(owner__isnull=True, slug=SLUG)


def snapshot(program):
    """Everything re-seeding might change: the program row and every row below it."""
    program = Program.objects.get(pk=program.pk)
    blocks = list(Block.objects.filter(program=program).values().order_by("id"))
    items = list(Item.objects.filter(block__program=program).values().order_by("id"))
    rules = list(
        ProgressionRule.objects.filter(item__block__program=program).values().order_by("id")
    )
    return program.version, program.updated_at, program.notes, blocks, items, rules


def item_row(item):
    return (
        item.exercise.slug,
        item.side,
        item.sets,
        item.reps_min,
        item.reps_max,
        item.duration_seconds_min,
        item.duration_seconds_max,
        item.load_kg,
        item.step_height_cm,
    )


def schedule_of(program, exercise_slug, weeks=12):
    program = selectors.program_detail_qs(user=SuperuserFactory()).get(pk=program.pk)
    rows = selectors.program_schedule(program=program, weeks=weeks)
    [row] = [row for row in rows if row["exercise"] == exercise_name(exercise_slug)]
    return row["weeks"]


def exercise_name(slug):
    return Item.objects.filter(exercise__slug=slug).values_list("exercise__name", flat=True)[0]


def changed_fixture(tmp_path, change):
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    change(next(entry for entry in data["templates"] if entry["slug"] == SLUG), data)
    path = tmp_path / "sciatic_nerve_pain_101.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def circuit_rule(entry, exercise_slug):
    circuit = entry["blocks"][5]
    item = next(item for item in circuit["items"] if item["exercise"] == exercise_slug)
    return item["progressions"][0]


@pytest.fixture
def seeded(db):
    seed_library()
    return template()


class TestFaithfulToTheSeed:
    def test_a_shared_template_for_sciatica(self, seeded):
        assert seeded.title == TITLE
        assert seeded.is_template and seeded.is_shared
        assert seeded.condition.slug == "sciatica"
        assert (seeded.status, seeded.version) == ("draft", 1)
        assert Program.objects.filter(slug=SLUG).count() == 1

    def test_six_blocks_in_the_seeds_order_with_the_seeds_doses(self, seeded):
        blocks = list(seeded.blocks.order_by("position"))
        assert [block.title for block in blocks] == BLOCK_TITLES
        assert [
            [item_row(item) for item in block.items.order_by("position")] for block in blocks
        ] == SEED_ITEMS
        assert [block.kind for block in blocks] == ["sequence"] * 5 + ["circuit"]

    def test_the_blocks_match_the_fixture(self, seeded):
        entry = json.loads(FIXTURE.read_text(encoding="utf-8"))["templates"][0]
        blocks = list(seeded.blocks.order_by("position"))
        assert [block.title for block in blocks] == [block["title"] for block in entry["blocks"]]
        assert [block.notes for block in blocks] == [block["notes"] for block in entry["blocks"]]
        assert [
            [(item.exercise.slug, item.side) for item in block.items.order_by("position")]
            for block in blocks
        ] == [
            [(item["exercise"], item["side"]) for item in block["items"]]
            for block in entry["blocks"]
        ]

    def test_the_last_block_is_a_circuit_of_three_to_five_rounds(self, seeded):
        circuit = seeded.blocks.order_by("position").last()
        assert circuit.kind == "circuit"
        assert (circuit.rounds_min, circuit.rounds_max) == (3, 5)
        assert circuit.rest_between_rounds_seconds == 60
        roller, lunge, step_up = circuit.items.order_by("position")
        assert (roller.exercise.slug, roller.side, roller.reps_min, roller.reps_max) == (
            "foam-roller-hip-rotations",
            "each",
            10,
            20,
        )
        assert (lunge.exercise.slug, lunge.side, lunge.reps_min, lunge.reps_max) == (
            "front-foot-elevated-lunge",
            "each",
            8,
            10,
        )
        assert lunge.load_kg is None, "bodyweight to start"
        assert (step_up.exercise.slug, step_up.side, step_up.reps_min, step_up.reps_max) == (
            "step-up-to-knee-drive",
            "each",
            5,
            8,
        )
        assert not roller.progressions.exists()

    def test_the_strength_items_rise_when_ready_in_alternate_weeks_up_to_their_caps(self, seeded):
        lunge = schedule_of(seeded, "front-foot-elevated-lunge")
        step_up = schedule_of(seeded, "step-up-to-knee-drive")
        assert [(week["dose"].reps_min, week["dose"].reps_max) for week in lunge] == LUNGE_REPS
        assert [week["dose"].load_kg for week in lunge] == [
            None if load is None else Decimal(str(load)) for load in LUNGE_LOADS
        ]
        assert [week["dose"].step_height_cm for week in step_up] == STEP_HEIGHTS
        when_ready = "every 2 weeks from week 2, when ready"
        assert lunge[1]["reasons"] == {"reps": f"+1 rep toward 10 ({when_ready})"}
        load_step = "reps at top of 8–10: +2.5 kg, reps back to 8"
        assert lunge[5]["reasons"] == {"load_kg": load_step, "reps": load_step}
        assert lunge[11]["reasons"]["load_kg"] == "capped at 2.5 kg, reps stay at 10"
        assert step_up[2]["reasons"] == {
            "step_height_cm": "+5 cm (every 2 weeks from week 3, when ready)"
        }
        assert step_up[8]["reasons"] == {"step_height_cm": "capped at 30 cm"}

    def test_the_two_never_rise_in_the_same_week(self, seeded):
        lunge = schedule_of(seeded, "front-foot-elevated-lunge")
        step_up = schedule_of(seeded, "step-up-to-knee-drive")
        for week in range(1, 12):
            lunge_rose = lunge[week]["dose"] != lunge[week - 1]["dose"]
            step_rose = step_up[week]["dose"] != step_up[week - 1]["dose"]
            assert not (lunge_rose and step_rose), f"both rise in week {week + 1}"

    def test_the_caps_are_reached_within_the_program(self, seeded):
        rules = ProgressionRule.objects.filter(item__block__program=seeded)
        assert {rule.trigger for rule in rules} == {ProgressionRule.Trigger.GATED}
        last = seeded.weeks - 1
        lunge_rule = rules.get(item__exercise__slug="front-foot-elevated-lunge")
        step_rule = rules.get(item__exercise__slug="step-up-to-knee-drive")
        lunge = schedule_of(seeded, "front-foot-elevated-lunge")
        step_up = schedule_of(seeded, "step-up-to-knee-drive")
        assert lunge[last]["dose"].load_kg == lunge_rule.cap
        assert step_up[last]["dose"].step_height_cm == step_rule.cap

    def test_without_logged_sessions_nothing_rises(self, seeded):
        """ "When ready" follows the client: a client who logs nothing keeps the base dose."""
        for slug in ["front-foot-elevated-lunge", "step-up-to-knee-drive"]:
            item = Item.objects.get(block__program=seeded, exercise__slug=slug)
            weeks = dosing.item_schedule(item, seeded.weeks)
            assert {week.dose for week in weeks} == {weeks[0].dose}, slug
            reasons = [reason for week in weeks for reason in week.reasons.values()]
            assert reasons and all(reason.startswith("held: nothing logged") for reason in reasons)

    def test_the_schedule_is_served_by_the_api(self, seeded, as_therapist):
        response = as_therapist.get(f"/api/v1/programs/{seeded.pk}/schedule/")
        assert response.status_code == 200
        rows = {row["exercise"]: row for row in response.json()}
        step_up = rows[exercise_name("step-up-to-knee-drive")]
        weeks = seeded.weeks
        assert [week["dose"]["step_height_cm"] for week in step_up["weeks"]] == STEP_HEIGHTS[:weeks]
        lunge = rows[exercise_name("front-foot-elevated-lunge")]
        assert [
            None if week["dose"]["load_kg"] is None else float(week["dose"]["load_kg"])
            for week in lunge["weeks"]
        ] == LUNGE_LOADS[:weeks]

    def test_the_rationale_names_the_clinical_choices_without_numbers_that_go_stale(self, seeded):
        """The values the seed does not give live in the data (and so in the schedule); the
        therapist's rationale names them, and neither it nor the client's notes repeat them."""
        lunge_rule = ProgressionRule.objects.get(
            item__block__program=seeded, item__exercise__slug="front-foot-elevated-lunge"
        )
        step_rule = ProgressionRule.objects.get(
            item__block__program=seeded, item__exercise__slug="step-up-to-knee-drive"
        )
        circuit = seeded.blocks.order_by("position").last()
        assert (seeded.sessions_per_week, seeded.weeks) == (3, 8)
        assert circuit.rest_between_rounds_seconds == 60
        assert (lunge_rule.mode, lunge_rule.amount, lunge_rule.cap) == (
            "double",
            Decimal("2.5"),
            Decimal("2.5"),
        )
        assert (lunge_rule.every_weeks, lunge_rule.start_week) == (2, 2)
        assert (step_rule.amount, step_rule.every_weeks, step_rule.start_week) == (5, 2, 3)
        assert step_rule.cap == 30
        rationale = seeded.rationale
        assert "clinical choices" in rationale and "Adjust them to the client" in rationale
        for choice in ["sessions per week", "rest between circuit rounds", "lunge's load"]:
            assert choice in rationale, choice
        assert "step-up's height" in rationale
        assert not re.search(r"\d", rationale) and not re.search(r"\d", seeded.notes)


class TestReseeding:
    def test_seeding_twice_changes_nothing(self, seeded):
        before = snapshot(seeded)
        tally = seed_library()
        assert "templates updated" not in tally and "templates created" not in tally
        assert snapshot(seeded) == before
        assert Program.objects.count() == 1

    def test_a_changed_template_is_updated_in_place(self, seeded, tmp_path):
        def change(entry, data):
            circuit_rule(entry, "front-foot-elevated-lunge")["cap"] = "5"
            entry["blocks"][1]["title"] = "2. Nerve glides, slowly"

        tally = seed_library([changed_fixture(tmp_path, change)])

        updated = template()
        assert tally["templates updated"] == 1
        assert (updated.pk, updated.version) == (seeded.pk, seeded.version + 1)
        assert Program.objects.count() == 1
        titles = list(updated.blocks.order_by("position").values_list("title", flat=True))
        assert titles[1] == "2. Nerve glides, slowly" and len(titles) == 6
        loads = [week["dose"].load_kg for week in schedule_of(updated, "front-foot-elevated-lunge")]
        assert loads[-1] == Decimal("5")

    def test_a_changed_template_field_is_updated_in_place(self, seeded, tmp_path):
        def change(entry, data):
            entry["weeks"] = 10

        seed_library([changed_fixture(tmp_path, change)])
        updated = template()
        assert (updated.pk, updated.version, updated.weeks) == (seeded.pk, 2, 10)

    def test_a_changed_exercise_default_dose_reaches_the_template(self, seeded, tmp_path):
        def change(entry, data):
            glide = next(row for row in data["exercises"] if row["slug"] == "sciatic-nerve-glide")
            glide["default_dose"]["reps_max"] = 12

        seed_library([changed_fixture(tmp_path, change)])
        updated = template()
        assert (updated.pk, updated.version) == (seeded.pk, 2)
        glide = Item.objects.get(block__program=updated, exercise__slug="sciatic-nerve-glide")
        assert (glide.reps_min, glide.reps_max) == (10, 12)

    def test_a_therapists_copy_is_untouched_by_reseeding(self, seeded, tmp_path):
        therapist = TherapistFactory()
        copy = services.program_copy(program=seeded, client=None, by=therapist)
        before = snapshot(copy)

        def change(entry, data):
            circuit_rule(entry, "step-up-to-knee-drive")["cap"] = "25"
            entry["notes"] = "Changed notes."

        seed_library()
        seed_library([changed_fixture(tmp_path, change)])

        assert template().version == 2 and template().notes == "Changed notes."
        assert snapshot(copy) == before
        copy.refresh_from_db()
        assert (copy.owner, copy.source_id, copy.slug) == (therapist, seeded.pk, "")
        heights = [
            week["dose"].step_height_cm for week in schedule_of(copy, "step-up-to-knee-drive")
        ]
        assert heights == STEP_HEIGHTS
