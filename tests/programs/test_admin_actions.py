"""The program page's action buttons save the page first, through the same service and version
check as any save, and only then act: an edit made before pressing one is never lost."""

import pytest

from programs.models import Program
from tests.factories import ItemFactory, ProgramFactory, ScreeningFactory
from tests.programs.test_admin import form_data, program_url, shown_messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(therapist):
    program = ProgramFactory(owner=therapist, title="Before")
    ItemFactory(block__program=program)
    return program


def press(browser, program, then, **changes):
    data = {**form_data(browser.get(program_url(program))), **changes, "_then": then}
    return browser.post(program_url(program), data)


def test_the_page_offers_only_save_first_buttons(admin_as_therapist, program):
    page = admin_as_therapist.get(program_url(program)).content.decode()
    for then in ["print", "pdf", "copy_to_client", "activate", "activate_with_override"]:
        assert f'form="program_form" name="_then" value="{then}"' in page, then
    assert 'name="action" value="activate"' not in page  # no button that skips the save


def test_save_and_activate_keeps_the_edit_and_activates(admin_as_therapist, program):
    ScreeningFactory(client=program.client)
    response = press(admin_as_therapist, program, "activate", title="After")
    assert response.status_code == 302 and response.url == program_url(program)
    program.refresh_from_db()
    assert (program.title, program.status, program.version) == ("After", "active", 3)


def test_a_refused_activation_still_keeps_the_saved_edit(admin_as_therapist, program):
    response = press(admin_as_therapist, program, "activate", title="After")
    messages = shown_messages(admin_as_therapist.get(response.url))
    assert any("needs a screening" in message for message in messages)
    program.refresh_from_db()
    assert (program.title, program.status, program.version) == ("After", "draft", 2)


@pytest.mark.parametrize("kind", ["print", "pdf"])
def test_save_and_print_saves_then_opens_the_printout(admin_as_therapist, program, kind):
    response = press(admin_as_therapist, program, kind, title="After")
    assert response.status_code == 302
    assert response.url == f"/api/v1/programs/{program.pk}/{kind}/"
    assert Program.objects.get(pk=program.pk).title == "After"


@pytest.mark.parametrize(
    ("then", "asks"), [("activate_with_override", "override"), ("copy_to_client", "Copy")]
)
def test_actions_that_ask_save_first_then_ask(admin_as_therapist, program, then, asks):
    response = press(admin_as_therapist, program, then, title="After")
    assert response.status_code == 200 and asks in response.content.decode()
    assert Program.objects.get(pk=program.pk).title == "After"


def test_a_stale_page_neither_saves_nor_acts(admin_as_therapist, program):
    ScreeningFactory(client=program.client)
    data = {**form_data(admin_as_therapist.get(program_url(program))), "title": "After"}
    Program.objects.filter(pk=program.pk).update(version=4)  # saved elsewhere meanwhile
    response = admin_as_therapist.post(program_url(program), {**data, "_then": "activate"})
    assert response.status_code == 200 and "after you opened it" in response.content.decode()
    program.refresh_from_db()
    assert (program.title, program.status, program.version) == ("Before", "draft", 4)


def test_an_invalid_page_neither_saves_nor_acts(admin_as_therapist, program):
    ScreeningFactory(client=program.client)
    response = press(admin_as_therapist, program, "activate", title="After", weeks="0")
    assert response.status_code == 200 and "weeks" in response.context["adminform"].form.errors
    program.refresh_from_db()
    assert (program.title, program.status, program.version) == ("Before", "draft", 1)


# The compact builder: sides from the exercise, only the parameters it can progress, plain words


def test_a_new_item_left_on_from_the_exercise_takes_the_exercises_side(
    admin_as_therapist, therapist
):
    from exercises.models import Exercise
    from programs.models import Item
    from tests.factories import ClientFactory, ExerciseFactory
    from tests.programs.test_admin import LOAD_RULE, PROGRAM_ADD, new_program_data

    glide = ExerciseFactory(laterality=Exercise.Laterality.EACH_SIDE, progressable=["load_kg"])
    page = admin_as_therapist.get(PROGRAM_ADD)
    data = new_program_data(page, ClientFactory(therapist=therapist), glide, LOAD_RULE)
    data["blocks-0-items-0-side"] = ""
    assert admin_as_therapist.post(PROGRAM_ADD, data).status_code == 302
    assert Item.objects.get().side == "each"


