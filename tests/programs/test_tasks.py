"""A therapist's change renders the client's PDF ahead, on the task queue (eager in tests)."""

import logging

import pytest
from django.core.cache import cache

from programs import printing, tasks
from tests.conftest import client_for
from tests.programs.conftest import template_copy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def rename(api, program, title="Renamed"):
    response = api.patch(f"/api/v1/programs/{program.pk}/", {"title": title})
    assert response.status_code == 200, response.content


def test_an_edit_renders_the_pdf_the_client_downloads_next(
    as_therapist, therapist, renders, django_capture_on_commit_callbacks, caplog
):
    program = template_copy(therapist)
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
    program = template_copy(therapist, activate=False)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        rename(as_therapist, program)
    assert queued == [] and renders == []


def test_the_render_waits_for_the_commit(as_therapist, therapist, renders):
    """Inside the test's transaction nothing commits, so nothing is queued or rendered."""
    rename(as_therapist, template_copy(therapist))
    assert renders == []


def test_a_failing_render_is_retried_a_bounded_number_of_times_and_logged(
    as_therapist, therapist, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    program = template_copy(therapist)
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
    program = template_copy(therapist)

    def unreachable(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.render_pdf, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        rename(as_therapist, program, "Kept")
    program.refresh_from_db()
    assert program.title == "Kept"
    assert any("broker down" in str(record.exc_info) for record in caplog.records)
