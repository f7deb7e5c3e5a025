"""The library in the admin: steps, cues and precautions edited as lists of lines, a shared
exercise copied into the therapist's own, the API's search rule in the search box, and pages
whose links and assets all resolve."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from exercises.models import Exercise
from exercises.services import exercise_copy
from programs.seeding import seed_library
from ptbuilder.domain_errors import Conflict
from tests.conftest import client_for
from tests.factories import (
    BodyRegionFactory,
    CategoryFactory,
    ConditionFactory,
    CustomExerciseFactory,
    EquipmentFactory,
    ExerciseFactory,
    TissueFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:exercises_exercise_changelist")
ADD = reverse("admin:exercises_exercise_add")


def change_url(exercise):
    return reverse("admin:exercises_exercise_change", args=[exercise.pk])


def copy_url(exercise):
    return reverse("admin:exercises_exercise_copy", args=[exercise.pk])


class Page(HTMLParser):
    """The parts of an admin page these tests read: the values of each named text input (not
    those inside a <template>, which only JavaScript uses), forms' actions, and the addresses of
    its scripts and linked files."""

    def __init__(self, html: str):
        super().__init__()
        self.inputs, self.form_actions, self.assets, self.icons = {}, [], [], []
        self.in_template = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "template":
            self.in_template += 1
        elif tag == "input" and attrs.get("type") == "text" and not self.in_template:
            self.inputs.setdefault(attrs.get("name"), []).append(attrs.get("value") or "")
        elif tag == "form":
            self.form_actions.append(attrs.get("action"))
        elif tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])
        elif tag == "link" and attrs.get("href"):
            self.assets.append(attrs["href"])
            if attrs.get("rel") == "icon":
                self.icons.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "template":
            self.in_template -= 1


def page_of(response) -> Page:
    assert response.status_code == 200
    return Page(response.content.decode())


def form_data(exercise, **changes) -> dict:
    """The change form's required fields as they are, with `changes`."""
    data = {
        "name": exercise.name,
        "category": exercise.category_id,
        "laterality": exercise.laterality,
        "dosing": exercise.dosing,
        "steps": exercise.steps,
        "cues": exercise.cues,
        "precautions": exercise.precautions,
    }
    return {**data, **changes}


def form_errors(response) -> dict:
    assert response.status_code == 200
    return response.context["adminform"].form.errors


# Steps, cues and precautions as lists of lines


