"""State rules are judged on the locked row, not on what the request read before it.

Each test hands a service the program as a request read it, then changes the stored row the way
a concurrent request would have committed meanwhile (the parallel versions on PostgreSQL are in
test_races.py).
"""

import pytest
from django.utils import timezone

from logbook.session_logging import session_log
from programs import services
from programs.models import Program
from programs.views import ProgramViewSet
from ptbuilder.domain_errors import Conflict, Invalid
from tests.factories import ItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def activated_meanwhile(program: Program) -> None:
    Program.objects.filter(pk=program.pk).update(status=Program.Status.ACTIVE, version=2)


def test_a_draft_activated_meanwhile_is_not_deleted():
    draft = ProgramFactory(status=Program.Status.DRAFT)
    activated_meanwhile(draft)
    with pytest.raises(Conflict):
        services.program_delete(program=draft)
    assert Program.objects.get(pk=draft.pk).status == Program.Status.ACTIVE


def test_a_status_change_is_judged_on_the_current_status():
    draft = ProgramFactory(status=Program.Status.DRAFT)
    activated_meanwhile(draft)
    with pytest.raises(Invalid) as raised:
        services.program_update(program=draft, data={"status": Program.Status.ARCHIVED})
    assert "status" in raised.value.errors
    assert Program.objects.get(pk=draft.pk).status == Program.Status.ACTIVE


def test_a_client_change_is_judged_on_the_current_status(therapist):
    draft = ProgramFactory(status=Program.Status.DRAFT, owner=therapist)
    activated_meanwhile(draft)
    other = ProgramFactory(owner=therapist).client
    with pytest.raises(Invalid) as raised:
        services.program_update(program=draft, data={"client": other})
    assert "client" in raised.value.errors


def test_a_session_for_a_program_paused_meanwhile_is_refused():
    item = ItemFactory(block__program__status=Program.Status.ACTIVE)
    program = item.block.program
    Program.objects.filter(pk=program.pk).update(status=Program.Status.PAUSED)
    data = {
        "client_uuid": "3f0c2b1e-0d6b-4d8e-9a59-1c1f3b0b5d21",
        "program_id": program.pk,
        "performed_at": timezone.now(),
        "entry_list": [{"item_id": item.pk, "sets": 1}],
    }
    with pytest.raises(Invalid) as raised:
        session_log(client_id=program.client_id, data=data)
    assert "program" in raised.value.errors
    assert not program.sessions.exists()


def test_a_program_deleted_meanwhile_answers_404_not_500(as_therapist, therapist, monkeypatch):
    draft = ProgramFactory(status=Program.Status.DRAFT, owner=therapist)
    stale = Program.objects.get(pk=draft.pk)
    Program.objects.filter(pk=draft.pk).delete()
    monkeypatch.setattr(ProgramViewSet, "get_object", lambda view: stale)
    for method, body in [("delete", None), ("patch", {"title": "x"}), ("post", {})]:
        path = f"/api/v1/programs/{draft.pk}/" + ("activate/" if method == "post" else "")
        response = getattr(as_therapist, method)(path, body, format="json")
        assert response.status_code == 404, (method, response.content)


def test_the_admin_deletes_through_the_locked_row(client, therapist, monkeypatch):
    """The delete page was opened on a draft, which was activated before the confirmation."""
    from programs.admin import ProgramAdmin

    client.force_login(therapist)
    draft = ProgramFactory(status=Program.Status.DRAFT, owner=therapist)
    stale = Program.objects.get(pk=draft.pk)
    activated_meanwhile(draft)
    monkeypatch.setattr(ProgramAdmin, "get_object", lambda self, request, object_id, *a: stale)
    response = client.post(f"/admin/programs/program/{draft.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert Program.objects.get(pk=draft.pk).status == Program.Status.ACTIVE
