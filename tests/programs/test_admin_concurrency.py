"""Two admin pages opened at the same version and saved at once: one save wins, the other is
refused as stale, judged on the locked row (PostgreSQL, each save on its own connection)."""

import threading

import pytest
from django.db import connection
from django.test import Client as BrowserClient

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


def save_at_once(therapist, url: str, posts: list[dict]) -> list:
    """Posts each form from its own thread, browser session and database connection."""
    barrier, responses = threading.Barrier(len(posts)), [None] * len(posts)

    def save(index):
        try:
            browser = BrowserClient()
            browser.force_login(therapist)
            barrier.wait(timeout=10)
            responses[index] = browser.post(url, posts[index])
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(index,)) for index in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_two_saves_of_one_version_cannot_both_pass():
    therapist = TherapistFactory()
    for round_ in range(6):
        program = ProgramFactory(owner=therapist, status=Program.Status.ACTIVE)
        ItemFactory(block__program=program)
        browser = BrowserClient()
        browser.force_login(therapist)
        page = form_data(browser.get(program_url(program)))
        posts = [{**page, "title": f"{side} {round_}"} for side in "AB"]

        responses = save_at_once(therapist, program_url(program), posts)

        assert sorted(response.status_code for response in responses) == [200, 302]
        [refused] = [response for response in responses if response.status_code == 200]
        assert "saved elsewhere" in refused.content.decode()
        program.refresh_from_db()
        assert program.version == 2
        assert ProgramVersion.objects.filter(program=program).count() == 1
