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
