"""A present red flag acts: an emergency pauses the client's active programs at once and the
client app tells them to call emergency services; any present flag reaches the therapist's
attention list until they record why the client may go on. Found by a screening (API and
admin) or by the client's own symptom report."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from exercises.models import RedFlag
from programs.models import Program, ProgramVersion
from safety.models import Attention
from tests.conftest import client_for
from tests.factories import (
    ClientUserFactory,
    ConditionFactory,
    ItemFactory,
    ProgramFactory,
    RedFlagFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def condition():
    condition = ConditionFactory(slug="sciatica", red_flags=0)
    RedFlagFactory(condition=condition, slug="bladder", kind=RedFlag.Kind.EMERGENCY, position=1)
    RedFlagFactory(condition=condition, slug="fever", kind=RedFlag.Kind.STOP, position=2)
    RedFlagFactory(condition=condition, slug="cancer", kind=RedFlag.Kind.HISTORY, position=3)
    return condition


@pytest.fixture
def active(therapist, condition):
    program = ProgramFactory(
        owner=therapist,
        condition=condition,
        status=Program.Status.ACTIVE,
        start_date=timezone.localdate() - timedelta(days=3),
    )
    ItemFactory(block__program=program)
    return program


@pytest.fixture
def app(active):
    return client_for(ClientUserFactory(client_profile=active.client))


def flag(slug) -> RedFlag:
    return RedFlag.objects.get(slug=slug)


def screen(api, program, *present):
    answers = [
        {"red_flag": red_flag.pk, "present": red_flag.slug in present}
        for red_flag in program.condition.red_flags.all()
    ]
    return api.post(
        f"/api/v1/clients/{program.client_id}/screenings/",
        {"condition": program.condition.slug, "answers": answers},
        format="json",
    )


class TestAnEmergencyAtScreening:
    def test_pauses_the_active_programs_with_who_when_and_why(
        self, as_therapist, therapist, active
    ):
        response = screen(as_therapist, active, "bladder")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["attention"]["is_emergency"] is True
        assert [red_flag["slug"] for red_flag in body["attention"]["red_flags"]] == ["bladder"]
        assert body["paused_programs"] == [active.pk]
        active.refresh_from_db()
        assert active.status == Program.Status.PAUSED
        assert active.paused_by == therapist and active.paused_at is not None
        assert "Emergency red flag present at screening" in active.pause_reason
        assert active.version == 2
        assert ProgramVersion.objects.filter(program=active, version=1).exists()

    def test_the_client_app_shows_the_urgent_message_instead_of_exercises(
        self, as_therapist, app, active
    ):
        assert app.get("/api/v1/me/").json()["alert"] is None
        assert app.get("/api/v1/me/programs/").json()["count"] == 1
        screen(as_therapist, active, "bladder")
        alert = app.get("/api/v1/me/").json()["alert"]
        assert alert["kind"] == "emergency"
        assert "call emergency services now (911)" in alert["message"]
        assert app.get("/api/v1/me/programs/").json()["count"] == 0

    def test_the_therapists_client_list_and_record_say_so(self, as_therapist, active):
        screen(as_therapist, active, "bladder")
        [row] = as_therapist.get("/api/v1/clients/").json()["results"]
        assert row["attention"] == {"open": 1, "emergency": True}
        detail = as_therapist.get(f"/api/v1/clients/{active.client_id}/").json()
        assert detail["attention"]["emergency"] is True


class TestAFlagThatIsNoEmergency:
    def test_leaves_programs_running_marked_until_a_reason_is_recorded(
        self, as_therapist, therapist, active
    ):
        body = screen(as_therapist, active, "fever").json()
        assert body["attention"]["is_emergency"] is False and body["paused_programs"] == []
        active.refresh_from_db()
        assert active.status == Program.Status.ACTIVE
        [item] = as_therapist.get("/api/v1/attention/").json()["results"]
        url = f"/api/v1/attention/{item['id']}/clear/"

        refused = as_therapist.post(url, {"reason": " "}, format="json")
        assert refused.status_code == 400 and "reason" in refused.json()
        cleared = as_therapist.post(url, {"reason": "Seen by GP, no infection."}, format="json")
        assert cleared.status_code == 200
        assert cleared.json()["cleared_by"] == therapist.username
        assert as_therapist.get("/api/v1/attention/").json()["results"] == []
        assert as_therapist.get("/api/v1/attention/", {"cleared": "true"}).json()["count"] == 1
        assert as_therapist.post(url, {"reason": "again"}, format="json").status_code == 409
        [row] = as_therapist.get("/api/v1/clients/").json()["results"]
        assert row["attention"] == {"open": 0, "emergency": False}

    def test_a_clear_screening_asks_for_nothing(self, as_therapist, active):
        body = screen(as_therapist, active).json()
        assert body["attention"] is None and body["paused_programs"] == []
        assert not Attention.objects.exists()

    def test_another_therapist_neither_sees_nor_clears_it(self, as_therapist, active):
        screen(as_therapist, active, "fever")
        item = Attention.objects.get()
        other = client_for(TherapistFactory())
        assert other.get("/api/v1/attention/").json()["results"] == []
        clear = other.post(f"/api/v1/attention/{item.pk}/clear/", {"reason": "x"}, format="json")
        assert clear.status_code == 404
        assert other.get("/api/v1/attention/", {"client": active.client_id}).status_code == 400


class TestASymptomReport:
    def report(self, app, *slugs, text=""):
        flags = [flag(slug).pk for slug in slugs]
        return app.post("/api/v1/me/symptoms/", {"red_flags": flags, "text": text}, format="json")

    def test_the_questions_are_the_flags_a_client_can_notice(self, app):
        questions = app.get("/api/v1/me/").json()["symptom_questions"]
        assert [question["kind"] for question in questions] == ["emergency", "stop"]

    def test_an_emergency_answers_with_the_urgent_message_and_pauses(self, app, active):
        response = self.report(app, "bladder", text="Since this morning")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["urgent"] is True and body["therapist_told"] is True
        assert "call emergency services now (911)" in body["message"]
        active.refresh_from_db()
        assert active.status == Program.Status.PAUSED
        assert "the client's symptom report" in active.pause_reason
        attention = Attention.objects.get()
        assert attention.is_emergency and attention.source == "symptom report"
        assert attention.symptom_report.text == "Since this morning"

    def test_another_flag_reaches_the_therapist_and_the_program_goes_on(
        self, app, as_therapist, active
    ):
        body = self.report(app, "fever").json()
        assert body == {**body, "urgent": False, "message": None, "therapist_told": True}
        active.refresh_from_db()
        assert active.status == Program.Status.ACTIVE
        [item] = as_therapist.get("/api/v1/attention/", {"kind": "red_flag"}).json()["results"]
        assert item["source"] == "symptom report" and item["client"] == active.client_id

    def test_no_sign_is_a_report_without_attention(self, app):
        body = self.report(app, text="A bit stiff").json()
        assert body["therapist_told"] is False and not Attention.objects.exists()

    def test_only_the_clients_own_noticeable_flags_are_taken(self, app):
        history = self.report(app, "cancer")
        assert history.status_code == 400 and "red_flags" in history.json()
        theirs = RedFlagFactory(condition=ConditionFactory(), kind=RedFlag.Kind.EMERGENCY)
        foreign = app.post("/api/v1/me/symptoms/", {"red_flags": [theirs.pk]}, format="json")
        assert foreign.status_code == 400 and "red_flags" in foreign.json()
        assert not Attention.objects.exists()

    def test_only_a_clients_app_account_reports(self, api, as_therapist):
        assert api.post("/api/v1/me/symptoms/", {}, format="json").status_code == 401
        assert as_therapist.post("/api/v1/me/symptoms/", {}, format="json").status_code == 403


class TestTheAdmin:
    def add_screening(self, browser, program, *present):
        data = {"client": program.client_id, "condition": program.condition_id, "notes": ""}
        for red_flag in RedFlag.objects.all():
            data[f"flag_{red_flag.pk}"] = "present" if red_flag.slug in present else "absent"
        return browser.post(reverse("admin:clients_screening_add"), data, follow=True)

    def test_an_emergency_is_said_in_red_on_the_clients_page(self, admin_as_therapist, active):
        response = self.add_screening(admin_as_therapist, active, "bladder")
        assert response.redirect_chain[-1][0] == reverse(
            "admin:clients_client_change", args=[active.client_id]
        )
        [message] = list(response.context["messages"])
        assert message.level_tag == "error" and "EMERGENCY" in message.message
        assert "1 active program(s) paused" in message.message
        html = response.content.decode()
        assert "EMERGENCY red flag: programs paused, contact the client now" in html
        active.refresh_from_db()
        assert active.status == Program.Status.PAUSED
        listing = admin_as_therapist.get(reverse("admin:clients_client_changelist"))
        assert "EMERGENCY: programs paused" in listing.content.decode()

    def test_a_flag_is_cleared_with_a_reason(self, admin_as_therapist, therapist, active):
        response = self.add_screening(admin_as_therapist, active, "fever")
        [message] = list(response.context["messages"])
        assert message.level_tag == "warning"
        attention = Attention.objects.get()
        url = reverse("admin:safety_attention_change", args=[attention.pk])
        assert admin_as_therapist.post(url, {"clearance_reason": ""}).status_code == 200
        assert admin_as_therapist.post(url, {"clearance_reason": "GP: no fever"}).status_code == 302
        attention.refresh_from_db()
        assert attention.cleared_by == therapist and attention.clearance_reason == "GP: no fever"


@pytest.mark.parametrize("red_flags", [{}, {"1": True}, "bladder", 3])
def test_a_symptom_report_takes_a_list_of_flags_only(app, red_flags):
    response = app.post("/api/v1/me/symptoms/", {"red_flags": red_flags}, format="json")
    assert response.status_code == 400 and "red_flags" in response.json()


def test_a_reported_emergency_keeps_the_program_paused_until_cleared(as_therapist, app, active):
    activate = f"/api/v1/programs/{active.pk}/activate/"
    screen(as_therapist, active)  # clear
    app.post("/api/v1/me/symptoms/", {"red_flags": [flag("bladder").pk]}, format="json")
    refused = as_therapist.post(activate, {}, format="json")
    assert refused.status_code == 409 and "no open emergency" in refused.json()["detail"]
    [item] = as_therapist.get("/api/v1/attention/").json()["results"]
    clear = f"/api/v1/attention/{item['id']}/clear/"
    assert as_therapist.post(clear, {"reason": "Seen, cleared."}, format="json").status_code == 200
    assert as_therapist.post(activate, {}, format="json").status_code == 200
