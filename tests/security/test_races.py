"""Activate, delete and patch of one program in parallel, each request on its own connection.

Every state rule is judged on the locked row (programs/services.py), so whatever order the
database lets the requests through in, the outcome is one that running them one after another
would give: never a deleted program that was also activated, never a 5xx. The single-request
versions of these cases are in test_locked_state.py.
"""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.test import APIClient

from programs.models import Program
from tests.factories import ProgramFactory, TherapistFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite lets one writer in at a time, so nothing can race",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
REASON = {"override_reason": "Cleared by the client's physician."}


def url(program, action=""):
    return f"/api/v1/programs/{program.pk}/" + (f"{action}/" if action else "")


def race(user, requests: dict) -> dict:
    """Sends the requests (name → (method, path, body, headers)) at once, each from its own
    thread with its own client and database connection; returns name → (status, body)."""
    barrier = threading.Barrier(len(requests))
    answers, errors = {}, {}

    def send(name, method, path, body, headers):
        try:
            api = APIClient()
            api.force_authenticate(get_user_model().objects.get(pk=user.pk))
            barrier.wait(timeout=10)
            response = getattr(api, method)(path, body, format="json", **headers)
            answers[name] = (response.status_code, response.content)
        except Exception as error:  # reported below with the request it belongs to
            errors[name] = repr(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send, args=(name, *request)) for name, request in requests.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    assert not errors, errors
    server_errors = {name: answer for name, answer in answers.items() if answer[0] >= 500}
    assert not server_errors, server_errors
    return {name: status for name, (status, _) in answers.items()}


def stored(program) -> Program | None:
    return Program.objects.filter(pk=program.pk).first()


def test_activate_racing_delete_never_both_succeed():
    therapist = TherapistFactory()
    for _ in range(12):
        draft = ProgramFactory(owner=therapist)
        statuses = race(
            therapist,
            {
                "activate": ("post", url(draft, "activate"), REASON, {}),
                "delete": ("delete", url(draft), None, {}),
            },
        )
        program = stored(draft)
        if program is None:
            assert statuses == {"activate": 404, "delete": 204}, statuses
        else:
            assert statuses == {"activate": 200, "delete": 409}, statuses
            assert program.status == Program.Status.ACTIVE
            assert program.override_reason == REASON["override_reason"]


def test_parallel_deletes_with_one_if_match_delete_once():
    therapist = TherapistFactory()
    draft = ProgramFactory(owner=therapist)
    headers = {"HTTP_IF_MATCH": draft.etag}
    requests = {index: ("delete", url(draft), None, headers) for index in range(10)}

    statuses = sorted(race(therapist, requests).values())

    assert statuses.count(204) == 1, statuses
    assert set(statuses) - {204} <= {404, 412}, statuses
    assert stored(draft) is None


def test_delete_racing_patch_and_activate_ends_consistent():
    """Delete succeeds only while the program is still a draft: an activation that got in first
    makes it a 409 (and the edit then lands too), and once it is gone the later requests are
    404s; every 200 shows in the stored row."""
    therapist = TherapistFactory()
    for _ in range(8):
        draft = ProgramFactory(owner=therapist, title="Before")
        statuses = race(
            therapist,
            {
                "delete": ("delete", url(draft), None, {}),
                "patch": ("patch", url(draft), {"title": "After"}, {}),
                "activate": ("post", url(draft, "activate"), REASON, {}),
            },
        )
        assert statuses["delete"] in {204, 409}, statuses
        assert statuses["patch"] in {200, 404}, statuses
        assert statuses["activate"] in {200, 404}, statuses
        program = stored(draft)
        if statuses["delete"] == 204:
            assert program is None, statuses
            assert statuses["activate"] == 404, statuses
            continue
        assert program is not None, statuses
        assert statuses == {"delete": 409, "patch": 200, "activate": 200}, statuses
        assert program.status == Program.Status.ACTIVE
        assert program.title == "After"
        assert program.version == draft.version + 2  # one step each, neither lost