def test_an_api_item_without_a_side_takes_the_exercises_side(as_therapist, program):
    from exercises.models import Exercise
    from tests.factories import ExerciseFactory

    march = ExerciseFactory(laterality=Exercise.Laterality.ALTERNATING)
    block = {"title": "Warm-up", "items": [{"exercise": march.pk, "reps_min": 10}]}
    response = as_therapist.patch(
        f"/api/v1/programs/{program.pk}/", {"blocks": [block]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["blocks"][0]["items"][0]["side"] == "alternating"


def test_a_saved_items_rules_offer_only_what_its_exercise_can_progress(
    admin_as_therapist, therapist
):
    from tests.factories import ProgressionRuleFactory

    program = ProgramFactory(owner=therapist)
    item = ItemFactory(block__program=program, exercise__progressable=["reps", "load_kg"])
    ProgressionRuleFactory(item=item, parameter="reps", amount=1)
    page = admin_as_therapist.get(program_url(program))
    rules = page.context["inline_admin_formsets"][0].formset.forms[0]
    [items] = rules.nested_formsets
    [rule_formset] = items.forms[0].nested_formsets
    offered = {value for value, _ in rule_formset.forms[0].fields["parameter"].choices if value}
    assert offered == {"reps", "load_kg"}


def test_a_side_that_does_not_fit_is_said_in_plain_words(admin_as_therapist, therapist):
    from exercises.models import Exercise

    program = ProgramFactory(owner=therapist)
    ItemFactory(
        block__program=program,
        exercise__name="Bridge",
        exercise__laterality=Exercise.Laterality.EACH_SIDE,
        side="each",
    )
    data = form_data(admin_as_therapist.get(program_url(program)))
    data["blocks-0-items-0-side"] = "both"
    page = admin_as_therapist.post(program_url(program), data).content.decode()
    assert (
        "Bridge is done each side, so &quot;Both sides together&quot; does not fit; choose "
        "Each side, Left side only or Right side only." in page
    )


def test_the_builder_drops_the_sidebar_and_loads_its_layout(admin_as_therapist, program):
    page = admin_as_therapist.get(program_url(program))
    html = page.content.decode()
    assert 'id="nav-sidebar"' not in html
    assert "programs/program_page.css" in html and "programs/program_page.js" in html
    assert 'class="inline-group group djn-group djn-tabular' in html  # an item per row


def test_exercise_options_say_what_an_item_of_it_may_be_set_to(admin_as_therapist, therapist):
    from django.test import Client
    from django.urls import reverse

    from exercises.models import Exercise
    from tests.factories import CustomExerciseFactory, ExerciseFactory

    def options(exercise):
        url = reverse("admin:programs_program_exercise_options", args=[exercise.pk])
        return admin_as_therapist.get(url)

    glide = ExerciseFactory(laterality=Exercise.Laterality.EACH_SIDE, progressable=["reps"])
    assert options(glide).json() == {
        "sides": ["each", "left", "right"],
        "default_side": "each",
        "parameters": ["reps"],
    }
    assert options(CustomExerciseFactory()).status_code == 404  # another therapist's own
    anonymous = Client().get(reverse("admin:programs_program_exercise_options", args=[glide.pk]))
    assert anonymous.status_code == 302 and "/login/" in anonymous.url


# The live plan: worked out from the unsaved page, nothing saved


def preview_url(program):
    from django.urls import reverse

    return reverse("admin:programs_program_preview", args=[program.pk])


def test_the_preview_follows_unsaved_edits_and_saves_nothing(admin_as_therapist, therapist):
    import re
    from decimal import Decimal

    from tests.factories import ProgressionRuleFactory

    program = ProgramFactory(owner=therapist, weeks=3)
    item = ItemFactory(block__program=program, exercise__name="Squat", load_kg=Decimal("10"))
    ProgressionRuleFactory(item=item, parameter="load_kg", amount=Decimal("2.5"), trigger="gated")
    data = form_data(admin_as_therapist.get(program_url(program)))
    data.update({"weeks": "4", "blocks-0-items-0-load_kg": "20"})  # edited, not saved

    answer = admin_as_therapist.post(preview_url(program), data).content.decode()

    row = answer[answer.index("Squat: load</th>") :].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    assert cells == ["20 kg", "22.5 kg when ready", "25 kg when ready", "27.5 kg when ready"]
    assert 'class="when-ready"' in row
    program.refresh_from_db()
    item.refresh_from_db()
    assert (program.version, program.weeks, item.load_kg) == (1, 3, Decimal("10"))


def test_the_preview_leaves_out_invalid_rows_and_says_so(admin_as_therapist, program):
    data = form_data(admin_as_therapist.get(program_url(program)))
    data["blocks-0-items-0-reps_max"] = "1"  # below the minimum
    data["blocks-0-items-0-reps_min"] = "5"
    answer = admin_as_therapist.post(preview_url(program), data).content.decode()
    assert "1 exercise row(s) with errors are left out." in answer


def test_the_preview_is_the_therapists_own_and_a_post(admin_as_therapist, program):
    from tests.factories import TherapistFactory

    theirs = ProgramFactory(owner=TherapistFactory())
    data = form_data(admin_as_therapist.get(program_url(program)))
    assert admin_as_therapist.post(preview_url(theirs), data).status_code == 404
    assert admin_as_therapist.get(preview_url(program)).status_code == 405


def test_the_preview_is_recorded_as_a_read_of_the_program(admin_as_therapist, program):
    from audit.models import AuditEvent

    data = form_data(admin_as_therapist.get(program_url(program)))
    admin_as_therapist.post(preview_url(program), data)
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_id) == ("read:admin-preview", str(program.pk))


def test_an_imperial_clients_doses_are_edited_in_pounds_and_inches(admin_as_therapist, therapist):
    from decimal import Decimal

    from programs.models import Item
    from tests.factories import ClientFactory

    program = ProgramFactory(
        owner=therapist, client=ClientFactory(therapist=therapist, units="imperial")
    )
    item = ItemFactory(block__program=program, load_kg=Decimal("4.54"), step_height_cm=15)
    page = admin_as_therapist.get(program_url(program))
    html = page.content.decode()
    assert "Load lb" in html and "Step in" in html
    data = form_data(page)
    assert (data["blocks-0-items-0-load_kg"], data["blocks-0-items-0-step_height_cm"]) == (
        "10.0",
        "6",
    )
    data.update({"blocks-0-items-0-load_kg": "15", "blocks-0-items-0-step_height_cm": "8"})
    assert admin_as_therapist.post(program_url(program), data).status_code == 302
    item = Item.objects.get(pk=item.pk)
    assert (item.load_kg, item.step_height_cm) == (Decimal("6.80"), 20)  # exact metric values


def test_review_marks_clear_on_the_builder_row(admin_as_therapist, therapist):
    from programs.models import Item

    program = ProgramFactory(owner=therapist)
    item = ItemFactory(block__program=program, needs_review=True)
    data = form_data(admin_as_therapist.get(program_url(program)))
    assert data["blocks-0-items-0-needs_review"] == "on"
    del data["blocks-0-items-0-needs_review"]  # unticked
    assert admin_as_therapist.post(program_url(program), data).status_code == 302
    assert Item.objects.get(pk=item.pk).needs_review is False


def test_the_add_page_has_its_plan_before_the_first_save(admin_as_therapist, therapist):
    """In the chosen client's units, from the unsaved page; a client of another therapist's
    is not used (the plan is in kilograms, as for no client), and nothing is saved."""
    from django.urls import reverse

    from programs.models import Block
    from tests.factories import ClientFactory, ExerciseFactory, TherapistFactory
    from tests.programs.test_admin import LOAD_RULE, new_program_data

    add = reverse("admin:programs_program_add")
    page = admin_as_therapist.get(add)
    html = page.content.decode()
    assert f'data-preview="{reverse("admin:programs_program_add_preview")}"' in html
    assert "No exercises yet." in html and 'id="nav-sidebar"' not in html
    squat = ExerciseFactory(name="Squat", laterality="each_side", progressable=["load_kg"])
    imperial = ClientFactory(therapist=therapist, units="imperial")
    data = new_program_data(page, imperial, squat, LOAD_RULE)
    url = reverse("admin:programs_program_add_preview")

    answer = admin_as_therapist.post(url, data).content.decode()
    row = answer[answer.index("Squat: load</th>") :].split("</tr>")[0]
    assert "<td>10 lb</td><td>15 lb</td>" in row and "kg" not in row  # the page is in pounds
    data["client"] = str(ClientFactory(therapist=TherapistFactory(), units="imperial").pk)
    answer = admin_as_therapist.post(url, data).content.decode()
    assert "<td>10 kg</td><td>12.5 kg</td>" in answer
    assert not Program.objects.exists() and not Block.objects.exists()
    assert admin_as_therapist.get(url).status_code == 405
