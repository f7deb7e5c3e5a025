import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from exercises.models import Exercise
from programs.models import Block, Item, Program, ProgressionRule
from programs.seeding import seed_library
from tests.conftest import client_for
from tests.factories import (
    BlockFactory,
    ClientFactory,
    CustomExerciseFactory,
    ExerciseFactory,
    ItemFactory,
    ProgramFactory,
    ProgressionRuleFactory,
    ScreeningFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db
PROGRAMS = reverse("admin:programs_program_changelist")
PROGRAM_ADD = reverse("admin:programs_program_add")
CLIENTS = reverse("admin:clients_client_changelist")
SCREENING_ADD = reverse("admin:clients_screening_add")
AUTOCOMPLETE = "/admin/autocomplete/"


def program_url(program):
    return reverse("admin:programs_program_change", args=[program.pk])


class MainFormValues(HTMLParser):
    """What a browser submits from the admin's main form, without the JS-only templates."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.values = form_id, False, []
        self.select, self.options, self.textarea = None, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button"}:
            if attrs.get("type") in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.values.append((name, attrs.get("value") or "on"))
            else:
                self.values.append((name, attrs.get("value") or ""))
        elif tag == "select":
            self.select, self.options = name, []
        elif tag == "option" and self.select:
            self.options.append((attrs.get("value") or "", "selected" in attrs))
        elif tag == "textarea":
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            chosen = [value for value, selected in self.options if selected]
            self.values.append((self.select, (chosen or [v for v, _ in self.options] or [""])[0]))
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.values.append((self.textarea[0], self.textarea[1].lstrip("\n")))
            self.textarea = None


def form_data(response, form_id="program_form") -> dict:
    """The rendered form's fields and values, as the browser would post them."""
    assert response.status_code == 200
    parser = MainFormValues(form_id)
    parser.feed(response.content.decode())
    return {
        name: value
        for name, value in parser.values
        if "__prefix__" not in name and "-empty-" not in name
    }


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def new_program_data(page, client_, exercise, rule: dict) -> dict:
    """The add page's form with one block holding one item holding one rule."""
    data = form_data(page)
    # The nested formsets' prefixes, as nested_admin renders them for new rows.
    for prefix in ["blocks", "blocks-empty-items", "blocks-empty-items-empty-progressions"]:
        assert f'name="{prefix}-TOTAL_FORMS"' in page.content.decode()
    item, rules = "blocks-0-items-0", "blocks-0-items-0-progressions"
    data.update(
        title="Knee plan",
        client=str(client_.pk),
        weeks="6",
        sessions_per_week="3",
        status="draft",
        **management("blocks", 1),
        **{"blocks-0-title": "Strength", "blocks-0-kind": "sequence", "blocks-0-position": "0"},
        **{"blocks-0-rounds_min": "1"},
        **management("blocks-0-items", 1),
        **{f"{item}-exercise": str(exercise.pk), f"{item}-side": "each"},
        **{f"{item}-position": "0", f"{item}-sets": "2"},
        **{f"{item}-reps_min": "8", f"{item}-reps_max": "10", f"{item}-load_kg": "10"},
        **management(rules, 1),
        **{f"{rules}-0-{name}": str(value) for name, value in rule.items()},
    )
    return data


LOAD_RULE = {
    "parameter": "load_kg",
    "mode": "absolute",
    "amount": "2.5",
    "every_weeks": 1,
    "start_week": 2,
    "trigger": "scheduled",
    "pain_threshold": 3,
}


def listed(response):
    assert response.status_code == 200
    return sorted(str(obj) for obj in response.context["cl"].result_list)


def shown_messages(response):
    return [str(message) for message in response.context["messages"]]


# Scoping


def test_therapist_sees_own_programs_and_shared_templates_only(admin_as_therapist, therapist):
    ProgramFactory(owner=therapist, title="Mine")
    ProgramFactory(owner=therapist, client=None, title="My template")
    ProgramFactory(owner=None, client=None, title="Shared template")
    ProgramFactory(title="Theirs")
    ProgramFactory(client=None, title="Their template")

    assert listed(admin_as_therapist.get(PROGRAMS)) == ["Mine", "My template", "Shared template"]
    assert listed(admin_as_therapist.get(PROGRAMS, {"kind": "client"})) == ["Mine"]
    assert listed(admin_as_therapist.get(PROGRAMS, {"kind": "shared"})) == ["Shared template"]
    assert listed(admin_as_therapist.get(PROGRAMS, {"q": "templ"})) == [
        "My template",
        "Shared template",
    ]


def test_program_search_by_client_name(admin_as_therapist, therapist):
    ProgramFactory(owner=therapist, title="Hip", client__last_name="Okafor")
    ProgramFactory(owner=therapist, title="Knee", client__last_name="Lindqvist")
    assert listed(admin_as_therapist.get(PROGRAMS, {"q": "okafor"})) == ["Hip"]


def test_other_therapists_program_is_not_reachable(admin_as_therapist):
    theirs = ProgramFactory(title="Their program")
    response = admin_as_therapist.get(program_url(theirs))
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert admin_as_therapist.post(program_url(theirs), {"title": "Mine now"}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.title == "Their program"


def test_shared_template_opens_read_only_and_a_post_is_403(admin_as_therapist):
    template = ProgramFactory(owner=None, client=None, title="Shared")
    ItemFactory(block__program=template)
    page = admin_as_therapist.get(program_url(template))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert 'name="blocks-0-items-0-reps_min"' not in page.content.decode()
    assert "Copy to a client" in page.content.decode()
    assert ">Activate<" not in page.content.decode()

    response = admin_as_therapist.post(program_url(template), {"title": "Changed"})
    assert response.status_code == 403
    delete = reverse("admin:programs_program_delete", args=[template.pk])
    assert admin_as_therapist.post(delete, {"post": "yes"}).status_code == 403
    template.refresh_from_db()
    assert (template.title, template.version) == ("Shared", 1)


def test_bulk_delete_cannot_remove_shared_templates_or_active_programs(
    admin_as_therapist, therapist
):
    template = ProgramFactory(owner=None, client=None)
    active = ProgramFactory(owner=therapist, status=Program.Status.ACTIVE)
    for program in [template, active]:
        response = admin_as_therapist.post(
            PROGRAMS, {"action": "delete_selected", "_selected_action": [program.pk], "post": "yes"}
        )
        assert response.status_code == 403
    assert Program.objects.count() == 2


def test_seeded_template_is_listed_read_only_with_its_schedule(admin_as_therapist):
    seed_library()
    template = Program.objects.get(slug="sciatic-nerve-pain-six-movement-tools")
    assert template.title in listed(admin_as_therapist.get(PROGRAMS, {"kind": "shared"}))
    page = admin_as_therapist.get(program_url(template))
    assert not page.context["has_change_permission"]
    assert "Week-by-week plan" in page.content.decode()


def test_client_dropdown_lists_own_clients_only(admin_as_therapist, therapist):
    mine = ClientFactory(therapist=therapist)
    theirs = ClientFactory()
    page = admin_as_therapist.get(PROGRAM_ADD)
    choices = list(page.context["adminform"].form.fields["client"].queryset)
    assert choices == [mine]

    data = new_program_data(page, theirs, ExerciseFactory(progressable=["load_kg"]), LOAD_RULE)
    response = admin_as_therapist.post(PROGRAM_ADD, data)
    assert response.status_code == 200
    assert "client" in response.context["adminform"].form.errors
    assert not Program.objects.exists()


def test_exercise_autocomplete_offers_active_shared_and_own_exercises_only(
    admin_as_therapist, therapist
):
    ExerciseFactory(name="Squat shared")
    CustomExerciseFactory(name="Squat mine", owner=therapist)
    CustomExerciseFactory(name="Squat theirs")
    ExerciseFactory(name="Squat archived", is_archived=True)
    ExerciseFactory(name="Lunge")
    response = admin_as_therapist.get(
        AUTOCOMPLETE,
        {"app_label": "programs", "model_name": "item", "field_name": "exercise", "term": "squat"},
    )
    assert response.status_code == 200
    assert sorted(result["text"] for result in response.json()["results"]) == [
        "Squat mine",
        "Squat shared",
    ]


def test_posting_another_therapists_private_exercise_is_refused(admin_as_therapist, therapist):
    theirs = CustomExerciseFactory(progressable=["load_kg"])
    page = admin_as_therapist.get(PROGRAM_ADD)
    data = new_program_data(page, ClientFactory(therapist=therapist), theirs, LOAD_RULE)
    response = admin_as_therapist.post(PROGRAM_ADD, data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Program.objects.exists()


# Editing a whole program on one page


def test_nested_post_creates_a_program_with_block_item_and_rule(admin_as_therapist, therapist):
    maria = ClientFactory(therapist=therapist, first_name="Maria")
    exercise = ExerciseFactory(name="Step-up", progressable=["reps", "load_kg"])
    page = admin_as_therapist.get(PROGRAM_ADD)
    data = new_program_data(page, maria, exercise, LOAD_RULE)
    data["owner"] = str(ClientFactory().therapist_id)  # not a field for therapists: ignored

    response = admin_as_therapist.post(PROGRAM_ADD, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    program = Program.objects.get(title="Knee plan")
    assert (program.owner, program.client, program.version) == (therapist, maria, 1)
    block = program.blocks.get()
    assert block.title == "Strength"
    item = block.items.get()
    assert (item.exercise, item.side, item.sets, item.load_kg) == (exercise, "each", 2, 10)
    rule = item.progressions.get()
    assert (rule.parameter, rule.amount, rule.start_week) == ("load_kg", Decimal("2.5"), 2)


def test_nested_post_edits_in_place_and_adds_a_second_item(admin_as_therapist, therapist):
    program = ProgramFactory(owner=therapist)
    item = ItemFactory(block__program=program, reps_max=10)
    rule = ProgressionRuleFactory(item=item, amount=Decimal("2.5"))
    extra = ExerciseFactory(
        name="Bridge", laterality=Exercise.Laterality.BILATERAL, reps_min=12, reps_max=15
    )
    data = form_data(admin_as_therapist.get(program_url(program)))
    assert data["blocks-0-items-0-progressions-0-id"] == str(rule.pk)
    data.update(
        {
            "blocks-0-items-0-reps_max": "12",
            "blocks-0-items-0-position": "0",
            "blocks-0-items-0-progressions-0-amount": "1",
            **management("blocks-0-items", 2, initial=1),
            "blocks-0-items-1-exercise": str(extra.pk),
            "blocks-0-items-1-side": "both",
            "blocks-0-items-1-position": "1",
            **management("blocks-0-items-1-progressions", 0),
        }
    )
    response = admin_as_therapist.post(program_url(program), data)
    assert response.status_code == 302, response.context["errors"]
    item.refresh_from_db()
    rule.refresh_from_db()
    assert (item.reps_max, rule.amount) == (12, Decimal("1"))
    bridge = program.blocks.get().items.get(exercise=extra)
    assert (bridge.position, bridge.reps_min) == (1, 12)  # the exercise's default dose


def test_invalid_rule_shows_the_error_and_saves_nothing(admin_as_therapist, therapist):
    glide = ExerciseFactory(name="Nerve glide", progressable=["reps"])
    page = admin_as_therapist.get(PROGRAM_ADD)
    rule = {**LOAD_RULE, "parameter": "step_height_cm", "amount": "5"}
    data = new_program_data(page, ClientFactory(therapist=therapist), glide, rule)

    response = admin_as_therapist.post(PROGRAM_ADD, data)

    assert response.status_code == 200
    assert "Nerve glide cannot progress step height (cm); choose Reps." in (
        response.content.decode()
    )
    assert not Program.objects.exists()
    assert not Block.objects.exists() and not Item.objects.exists()
    assert not ProgressionRule.objects.exists()


def test_a_rules_upper_pain_threshold_is_saved_and_checked(admin_as_therapist, therapist):
    exercise = ExerciseFactory(progressable=["load_kg"])
    page = admin_as_therapist.get(PROGRAM_ADD)
    rule = {**LOAD_RULE, "trigger": "gated", "pain_threshold": 4, "regress_above": 3}
    data = new_program_data(page, ClientFactory(therapist=therapist), exercise, rule)
    response = admin_as_therapist.post(PROGRAM_ADD, data)
    assert response.status_code == 200
    assert "At least the pain threshold (4/10)" in response.content.decode()
    assert not Program.objects.exists()

    data = new_program_data(
        page, ClientFactory(therapist=therapist), exercise, {**rule, "regress_above": 7}
    )
    assert admin_as_therapist.post(PROGRAM_ADD, data).status_code == 302
    assert ProgressionRule.objects.get().regress_above == 7


def test_item_side_must_fit_the_exercise(admin_as_therapist, therapist):
    program = ProgramFactory(owner=therapist)
    ItemFactory(
        block__program=program, exercise__laterality=Exercise.Laterality.BILATERAL, side="both"
    )
    data = form_data(admin_as_therapist.get(program_url(program)))
    data["blocks-0-items-0-side"] = "each"
    response = admin_as_therapist.post(program_url(program), data)
    assert response.status_code == 200
    assert "does not fit" in response.content.decode()
    program.refresh_from_db()
    assert (Item.objects.get().side, program.version) == ("both", 1)


def test_an_item_keeps_an_archived_exercise_but_cannot_newly_choose_one(
    admin_as_therapist, therapist
):
    program = ProgramFactory(owner=therapist)
    item = ItemFactory(block__program=program, exercise__is_archived=True)
    archived = ExerciseFactory(name="Retired glide", is_archived=True)
    data = form_data(admin_as_therapist.get(program_url(program)))
    data["blocks-0-items-0-notes"] = "Kept as it was."
    assert admin_as_therapist.post(program_url(program), data).status_code == 302

    data = form_data(admin_as_therapist.get(program_url(program)))
    data["blocks-0-items-0-exercise"] = str(archived.pk)
    response = admin_as_therapist.post(program_url(program), data)
    assert response.status_code == 200
    assert "Retired glide is archived" in response.content.decode()
    assert Item.objects.get().exercise_id == item.exercise_id


def test_every_admin_save_bumps_the_version(admin_as_therapist, therapist):
    program = ProgramFactory(owner=therapist, title="Before")
    ItemFactory(block__program=program)
    data = form_data(admin_as_therapist.get(program_url(program)))
    data["title"] = "After"
    assert admin_as_therapist.post(program_url(program), data).status_code == 302
    program.refresh_from_db()
    assert (program.title, program.version, program.etag) == (
        "After",
        2,
        f'"program-{program.pk}-v2"',
    )

    data = form_data(admin_as_therapist.get(program_url(program)))
    data["blocks-0-items-0-reps_min"] = "6"  # only an inline changes
    assert admin_as_therapist.post(program_url(program), data).status_code == 302
    program.refresh_from_db()
    assert program.version == 3


def test_a_stale_admin_page_is_refused(admin_as_therapist, therapist):
    program = ProgramFactory(owner=therapist, title="Before")
    data = form_data(admin_as_therapist.get(program_url(program)))
    colleague = TherapistFactory(first_name="Sam", last_name="Lee")
    api = client_for(colleague)
    program.owner = colleague  # the colleague saves over the API meanwhile...
    program.save()
    assert api.patch(f"/api/v1/programs/{program.pk}/", {"goal": "New"}).status_code == 200
    Program.objects.filter(pk=program.pk).update(owner=therapist)  # ...and hands it back
    data["title"] = "After"
    response = admin_as_therapist.post(program_url(program), data)
    assert response.status_code == 200
    program.refresh_from_db()
    saved_at = timezone.localtime(program.updated_at)
    assert (
        f"Sam Lee saved this program at {saved_at:%H:%M} on {saved_at:%d %b %Y} (now version 2),"
        " after you opened it at version 1. Nothing was saved"
    ) in response.content.decode()
    assert (program.title, program.version) == ("Before", 2)


def test_status_cannot_be_set_to_active_in_the_form(admin_as_therapist, therapist):
    program = ProgramFactory(owner=therapist)
    data = form_data(admin_as_therapist.get(program_url(program)))
    data["status"] = "active"
    response = admin_as_therapist.post(program_url(program), data)
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    program.refresh_from_db()
    assert program.status == Program.Status.DRAFT


def test_schedule_preview_shows_progressed_values_and_escapes_text(admin_as_therapist, therapist):
    program = ProgramFactory(owner=therapist, weeks=4)
    item = ItemFactory(
        block__program=program,
        exercise__name="<script>alert(1)</script> Row",
        load_kg=Decimal("10"),
    )
    ProgressionRuleFactory(item=item, parameter="load_kg", amount=Decimal("2.5"), start_week=2)

    html = admin_as_therapist.get(program_url(program)).content.decode()

    preview = html[html.index("Week-by-week plan") :]
    assert '<th scope="col">Week 4</th>' in preview
    row = "&lt;script&gt;alert(1)&lt;/script&gt; Row: load</th>"
    assert row in preview
    cells = preview[preview.index(row) :].split("</tr>")[0]
    assert re.findall(r"<td>([^<]*)</td>", cells) == ["10 kg", "12.5 kg", "15 kg", "17.5 kg"]
    assert "<script>alert(1)</script>" not in html


# Actions


def post_action(admin_client, action, programs, **data):
    return admin_client.post(
        PROGRAMS,
        {"action": action, "_selected_action": [program.pk for program in programs], **data},
        follow=True,
    )


def test_copy_action_makes_a_draft_for_the_chosen_client(admin_as_therapist, therapist):
    seed_library()
    template = Program.objects.get(slug="sciatic-nerve-pain-six-movement-tools")
    maria = ClientFactory(therapist=therapist)
    ClientFactory(first_name="Someone", last_name="Else")

    page = post_action(admin_as_therapist, "copy_to_client", [template])
    assert page.status_code == 200
    assert list(page.context["form"].fields["client"].queryset) == [maria]

    response = post_action(
        admin_as_therapist, "copy_to_client", [template], client=maria.pk, _apply="Copy"
    )

    copy = Program.objects.get(client=maria)
    assert response.redirect_chain[-1][0] == program_url(copy)
    assert (copy.owner, copy.status, copy.source, copy.version) == (therapist, "draft", template, 1)
    assert copy.blocks.count() == template.blocks.count()
    assert Item.objects.filter(block__program=copy).count() == (
        Item.objects.filter(block__program=template).count()
    )
    assert any("Copied 1 for" in message for message in shown_messages(response))


def test_a_template_can_be_copied_without_a_client(admin_as_therapist, therapist):
    template = ProgramFactory(owner=None, client=None, title="Shared")
    post_action(admin_as_therapist, "copy_to_client", [template], client="", _apply="Copy")
    copy = Program.objects.get(source=template)
    assert (copy.owner, copy.client, copy.title) == (therapist, None, "Shared")


def test_activate_refuses_without_a_clear_screening(admin_as_therapist, therapist):
    program = ProgramFactory(owner=therapist)
    ScreeningFactory(client=program.client, positive=True)
    ScreeningFactory(
        client=program.client, performed_at=timezone.now() - timedelta(days=31)
    )  # clear but too old

    response = post_action(admin_as_therapist, "activate", [program])

    assert any("needs a screening" in message for message in shown_messages(response))
    program.refresh_from_db()
    assert (program.status, program.version) == ("draft", 1)


def test_activate_succeeds_with_a_clear_screening(admin_as_therapist, therapist):
    program = ProgramFactory(owner=therapist)
    ScreeningFactory(client=program.client)

    response = post_action(admin_as_therapist, "activate", [program])

    assert any("Activated 1" in message for message in shown_messages(response))
    program.refresh_from_db()
    assert (program.status, program.activated_by, program.version) == ("active", therapist, 2)
    assert program.start_date == timezone.localdate()


def test_activate_with_an_override_reason(admin_as_therapist, therapist):
    program = ProgramFactory(owner=therapist)

    page = post_action(admin_as_therapist, "activate_with_override", [program])
    assert page.status_code == 200 and "override_reason" in page.context["form"].fields
    refused = post_action(
        admin_as_therapist, "activate_with_override", [program], override_reason=" ", _apply="1"
    )
    assert refused.context["form"].errors
    program.refresh_from_db()
    assert program.status == "draft"

    post_action(
        admin_as_therapist,
        "activate_with_override",
        [program],
        override_reason="Cleared by Dr Osei on 3 March.",
        _apply="Activate",
    )
    program.refresh_from_db()
    assert (program.status, program.override_reason, program.activated_by) == (
        "active",
        "Cleared by Dr Osei on 3 March.",
        therapist,
    )


def test_activate_leaves_shared_templates_alone(admin_as_therapist):
    template = ProgramFactory(owner=None, client=None)
    response = post_action(admin_as_therapist, "activate", [template])
    assert any("shared template" in message for message in shown_messages(response))
    template.refresh_from_db()
    assert template.status == "draft"


# Who gets in


def test_client_user_cannot_open_the_admin(client, client_user):
    client.force_login(client_user)
    assert client.get(PROGRAMS).status_code == 302
    assert client.get(CLIENTS).status_code == 302


def test_superuser_sees_everything(client, superuser):
    client.force_login(superuser)
    ProgramFactory(title="One")
    ProgramFactory(title="Two")
    ProgramFactory(owner=None, client=None, title="Shared")
    ClientFactory(first_name="Ana", last_name="A")
    assert listed(client.get(PROGRAMS)) == ["One", "Shared", "Two"]
    assert len(listed(client.get(CLIENTS))) == 3
    assert "owner" in client.get(PROGRAMS).context["cl"].list_display


def test_superuser_edits_a_shared_template_and_its_version_rises(client, superuser):
    client.force_login(superuser)
    template = ProgramFactory(owner=None, client=None, title="Shared")
    BlockFactory(program=template)
    data = form_data(client.get(program_url(template)))
    data["title"] = "Shared, revised"
    assert client.post(program_url(template), data).status_code == 302
    template.refresh_from_db()
    assert (template.title, template.owner, template.version) == ("Shared, revised", None, 2)