class TestLines:
    def test_own_exercise_edits_one_text_input_per_line_in_order(
        self, admin_as_therapist, therapist
    ):
        exercise = CustomExerciseFactory(
            owner=therapist, steps=["Lie down.", "Bend the knee."], cues=["Breathe."]
        )
        page = page_of(admin_as_therapist.get(change_url(exercise)))
        assert page.inputs["steps"] == ["Lie down.", "Bend the knee."]
        assert page.inputs["cues"] == ["Breathe."]
        assert page.inputs["precautions"] == [""]  # an empty list still has a line to type in
        assert "/static/exercises/lines.js" in page.assets
        assert "/static/exercises/lines.css" in page.assets

    def test_posted_lines_are_trimmed_blank_ones_dropped_and_saved_as_a_json_list(
        self, admin_as_therapist, therapist
    ):
        exercise = CustomExerciseFactory(owner=therapist, precautions=["Stop if it hurts."])
        data = form_data(
            exercise,
            steps=["  Lie down. ", "", "Slide the heel.\nBend the knee.", "   "],
            cues=["Slowly.", "Breathe."],
            precautions=[],  # every line removed: nothing is posted for the field
        )
        response = admin_as_therapist.post(change_url(exercise), data)
        assert response.status_code == 302, form_errors(response)
        exercise.refresh_from_db()
        assert exercise.steps == ["Lie down.", "Slide the heel.", "Bend the knee."]
        assert exercise.cues == ["Slowly.", "Breathe."]
        assert exercise.precautions == []
        stored = Exercise.objects.filter(pk=exercise.pk).values_list("steps", flat=True).get()
        assert stored == ["Lie down.", "Slide the heel.", "Bend the knee."]

    @pytest.mark.parametrize(
        "field, lines, message",
        [
            ("steps", ["Fine.", "x" * 1001], "Line 2: Ensure this field has no more than 1000"),
            ("cues", ["c"] * 51, "Ensure this field has no more than 50 elements."),
            ("precautions", ["Stop\x00now."], "Line 1: Null characters are not allowed."),
        ],
    )
    def test_bad_lines_are_a_form_error_naming_the_field(
        self, admin_as_therapist, therapist, field, lines, message
    ):
        exercise = CustomExerciseFactory(owner=therapist)
        before = getattr(exercise, field)
        response = admin_as_therapist.post(
            change_url(exercise), form_data(exercise, **{field: lines})
        )
        errors = form_errors(response)
        assert list(errors) == [field]
        assert any(error.startswith(message) for error in errors[field])
        exercise.refresh_from_db()
        assert getattr(exercise, field) == before

    def test_a_page_with_errors_shows_the_posted_lines_again(self, admin_as_therapist, therapist):
        exercise = CustomExerciseFactory(owner=therapist)
        data = form_data(exercise, name="", steps=["First.", "Second."])
        page = page_of(admin_as_therapist.post(change_url(exercise), data))
        assert page.inputs["steps"] == ["First.", "Second."]

    def test_shared_exercise_reads_its_lines_as_html_lists(self, admin_as_therapist):
        shared = ExerciseFactory(
            steps=["Sit tall.", "Lean <forward>."],
            cues=["Breathe out."],
            precautions=["Stop if it tingles."],
        )
        response = admin_as_therapist.get(change_url(shared))
        html = response.content.decode()
        assert not response.context["has_change_permission"]
        assert (
            '<ol class="read-only-lines"><li>Sit tall.</li><li>Lean &lt;forward&gt;.</li></ol>'
            in html
        )
        assert '<ul class="read-only-lines"><li>Breathe out.</li></ul>' in html
        assert '<ul class="read-only-lines"><li>Stop if it tingles.</li></ul>' in html
        assert "[&quot;Sit tall." not in html and '["Sit tall.' not in html
        assert "steps" not in page_of(response).inputs

    def test_superuser_edits_a_shared_exercise_as_lines(self, client, superuser):
        shared = ExerciseFactory(steps=["Sit tall."])
        client.force_login(superuser)
        assert page_of(client.get(change_url(shared))).inputs["steps"] == ["Sit tall."]


# Copying a shared exercise into one's own


@pytest.fixture
def shared():
    return ExerciseFactory(
        name="Sciatic nerve glide",
        steps=["Sit tall.", "Straighten the knee."],
        cues=["Move gently."],
        precautions=["Stop if symptoms spread."],
        sets=2,
        reps_min=8,
        reps_max=12,
        hold_seconds_min=2,
        load_kg=Decimal("2.5"),
        progressable=["reps", "sets"],
        laterality=Exercise.Laterality.ALTERNATING,
        dosing=Exercise.Dosing.HOLD,
        video_url="https://example.com/glide",
        source_note="Clinically standard.",
        equipment=[EquipmentFactory()],
        body_regions=[BodyRegionFactory()],
        target_tissues=[TissueFactory(), TissueFactory()],
        conditions=[ConditionFactory(red_flags=0)],
    )


