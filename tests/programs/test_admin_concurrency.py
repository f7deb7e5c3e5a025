"""Two saves of one version at once, from two admin pages or from the admin and the API: one
wins, the other is refused as stale, judged on the locked row; the winner raises the version
and keeps the replaced one, as any write does (PostgreSQL, each save on its own connection)."""

import threading

import pytest
from django.db import connection
from django.test import Client as BrowserClient
from rest_framework.test import APIClient

from programs.models import Program, ProgramVersion
from tests.factories import ItemFactory, ProgramFactory, TherapistFactory
from tests.programs.test_admin import form_data, program_url

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite lets one writer in at a time, so nothing can race",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def at_once(*saves) -> list:
    """Runs each save from its own thread and database connection, released together."""
    barrier, responses = threading.Barrier(len(saves)), [None] * len(saves)

    def run(index):
        try:
            barrier.wait(timeout=10)
            responses[index] = saves[index]()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(saves))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def admin_save(therapist, program, post):
    browser = BrowserClient()
    browser.force_login(therapist)
    return lambda: browser.post(program_url(program), post)


def api_write(therapist, program, data):
    api = APIClient()
    api.force_authenticate(therapist)
    url = f"/api/v1/programs/{program.pk}/"
    return lambda: api.patch(url, data, format="json", HTTP_IF_MATCH=program.etag)


def opened_page(therapist) -> tuple[Program, dict]:
    """An active program, and its admin page's form as a browser opened it."""
    program = ProgramFactory(owner=therapist, status=Program.Status.ACTIVE)
    ItemFactory(block__program=program)
    browser = BrowserClient()
    browser.force_login(therapist)
    return program, form_data(browser.get(program_url(program)))


def test_two_saves_of_one_version_cannot_both_pass():
    therapist = TherapistFactory()
    for round_ in range(6):
        program, page = opened_page(therapist)
        posts = [{**page, "title": f"{side} {round_}"} for side in "AB"]

        responses = at_once(*(admin_save(therapist, program, post) for post in posts))

        assert sorted(response.status_code for response in responses) == [200, 302]
        [refused] = [response for response in responses if response.status_code == 200]
        assert "after you opened it at version 1" in refused.content.decode()
        program.refresh_from_db()
        assert program.version == 2
        assert ProgramVersion.objects.filter(program=program).count() == 1


def test_an_admin_save_and_an_api_write_of_one_version_cannot_both_pass():
    therapist = TherapistFactory()
    for round_ in range(6):
        program, page = opened_page(therapist)
        page["title"], before = f"Admin {round_}", program.title

        admin, api = at_once(
            admin_save(therapist, program, page),
            api_write(therapist, program, {"title": f"API {round_}"}),
        )

        # the admin answers a save with a redirect and a refusal with its page again
        assert (admin.status_code, api.status_code) in ((302, 412), (200, 200))
        admin_won = admin.status_code == 302
        if not admin_won:
            assert "after you opened it at version 1" in admin.content.decode()
        program.refresh_from_db()
        assert program.title == (f"Admin {round_}" if admin_won else f"API {round_}")
        assert program.version == 2
        [kept] = ProgramVersion.objects.filter(program=program)
        assert kept.version == 1 and kept.snapshot["title"] == before
