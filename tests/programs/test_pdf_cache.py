"""The PDF is rendered once per state of what it shows, by one request at a time."""

import threading
import time
from datetime import timedelta
from uuid import uuid4

import pytest
from django.core.cache import cache
from django.utils import timezone

from programs import printing, views
from programs.print_views import PrintQuerySerializer
from progression.engine import REVIEW_PAIN
from ptbuilder import caching
from tests.conftest import client_for
from tests.programs.conftest import template_copy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def program(therapist):
    return template_copy(therapist)


def pdf_url(program) -> str:
    return f"/api/v1/programs/{program.pk}/pdf/"


def log_session(program, pain: int):
    item = program.blocks.first().items.first()
    response = client_for(program.client.user).post(
        "/api/v1/me/sessions/",
        {
            "client_uuid": str(uuid4()),
            "program": program.pk,
            "performed_at": timezone.now().isoformat(),
            "entries": [{"item": item.pk, "side": "left", "reps": 8, "pain": pain}],
        },
    )
    assert response.status_code == 201, response.content
    return item


def test_a_logged_session_keeps_the_pdf_and_the_schedule(
    as_therapist, program, renders, monkeypatch
):
    """The handout and the schedule show the plan only, not what the client did."""
    schedules = []
    real_schedule = views.schedule_json
    monkeypatch.setattr(
        views, "schedule_json", lambda *a, **k: schedules.append(a) or real_schedule(*a, **k)
    )
    schedule_url = f"/api/v1/programs/{program.pk}/schedule/"
    first = as_therapist.get(pdf_url(program))
    as_therapist.get(schedule_url)

    log_session(program, pain=1)

    assert as_therapist.get(pdf_url(program))["ETag"] == first["ETag"]
    assert as_therapist.get(schedule_url).status_code == 200
    assert (len(renders), len(schedules)) == (1, 1)


def test_a_painful_session_shows_its_review_mark_at_once_and_keeps_the_pdf(
    as_therapist, program, renders
):
    detail = f"/api/v1/programs/{program.pk}/"
    pdf = as_therapist.get(pdf_url(program))
    assert as_therapist.get(detail).json()["blocks"][0]["items"][0]["needs_review"] is False

    log_session(program, pain=REVIEW_PAIN + 1)  # the item is marked for the therapist

    assert as_therapist.get(detail).json()["blocks"][0]["items"][0]["needs_review"] is True
    assert as_therapist.get(pdf_url(program))["ETag"] == pdf["ETag"] and len(renders) == 1


def test_a_changed_plan_renders_a_new_pdf(as_therapist, program, renders):
    first = as_therapist.get(pdf_url(program))
    item = program.blocks.first().items.first()
    item.reps_max = (item.reps_max or 10) + 1
    item.save()
    assert as_therapist.get(pdf_url(program))["ETag"] != first["ETag"] and len(renders) == 2


def test_the_next_day_prints_a_new_date(as_therapist, program, renders, time_machine):
    first = as_therapist.get(pdf_url(program))
    time_machine.move_to(timezone.now() + timedelta(days=1))
    assert as_therapist.get(pdf_url(program))["ETag"] != first["ETag"] and len(renders) == 2


class TestOneRenderAtATime:
    def test_simultaneous_requests_for_a_missing_entry_build_it_once(self):
        builds = []

        def build() -> bytes:
            builds.append(1)
            time.sleep(0.3)  # a render long enough for every thread to ask meanwhile
            return b"%PDF-"

        answers = []
        threads = [
            threading.Thread(
                target=lambda: answers.append(caching.rendered_once("pdf:k", build, wait_seconds=5))
            )
            for _ in range(6)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == [b"%PDF-"] * 6 and len(builds) == 1

    def test_a_failed_build_frees_the_lock(self):
        def failing() -> bytes:
            raise RuntimeError("render failed")

        with pytest.raises(RuntimeError):
            caching.rendered_once("pdf:k", failing, wait_seconds=1)
        assert caching.rendered_once("pdf:k", lambda: b"%PDF-", wait_seconds=0) == b"%PDF-"

    def test_a_request_that_waited_too_long_gets_503_with_retry_after(
        self, as_therapist, program, monkeypatch, renders
    ):
        query = PrintQuerySerializer(data={}, context={"program": program})
        query.is_valid(raise_exception=True)
        key = printing.pdf_cache_key(program, **query.validated_data)
        assert cache.add(f"lock:{key}", 1)  # another request is rendering it
        monkeypatch.setattr(printing, "RENDER_WAIT_SECONDS", 0.1)

        response = as_therapist.get(pdf_url(program))

        assert response.status_code == 503 and response["Retry-After"] == "2"
        assert response.json()["detail"] == "This PDF is being rendered; retry in a few seconds."
        assert renders == []
        cache.delete(f"lock:{key}")
        assert as_therapist.get(pdf_url(program)).status_code == 200