class TestCopy:
    def test_the_shared_exercises_page_offers_the_copy_button(self, admin_as_therapist, shared):
        page = page_of(admin_as_therapist.get(change_url(shared)))
        assert copy_url(shared) in page.form_actions

    def test_own_exercises_page_has_no_copy_button(self, admin_as_therapist, therapist):
        mine = CustomExerciseFactory(owner=therapist)
        assert copy_url(mine) not in page_of(admin_as_therapist.get(change_url(mine))).form_actions

    def test_copy_is_the_therapists_own_with_everything_of_the_shared_one(
        self, admin_as_therapist, therapist, shared
    ):
        response = admin_as_therapist.post(copy_url(shared))

        copy = Exercise.objects.get(owner=therapist)
        assert response.status_code == 302
        assert response.url == change_url(copy)
        assert copy.pk != shared.pk and copy.slug == "" and not copy.is_archived
        own = {"id", "slug", "owner_id", "is_archived", "created_at", "updated_at"}
        for field in Exercise._meta.concrete_fields:
            if field.attname not in own:
                assert getattr(copy, field.attname) == getattr(shared, field.attname), field.name
        for relation in ["equipment", "body_regions", "target_tissues", "conditions"]:
            assert set(getattr(copy, relation).all()) == set(getattr(shared, relation).all())
            assert getattr(copy, relation).exists()
        shared.refresh_from_db()
        assert shared.owner is None and shared.slug != ""
        assert LogEntry.objects.get(object_id=str(copy.pk)).action_flag == ADDITION

    def test_the_copy_opens_with_a_message_and_can_be_changed(
        self, admin_as_therapist, therapist, shared
    ):
        response = admin_as_therapist.post(copy_url(shared), follow=True)
        copy = Exercise.objects.get(owner=therapist)
        messages = [str(message) for message in response.context["messages"]]
        assert messages == [
            f"“{shared.name}” is copied into your exercises: this copy is yours to adapt."
        ]
        assert response.context["has_change_permission"]
        assert page_of(response).inputs["steps"] == copy.steps

    def test_the_copy_button_is_a_post(self, admin_as_therapist, shared):
        assert admin_as_therapist.get(copy_url(shared)).status_code == 405
        assert not Exercise.objects.filter(owner__isnull=False).exists()

    def test_a_copy_needs_the_csrf_token(self, therapist, shared):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(therapist)
        assert browser.post(copy_url(shared)).status_code == 403
        assert not Exercise.objects.filter(owner__isnull=False).exists()

    def test_another_therapists_exercise_is_not_found(self, admin_as_therapist, therapist):
        theirs = CustomExerciseFactory()
        assert admin_as_therapist.post(copy_url(theirs)).status_code == 404
        assert not Exercise.objects.filter(owner=therapist).exists()

    def test_own_exercise_is_not_copied(self, admin_as_therapist, therapist):
        mine = CustomExerciseFactory(owner=therapist)
        assert admin_as_therapist.post(copy_url(mine)).status_code == 403
        assert Exercise.objects.filter(owner=therapist).count() == 1

    def test_even_a_superuser_cannot_copy_a_therapists_private_exercise(self, client, superuser):
        theirs = CustomExerciseFactory()
        client.force_login(superuser)
        assert client.post(copy_url(theirs)).status_code == 403
        assert Exercise.objects.count() == 1

    @pytest.mark.parametrize("who", ["anonymous", "client user", "staff without add permission"])
    def test_only_therapists_copy(self, client, shared, who):
        if who == "client user":
            client.force_login(UserFactory())
        elif who == "staff without add permission":
            client.force_login(UserFactory(is_staff=True))
        response = client.post(copy_url(shared))
        if who == "staff without add permission":
            assert response.status_code == 403
        else:  # the admin's log-in page
            assert response.status_code == 302
            assert response.url.startswith(reverse("admin:login"))
        assert Exercise.objects.count() == 1

    def test_the_service_refuses_a_private_exercise(self, therapist):
        theirs = CustomExerciseFactory()
        with pytest.raises(Conflict):
            exercise_copy(exercise=theirs, by=therapist)
        assert Exercise.objects.count() == 1


# The search box: the API's rule


def admin_names(browser, term) -> list[str]:
    response = browser.get(CHANGELIST, {"q": term, "archived": "all"})
    assert response.status_code == 200
    return sorted(exercise.name for exercise in response.context["cl"].queryset)


def api_names(therapist, term) -> list[str]:
    response = client_for(therapist).get("/api/v1/exercises/", {"search": term, "page_size": 100})
    assert response.status_code == 200
    return sorted(row["name"] for row in response.json()["results"])


