"""A therapist's change renders the client's PDF ahead, on the task queue (eager in tests)."""

import logging

import pytest
from django.core.cache import cache

from programs import printing, tasks
from programs.models import Program
from programs.seeding import seed_library
from programs.services import program_activate, program_copy
from tests.conftest import client_for
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def copied(therapist, *, activate: bool) -> Program:
    seed_library()
    client = ClientFactory(therapist=therapist, user=UserFactory())
    template = Program.objects.get(slug="sciatic-nerve-pain-six-movement-tools")
    copy = program_copy(program=template, client=client, by=therapist)
    if not activate:
        return copy
    return program_activate(program=copy, by=therapist, override_reason="Medical clearance")


@pytest.fixture
def renders(monkeypatch) -> list:
    rendered = []
    real_render = printing.render_pdf
    monkeypatch.setattr(
        printing, "render_pdf", lambda doc: rendered.append(doc) or real_render(doc)
    )
    return rendered


def rename(api, program, title="Renamed"):
    response = api.patch(f"/api/v1/programs/{program.pk}/", {"title": title})
    assert response.status_code == 200, response.content


def test_an_edit_renders_the_pdf_the_client_downloads_next(
    as_therapist, therapist, renders, django_capture_on_commit_callbacks, caplog
):
    program = copied(therapist, activate=True)
    caplog.set_level(logging.INFO, logger="ptbuilder.tasks")
    with django_capture_on_commit_callbacks(execute=True) as queued:
        rename(as_therapist, program)
    assert len(queued) == 1 and len(renders) == 1
    assert "Renamed" in renders[0].title

    download = client_for(program.client.user).get(f"/api/v1/me/programs/{program.pk}/pdf/")
    assert download.status_code == 200 and len(renders) == 1  # a cache hit
    [queued_line] = [r.message for r in caplog.records if " queued: " in r.message]
    [ran_line] = [r.message for r in caplog.records if " ran: " in r.message]
    assert queued_line.split()[1] == ran_line.split()[1]  # the same task id


def test_nothing_is_rendered_for_a_draft(
    as_therapist, therapist, renders, django_capture_on_commit_callbacks
):
    program = copied(therapist, activate=False)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        rename(as_therapist, program)
    assert queued == [] and renders == []


def test_the_render_waits_for_the_commit(as_therapist, therapist, renders):
    """Inside the test's transaction nothing commits, so nothing is queued or rendered."""
    rename(as_therapist, copied(therapist, activate=True))
    assert renders == []


def test_a_failing_render_is_retried_a_bounded_number_of_times_and_logged(
    as_therapist, therapist, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    program = copied(therapist, activate=True)
    attempts = []

    def failing(document):
        attempts.append(document)
        raise OSError("fonts are gone")

    monkeypatch.setattr(printing, "render_pdf", failing)
    caplog.set_level(logging.INFO, logger="ptbuilder.tasks")
    with django_capture_on_commit_callbacks(execute=True):
        rename(as_therapist, program)

    assert len(attempts) == 1 + tasks.MAX_RETRIES
    messages = [record.message for record in caplog.records]
    assert sum(" retried: " in message for message in messages) == tasks.MAX_RETRIES
    assert sum(" failed: " in message for message in messages) == 1
    assert not any(" ran: " in message for message in messages)
    monkeypatch.undo()
    assert as_therapist.get(f"/api/v1/programs/{program.pk}/pdf/").status_code == 200


def test_an_unreachable_queue_keeps_the_change(
    as_therapist, therapist, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    program = copied(therapist, activate=True)

    def unreachable(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.render_pdf, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        rename(as_therapist, program, "Kept")
    program.refresh_from_db()
    assert program.title == "Kept"
    assert any("broker down" in str(record.exc_info) for record in caplog.records)
