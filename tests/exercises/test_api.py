import pytest

from exercises.models import Exercise
from tests.factories import (
    BodyRegionFactory,
    CategoryFactory,
    ConditionFactory,
    CustomExerciseFactory,
    EquipmentFactory,
    ExerciseFactory,
    ItemFactory,
    TissueFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/exercises/"


def detail(exercise):
    return f"{URL}{exercise.pk}/"


def names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


@pytest.fixture
def new_exercise_payload():
    category = CategoryFactory(slug="strength")
    return {
        "name": "Split squat",
        "summary": "Lunge in place.",
        "steps": ["Stand in a split stance.", "Lower the back knee.", "Stand up."],
        "cues": ["Move slowly"],
        "category": category.slug,
        "laterality": "each_side",
        "dosing": "reps",
        "default_dose": {"sets": 2, "reps_min": 8, "reps_max": 10, "load_kg": "5.5"},
        "progressable": ["reps", "load_kg"],
    }


class TestSearchFiltersOrdering:
    def test_search_matches_name_summary_steps_and_target_tissues(self, as_therapist):
        piriformis = TissueFactory(slug="piriformis", name="Piriformis")
        ExerciseFactory(name="Glide A", summary="Floss the sciatic nerve.")
        ExerciseFactory(name="Stretch B", steps=["Hug the knee to the opposite shoulder."])
        ExerciseFactory(name="Release C", target_tissues=[piriformis])
        ExerciseFactory(name="Sciatic D")
        ExerciseFactory(name="Unrelated E")

        assert names(as_therapist.get(URL, {"search": "sciatic"})) == ["Glide A", "Sciatic D"]
        assert names(as_therapist.get(URL, {"search": "opposite shoulder"})) == ["Stretch B"]
        assert names(as_therapist.get(URL, {"search": "piriformis"})) == ["Release C"]

    def test_an_exercise_matching_through_several_tissues_is_listed_once(self, as_therapist):
        tissues = [
            TissueFactory(name="Hamstring (medial)"),
            TissueFactory(name="Hamstring (lateral)"),
        ]
        ExerciseFactory(name="Hamstring glide", target_tissues=tissues)

        response = as_therapist.get(URL, {"search": "hamstring"})

        assert names(response) == ["Hamstring glide"]
        assert response.json()["count"] == 1

    def test_every_term_must_match_a_field(self, as_therapist):
        nerve = TissueFactory(name="Sciatic nerve")
        ExerciseFactory(name="Glide A", target_tissues=[nerve])
        ExerciseFactory(name="Glide B")
        ExerciseFactory(name="Bridge", target_tissues=[nerve])

        assert names(as_therapist.get(URL, {"search": "glide sciatic"})) == ["Glide A"]

    def test_search_keeps_to_the_callers_library(self, as_therapist, other_therapist):
        CustomExerciseFactory(name="Their glide", owner=other_therapist)
        ExerciseFactory(name="Shared glide")

        assert names(as_therapist.get(URL, {"search": "glide"})) == ["Shared glide"]

    @pytest.mark.parametrize(
        "parameter, factory, relation",
        [
            ("equipment", EquipmentFactory, "equipment"),
            ("body_region", BodyRegionFactory, "body_regions"),
            ("condition", ConditionFactory, "conditions"),
        ],
    )
    def test_filters_by_related_slug(self, as_therapist, parameter, factory, relation):
        wanted, other = factory(), factory()
        ExerciseFactory(name="Wanted", **{relation: [wanted]})
        ExerciseFactory(name="Other", **{relation: [other]})
        ExerciseFactory(name="Neither")

        assert names(as_therapist.get(URL, {parameter: wanted.slug})) == ["Wanted"]

    def test_filters_by_category_and_laterality(self, as_therapist):
        glides = CategoryFactory(slug="nerve-glide")
        ExerciseFactory(name="Glide", category=glides, laterality="each_side")
        ExerciseFactory(name="Both glide", category=glides, laterality="bilateral")
        ExerciseFactory(name="Other", laterality="each_side")

        assert names(as_therapist.get(URL, {"category": "nerve-glide"})) == ["Both glide", "Glide"]
        assert names(
            as_therapist.get(URL, {"category": "nerve-glide", "laterality": "each_side"})
        ) == ["Glide"]

    def test_unknown_filter_value_is_a_400_naming_the_filter(self, as_therapist):
        response = as_therapist.get(URL, {"category": "no-such-category"})
        assert response.status_code == 400
        assert "category" in response.json()

    def test_mine_lists_own_custom_exercises_and_false_lists_shared(self, as_therapist, therapist):
        ExerciseFactory(name="Shared")
        CustomExerciseFactory(name="Mine", owner=therapist)
        CustomExerciseFactory(name="Someone else's")

        assert names(as_therapist.get(URL, {"mine": "true"})) == ["Mine"]
        assert names(as_therapist.get(URL, {"mine": "false"})) == ["Shared"]
        assert names(as_therapist.get(URL)) == ["Mine", "Shared"]

    def test_archived_are_gone_from_the_api(self, as_therapist):
        ExerciseFactory(name="Active")
        archived = ExerciseFactory(name="Old", is_archived=True)

        assert names(as_therapist.get(URL)) == ["Active"]
        assert names(as_therapist.get(URL, {"search": "Old"})) == []
        assert as_therapist.get(detail(archived)).status_code == 404

    def test_ordering_by_name_both_ways(self, as_therapist):
        for name in ["Beta", "Alpha", "Gamma"]:
            ExerciseFactory(name=name)

        assert names(as_therapist.get(URL, {"ordering": "name"})) == ["Alpha", "Beta", "Gamma"]
        assert names(as_therapist.get(URL, {"ordering": "-name"})) == ["Gamma", "Beta", "Alpha"]

    @pytest.mark.parametrize("ordering", ["nam", "name,,", "-", "name,password", ",name"])
    def test_an_unknown_ordering_is_a_400_naming_it(self, as_therapist, ordering):
        response = as_therapist.get(URL, {"ordering": ordering})
        assert response.status_code == 400
        assert "Unknown ordering" in response.json()["ordering"][0]

    def test_pagination_follows_the_contract(self, as_therapist):
        ExerciseFactory.create_batch(25)

        first = as_therapist.get(URL).json()
        assert (first["count"], len(first["results"]), first["previous"]) == (25, 20, None)
        assert "page=2" in first["next"]
        second = as_therapist.get(URL, {"page": 2}).json()
        assert len(second["results"]) == 5 and second["next"] is None
        assert len(as_therapist.get(URL, {"page_size": 7}).json()["results"]) == 7
        assert len(as_therapist.get(URL, {"page_size": 1000}).json()["results"]) == 25
        ExerciseFactory.create_batch(100)
        assert len(as_therapist.get(URL, {"page_size": 1000}).json()["results"]) == 100


class TestDetail:
    def test_detail_shows_dose_ranges_and_relations(self, as_client):
        exercise = ExerciseFactory(
            duration_seconds_min=60, duration_seconds_max=120, equipment=[EquipmentFactory()]
        )
        body = as_client.get(detail(exercise)).json()
        assert body["default_dose"]["duration_seconds_min"] == 60
        assert body["default_dose"]["duration_seconds_max"] == 120
        assert body["default_dose"]["reps_min"] == 8 and body["default_dose"]["reps_max"] == 10
        assert body["equipment"] == [exercise.equipment.get().slug]
        assert body["is_shared"] is True and body["owner"] is None


class TestPermissions:
    def test_anonymous_gets_401(self, api):
        exercise = ExerciseFactory()
        assert api.get(URL).status_code == 401
        assert api.get(detail(exercise)).status_code == 401
        assert api.post(URL, {}).status_code == 401
        assert api.get("/api/v1/conditions/").status_code == 401

    def test_client_user_reads_but_cannot_write(self, as_client, new_exercise_payload):
        exercise = ExerciseFactory()
        assert as_client.get(URL).status_code == 200
        assert as_client.get(detail(exercise)).status_code == 200
        assert as_client.post(URL, new_exercise_payload).status_code == 403
        assert as_client.patch(detail(exercise), {"name": "X"}).status_code == 403
        assert as_client.delete(detail(exercise)).status_code == 403
        exercise.refresh_from_db()
        assert exercise.name != "X" and not exercise.is_archived

    def test_client_user_does_not_see_therapists_custom_exercises(self, as_client):
        custom = CustomExerciseFactory()
        assert as_client.get(detail(custom)).status_code == 404

    def test_therapist_creates_own_exercise(self, as_therapist, therapist, new_exercise_payload):
        response = as_therapist.post(URL, new_exercise_payload)
        assert response.status_code == 201, response.content
        exercise = Exercise.objects.get(pk=response.json()["id"])
        assert exercise.owner == therapist
        assert exercise.steps == new_exercise_payload["steps"]
        assert (exercise.sets, exercise.reps_min, exercise.reps_max) == (2, 8, 10)
        assert str(exercise.load_kg) == "5.50"

    def test_owner_edits_own_exercise(self, as_therapist, therapist):
        exercise = CustomExerciseFactory(owner=therapist)
        response = as_therapist.patch(detail(exercise), {"default_dose": {"reps_max": 12}})
        assert response.status_code == 200, response.content
        exercise.refresh_from_db()
        assert (exercise.reps_min, exercise.reps_max) == (8, 12)

    def test_other_therapist_gets_404_for_private_exercise(self, as_other_therapist):
        exercise = CustomExerciseFactory()
        assert as_other_therapist.get(detail(exercise)).status_code == 404
        assert as_other_therapist.patch(detail(exercise), {"name": "X"}).status_code == 404
        assert as_other_therapist.delete(detail(exercise)).status_code == 404
        exercise.refresh_from_db()
        assert exercise.name != "X" and not exercise.is_archived

    def test_therapist_cannot_change_shared_library(self, as_therapist):
        exercise = ExerciseFactory(name="Shared")
        assert as_therapist.patch(detail(exercise), {"name": "Mine now"}).status_code == 403
        assert as_therapist.delete(detail(exercise)).status_code == 403
        exercise.refresh_from_db()
        assert exercise.name == "Shared" and not exercise.is_archived

    def test_superuser_edits_shared_library(self, as_superuser):
        exercise = ExerciseFactory(name="Shared")
        assert as_superuser.patch(detail(exercise), {"name": "Renamed"}).status_code == 200
        exercise.refresh_from_db()
        assert exercise.name == "Renamed"

    def test_delete_archives_instead_of_deleting(self, as_therapist, therapist):
        exercise = CustomExerciseFactory(owner=therapist)
        assert as_therapist.delete(detail(exercise)).status_code == 204
        exercise.refresh_from_db()
        assert exercise.is_archived
        assert names(as_therapist.get(URL)) == []
        for method in ("get", "patch", "delete"):
            assert getattr(as_therapist, method)(detail(exercise)).status_code == 404

    def test_programs_go_on_showing_an_archived_exercise(self, as_therapist, therapist):
        exercise = CustomExerciseFactory(owner=therapist, name="My glide")
        item = ItemFactory(exercise=exercise, block__program__owner=therapist)
        program_url = f"/api/v1/programs/{item.block.program_id}/"
        as_therapist.get(program_url)  # cached before the archive

        as_therapist.delete(detail(exercise))
        [shown] = as_therapist.get(program_url).json()["blocks"][0]["items"]
        assert shown["exercise"] == exercise.pk
        assert shown["exercise_detail"]["name"] == "My glide"


class TestBadInput:
    @pytest.mark.parametrize(
        "change, field",
        [
            ({"name": None}, "name"),
            ({"category": "no-such-category"}, "category"),
            ({"laterality": "sideways"}, "laterality"),
            ({"progressable": ["wingspan"]}, "progressable"),
            ({"steps": "not a list"}, "steps"),
            ({"equipment": ["no-such-equipment"]}, "equipment"),
        ],
    )
    def test_bad_field_is_a_400_naming_it(self, as_therapist, new_exercise_payload, change, field):
        payload = {key: value for key, value in {**new_exercise_payload, **change}.items()}
        if change.get("name", "") is None:
            del payload["name"]
        response = as_therapist.post(URL, payload)
        assert response.status_code == 400
        assert field in response.json()
        assert not Exercise.objects.exists()

    @pytest.mark.parametrize(
        "dose, field",
        [
            ({"reps_min": 10, "reps_max": 8}, "reps_max"),
            ({"duration_seconds_min": 120, "duration_seconds_max": 60}, "duration_seconds_max"),
            ({"reps_min": -1}, "reps_min"),
            ({"load_kg": "-2.5"}, "load_kg"),
            ({"sets": "many"}, "sets"),
            ({"step_height_cm": 1000}, "step_height_cm"),
        ],
    )
    def test_bad_dose_is_a_400_naming_the_field(
        self, as_therapist, new_exercise_payload, dose, field
    ):
        response = as_therapist.post(URL, {**new_exercise_payload, "default_dose": dose})
        assert response.status_code == 400
        assert field in response.json()["default_dose"]
        assert not Exercise.objects.exists()

    def test_patch_of_one_range_end_is_checked_against_the_stored_other(
        self, as_therapist, therapist
    ):
        exercise = CustomExerciseFactory(owner=therapist, reps_min=8, reps_max=10)
        response = as_therapist.patch(detail(exercise), {"default_dose": {"reps_min": 12}})
        assert response.status_code == 400
        assert "reps_max" in response.json()["default_dose"]
        exercise.refresh_from_db()
        assert exercise.reps_min == 8


class TestQueryCounts:
    @pytest.mark.parametrize("count", [10, 100])
    def test_list_query_count_does_not_grow(self, as_therapist, django_assert_num_queries, count):
        equipment, region, tissue = EquipmentFactory(), BodyRegionFactory(), TissueFactory()
        condition = ConditionFactory()
        ExerciseFactory.create_batch(
            count,
            equipment=[equipment],
            body_regions=[region],
            target_tissues=[tissue],
            conditions=[condition],
        )
        # count, page (with the library's state), then with the cache empty: the page's
        # exercises (category, source, owner joined) and one prefetch per relation
        with django_assert_num_queries(7):
            response = as_therapist.get(URL, {"page_size": 100})
        assert response.status_code == 200

    def test_detail_query_count(self, as_therapist, django_assert_num_queries):
        exercise = ExerciseFactory(equipment=[EquipmentFactory(), EquipmentFactory()])
        with django_assert_num_queries(5):
            assert as_therapist.get(detail(exercise)).status_code == 200