class TestSearch:
    def test_sciatica_finds_every_seeded_exercise(self, admin_as_therapist):
        seed_library()
        assert len(admin_names(admin_as_therapist, "sciatica")) == 11
        assert admin_names(admin_as_therapist, "sciatica") == sorted(
            Exercise.objects.shared().values_list("name", flat=True)
        )

    @pytest.mark.parametrize(
        "term",
        [
            "sciatica",
            "Strength",
            "kettlebell",
            "buttock",
            "obturator",
            "glide",
            "figure 4",
            '"hip external"',
            "mat, knee",
            "ball pelvic",
            "no-such-word",
        ],
    )
    def test_admin_and_api_find_the_same_seeded_exercises(
        self, admin_as_therapist, therapist, term
    ):
        seed_library()
        assert admin_names(admin_as_therapist, term) == api_names(therapist, term)

    @pytest.mark.parametrize(
        "term, attributes",
        [
            ("radiculopathy", lambda: {"conditions": [ConditionFactory(name="Radiculopathy")]}),
            ("balance", lambda: {"category": CategoryFactory(name="Balance work")}),
            ("theraband", lambda: {"equipment": [EquipmentFactory(name="TheraBand")]}),
            ("lumbar", lambda: {"body_regions": [BodyRegionFactory(name="Lumbar spine")]}),
            ("soleus", lambda: {"target_tissues": [TissueFactory(name="Soleus")]}),
            ("clamshell", lambda: {"name": "Clamshell"}),
            ("gently", lambda: {"summary": "Open the knees gently."}),
            ("heel", lambda: {"steps": ["Keep the heels together."]}),
            ("ribs", lambda: {"cues": ["Ribs down."]}),
            ("dizzy", lambda: {"precautions": ["Stop if you feel dizzy."]}),
        ],
    )
    def test_each_field_of_the_rule_finds_an_exercise(
        self, admin_as_therapist, therapist, term, attributes
    ):
        ExerciseFactory(**{"name": "Wanted", **attributes()})
        ExerciseFactory(name="Other")
        expected = admin_names(admin_as_therapist, term)
        assert len(expected) == 1
        assert expected == api_names(therapist, term)

    def test_search_keeps_to_the_therapists_library(
        self, admin_as_therapist, therapist, other_therapist
    ):
        sciatica = ConditionFactory(name="Sciatica", red_flags=0)
        ExerciseFactory(name="Shared", conditions=[sciatica])
        CustomExerciseFactory(name="Mine", owner=therapist, conditions=[sciatica])
        CustomExerciseFactory(name="Theirs", owner=other_therapist, conditions=[sciatica])
        assert admin_names(admin_as_therapist, "sciatica") == ["Mine", "Shared"]

    def test_an_exercise_matching_through_several_terms_is_listed_once(self, admin_as_therapist):
        tissues = [
            TissueFactory(name="Hamstring (medial)"),
            TissueFactory(name="Hamstring (lateral)"),
        ]
        ExerciseFactory(name="Hamstring glide", target_tissues=tissues)
        response = admin_as_therapist.get(CHANGELIST, {"q": "hamstring"})
        assert response.context["cl"].result_count == 1
        assert [exercise.name for exercise in response.context["cl"].result_list] == [
            "Hamstring glide"
        ]

    def test_a_nul_in_the_search_box_finds_by_the_rest(self, admin_as_therapist):
        ExerciseFactory(name="Bridge")
        assert admin_names(admin_as_therapist, "bri\x00dge") == ["Bridge"]


# The site link and the pages' assets


def resolves(browser, address: str) -> bool:
    """A static file the finders serve (as runserver and collectstatic do), or a page the test
    client answers with 200 (the admin's JavaScript catalogue)."""
    static_url = "/" + settings.STATIC_URL.lstrip("/")
    if address.startswith(static_url):
        return finders.find(address.removeprefix(static_url)) is not None
    return browser.get(address).status_code == 200


class TestPages:
    def test_view_site_opens_the_api_docs(self, admin_as_therapist):
        response = admin_as_therapist.get(reverse("admin:index"))
        assert response.context["site_url"] == "/api/docs/"
        assert '<a href="/api/docs/">View site</a>' in response.content.decode()
        assert admin_as_therapist.get("/api/docs/").status_code == 200

    @pytest.mark.parametrize("page", ["index", "changelist", "add", "own", "shared", "search"])
    def test_every_script_and_linked_file_of_a_page_exists(
        self, admin_as_therapist, therapist, page
    ):
        addresses = {
            "index": reverse("admin:index"),
            "changelist": CHANGELIST,
            "add": ADD,
            "own": change_url(CustomExerciseFactory(owner=therapist)),
            "shared": change_url(ExerciseFactory()),
            "search": f"{CHANGELIST}?q=glide",
        }
        found = page_of(admin_as_therapist.get(addresses[page]))
        assert found.assets
        missing = [address for address in found.assets if not resolves(admin_as_therapist, address)]
        assert missing == []
        # With an icon of its own, a browser does not ask for /favicon.ico (a 404) instead.
        assert len(found.icons) == 1
