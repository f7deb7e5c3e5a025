import pytest
from django.urls import reverse

from exercises.models import Exercise
from tests.factories import CategoryFactory, CustomExerciseFactory, ExerciseFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:exercises_exercise_changelist")


def change_url(exercise):
    return reverse("admin:exercises_exercise_change", args=[exercise.pk])


def listed(response):
    assert response.status_code == 200
    return sorted(exercise.name for exercise in response.context["cl"].result_list)


def test_therapist_sees_shared_and_own_but_not_others_or_archived(admin_as_therapist, therapist):
    ExerciseFactory(name="Shared")
    CustomExerciseFactory(name="Mine", owner=therapist)
    CustomExerciseFactory(name="Theirs")
    ExerciseFactory(name="Archived", is_archived=True)

    assert listed(admin_as_therapist.get(CHANGELIST)) == ["Mine", "Shared"]
    assert listed(admin_as_therapist.get(CHANGELIST, {"archived": "yes"})) == ["Archived"]
    assert listed(admin_as_therapist.get(CHANGELIST, {"owner": "mine"})) == ["Mine"]


def test_changelist_search_and_category_filter(admin_as_therapist):
    strength = CategoryFactory(slug="strength")
    ExerciseFactory(name="Lunge", category=strength, steps=["Step forward onto the box."])
    ExerciseFactory(name="Glide")

    assert listed(admin_as_therapist.get(CHANGELIST, {"q": "box"})) == ["Lunge"]
    assert listed(admin_as_therapist.get(CHANGELIST, {"category__id__exact": strength.pk})) == [
        "Lunge"
    ]


def test_shared_exercise_opens_read_only(admin_as_therapist):
    shared = ExerciseFactory(name="Shared")
    page = admin_as_therapist.get(change_url(shared))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    response = admin_as_therapist.post(change_url(shared), {"name": "Changed"})
    assert response.status_code == 403
    shared.refresh_from_db()
    assert shared.name == "Shared"


def test_other_therapists_exercise_is_not_reachable(admin_as_therapist):
    theirs = CustomExerciseFactory()
    response = admin_as_therapist.get(change_url(theirs))
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert theirs.name not in admin_as_therapist.get(response.url).content.decode()


def test_therapist_creates_own_exercise_with_steps_one_per_line(admin_as_therapist, therapist):
    category = CategoryFactory(slug="strength")
    response = admin_as_therapist.post(
        reverse("admin:exercises_exercise_add"),
        {
            "name": "Split squat",
            "category": category.pk,
            "laterality": "each_side",
            "dosing": "reps",
            "steps": "Stand in a split stance.\n\n  Lower the back knee.  \nStand up.",
            "cues": "Move slowly",
            "precautions": "",
            "progressable": ["reps", "load_kg"],
            "reps_min": "8",
            "reps_max": "10",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    exercise = Exercise.objects.get(name="Split squat")
    assert exercise.owner == therapist
    assert exercise.steps == ["Stand in a split stance.", "Lower the back knee.", "Stand up."]
    assert exercise.progressable == ["reps", "load_kg"]


def test_admin_rejects_reversed_range(admin_as_therapist, therapist):
    exercise = CustomExerciseFactory(owner=therapist)
    response = admin_as_therapist.post(
        change_url(exercise),
        {
            "name": exercise.name,
            "category": exercise.category_id,
            "laterality": "each_side",
            "dosing": "reps",
            "reps_min": "10",
            "reps_max": "8",
        },
    )
    assert response.status_code == 200
    assert "reps_max" in response.context["adminform"].form.errors


def test_archive_action_changes_only_own_exercises(admin_as_therapist, therapist):
    mine = CustomExerciseFactory(owner=therapist)
    shared = ExerciseFactory()
    admin_as_therapist.post(
        CHANGELIST, {"action": "archive", "_selected_action": [mine.pk, shared.pk]}
    )
    mine.refresh_from_db()
    shared.refresh_from_db()
    assert mine.is_archived and not shared.is_archived


def test_client_user_cannot_open_the_admin(client, client_user):
    client.force_login(client_user)
    assert client.get(CHANGELIST).status_code == 302
