"""One path for a new client, from their page in the admin: a screening with the client and
their condition preselected, a program copied from a template and named for them, and an
invitation to the app with a code to scan; the client list says where each client stands."""

import base64
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import segno
from django.contrib.admin.models import LogEntry
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from chart.admin import QR_SCALE
from chart.services import TITLE_LENGTH, title_for
from clients.models import Invitation, Screening
from programs.models import Program
from programs.services import program_copy
from tests.factories import (
    BlockFactory,
    ClientFactory,
    ClientUserFactory,
    ConditionFactory,
    ItemFactory,
    ProgramFactory,
    ScreeningFactory,
    SessionFactory,
)
from tests.programs.test_admin import CLIENTS, SCREENING_ADD

pytestmark = pytest.mark.django_db
REDEEM = "/api/v1/auth/redeem/"
CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


def page_of(client):
    return reverse("admin:clients_client_change", args=[client.pk])


def new_program_url(client):
    return reverse("admin:clients_client_new_program", args=[client.pk])


def invite_url(client):
    return reverse("admin:clients_client_invite", args=[client.pk])


def screening_link(html: str) -> str:
    [href] = re.findall(r'href="([^"]*)"[^>]*>Record a screening<', html)
    return href.replace("&amp;", "&")


def answers(condition, *present) -> dict:
    return {
        f"flag_{flag.pk}": "present" if flag.slug in present else "absent"
        for flag in condition.red_flags.all()
    }


@pytest.fixture
def dana(therapist):
    return ClientFactory(therapist=therapist, first_name="Dana", last_name="Demo")


@pytest.fixture
def sciatica():
    return ConditionFactory(name="Sciatica", red_flags=3)


class TestRecordAScreening:
    def test_the_link_preselects_the_client_and_the_condition_they_are_seen_for(
        self, admin_as_therapist, dana, sciatica
    ):
        ScreeningFactory(
            client=dana, condition=sciatica, performed_at=timezone.now() - timedelta(days=40)
        )
        link = screening_link(admin_as_therapist.get(page_of(dana)).content.decode())
        assert urlsplit(link).path == SCREENING_ADD
        assert parse_qs(urlsplit(link).query) == {
            "client": [str(dana.pk)],
            "condition": [str(sciatica.pk)],
        }
        form = admin_as_therapist.get(link).context["adminform"].form
        assert (form["client"].value(), form["condition"].value()) == (
            str(dana.pk),
            str(sciatica.pk),
        )

    def test_a_programs_condition_is_taken_before_any_screening(
        self, admin_as_therapist, therapist, dana, sciatica
    ):
        ProgramFactory(owner=therapist, client=dana, condition=sciatica)
        link = screening_link(admin_as_therapist.get(page_of(dana)).content.decode())
        assert parse_qs(urlsplit(link).query)["condition"] == [str(sciatica.pk)]

    def test_a_client_seen_for_nothing_yet_gets_the_client_only(self, admin_as_therapist, dana):
        link = screening_link(admin_as_therapist.get(page_of(dana)).content.decode())
        assert parse_qs(urlsplit(link).query) == {"client": [str(dana.pk)]}

    def test_another_therapists_client_in_the_link_is_ignored(self, admin_as_therapist, sciatica):
        theirs = ClientFactory(first_name="Theodora", last_name="Theirs")
        page = admin_as_therapist.get(SCREENING_ADD, {"client": theirs.pk, "condition": "x"})
        form = page.context["adminform"].form
        assert "client" not in form.initial and "condition" not in form.initial
        assert "Theodora" not in page.content.decode()

    def test_another_therapists_client_cannot_be_screened(self, admin_as_therapist, sciatica):
        theirs = ClientFactory()
        data = {"client": theirs.pk, "condition": sciatica.pk, **answers(sciatica)}
        response = admin_as_therapist.post(SCREENING_ADD, data)
        assert list(response.context["adminform"].form.errors) == ["client"]
        assert not Screening.objects.exists()

    def test_each_flag_is_a_present_or_absent_choice_with_none_preselected(
        self, admin_as_therapist, dana, sciatica
    ):
        html = admin_as_therapist.get(SCREENING_ADD, {"client": dana.pk}).content.decode()
        for flag in sciatica.red_flags.all():
            radios = re.findall(rf'<input type="radio" name="flag_{flag.pk}"[^>]*>', html)
            assert [re.search(r'value="(\w+)"', radio)[1] for radio in radios] == [
                "present",
                "absent",
            ]
            assert not any("checked" in radio for radio in radios)

    def test_a_flag_left_unanswered_is_refused_by_its_name(
        self, admin_as_therapist, dana, sciatica
    ):
        first, second, third = sciatica.red_flags.all()
        data = {"client": dana.pk, "condition": sciatica.pk, **answers(sciatica)}
        del data[f"flag_{second.pk}"]
        response = admin_as_therapist.post(SCREENING_ADD, data)
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert list(errors) == [f"flag_{second.pk}"]
        assert second.text in errors[f"flag_{second.pk}"][0]
        assert not Screening.objects.exists()

    def test_answers_are_saved_and_the_client_page_comes_next(
        self, admin_as_therapist, dana, sciatica
    ):
        first, second, third = sciatica.red_flags.all()
        response = admin_as_therapist.post(
            SCREENING_ADD,
            {"client": dana.pk, "condition": sciatica.pk, **answers(sciatica, second.slug)},
        )
        assert response.status_code == 302 and response.url == page_of(dana)
        recorded = {
            answer.red_flag: answer.present for answer in Screening.objects.get().answers.all()
        }
        assert recorded == {first: False, second: True, third: False}

    def test_a_clear_screening_returns_to_the_client_page_too(
        self, admin_as_therapist, dana, sciatica
    ):
        data = {"client": dana.pk, "condition": sciatica.pk, **answers(sciatica)}
        response = admin_as_therapist.post(SCREENING_ADD, data)
        assert response.status_code == 302 and response.url == page_of(dana)
        assert Screening.objects.get().is_clear

    def test_another_conditions_flag_answered_present_is_refused(
        self, admin_as_therapist, dana, sciatica
    ):
        neck = ConditionFactory(name="Neck pain", red_flags=1)
        data = {
            "client": dana.pk,
            "condition": sciatica.pk,
            **answers(sciatica),
            **answers(neck, neck.red_flags.get().slug),
        }
        response = admin_as_therapist.post(SCREENING_ADD, data)
        assert "belong to another condition" in response.content.decode()
        assert not Screening.objects.exists()


@pytest.fixture
def shared_template():
    template = ProgramFactory(
        owner=None, client=None, title="Sciatic nerve pain: six movement tools"
    )
    ItemFactory(block=BlockFactory(program=template))
    return template


class TestNewProgramFromTemplate:
    def test_the_choice_is_the_shared_templates_and_the_therapists_own(
        self, admin_as_therapist, therapist, dana, shared_template
    ):
        mine = ProgramFactory(owner=therapist, client=None, title="My knee template")
        ProgramFactory(client=None, title="Their template")
        ProgramFactory(owner=therapist, client=dana, title="Dana's program")
        ProgramFactory(
            owner=therapist, client=None, title="Old one", status=Program.Status.ARCHIVED
        )
        form = admin_as_therapist.get(page_of(dana)).context["new_program_form"]
        assert list(form.fields["template"].queryset) == [shared_template, mine]

    def test_the_copy_is_named_for_the_client_and_its_page_opens(
        self, admin_as_therapist, therapist, dana, shared_template
    ):
        response = admin_as_therapist.post(new_program_url(dana), {"template": shared_template.pk})
        copy = Program.objects.get(client=dana)
        assert response.status_code == 302
        assert response.url == reverse("admin:programs_program_change", args=[copy.pk])
        assert copy.title == "Sciatic nerve pain: six movement tools – Dana Demo"
        assert (copy.source, copy.owner, copy.status) == (shared_template, therapist, "draft")
        assert copy.blocks.get().items.count() == 1
        entry = LogEntry.objects.get(object_id=str(copy.pk))
        assert entry.change_message == f"Copied from template {shared_template.pk}."

    def test_a_template_the_therapist_cannot_see_copies_nothing(
        self, admin_as_therapist, therapist, dana
    ):
        theirs = ProgramFactory(client=None, title="Their template")
        someone = ProgramFactory(owner=therapist, client=dana, title="Not a template")
        for template in (theirs, someone):
            response = admin_as_therapist.post(
                new_program_url(dana), {"template": template.pk}, follow=True
            )
            assert response.redirect_chain == [(page_of(dana), 302)]
            [message] = response.context["messages"]
            assert message.message.startswith("No program was made: Select a valid choice.")
        assert Program.objects.filter(client=dana).count() == 1

    def test_another_therapists_client_gets_nothing(self, admin_as_therapist, shared_template):
        theirs = ClientFactory()
        response = admin_as_therapist.post(
            new_program_url(theirs), {"template": shared_template.pk}
        )
        assert response.status_code == 302 and response.url == reverse("admin:index")
        assert not Program.objects.filter(client=theirs).exists()

    def test_it_is_a_post_with_csrf(self, therapist, dana, shared_template):
        browser = Browser(enforce_csrf_checks=True)
        browser.force_login(therapist)
        assert browser.get(new_program_url(dana)).status_code == 405
        refused = browser.post(new_program_url(dana), {"template": shared_template.pk})
        assert refused.status_code == 403
        token = browser.get(page_of(dana)).context["csrf_token"]
        accepted = browser.post(
            new_program_url(dana), {"template": shared_template.pk, "csrfmiddlewaretoken": token}
        )
        assert accepted.status_code == 302
        assert Program.objects.filter(client=dana).count() == 1

    def test_a_long_title_keeps_the_clients_name_within_the_column(self, dana):
        title = title_for(Program(title="x" * TITLE_LENGTH), dana)
        assert len(title) == TITLE_LENGTH and title.endswith(" – Dana Demo")

    def test_a_copy_without_a_title_keeps_the_originals(self, therapist, dana, shared_template):
        copy = program_copy(program=shared_template, client=dana, by=therapist)
        assert copy.title == shared_template.title


class TestInviteToTheApp:
    def invite(self, browser, client) -> str:
        response = browser.post(invite_url(client))
        assert response.status_code == 200
        html = response.content.decode()
        code = re.search(r'id="invitation-code"[^>]*>([^<]*)<', html)[1]
        assert CODE.fullmatch(code)
        src = re.search(r'id="invitation-qr" src="([^"]+)"', html)[1]
        assert src == segno.make_qr(code, error="m").png_data_uri(scale=QR_SCALE, border=4)
        width = int.from_bytes(base64.b64decode(src.split(",")[1])[16:20], "big")
        assert width // QR_SCALE - 8 >= 21  # a full QR code (a Micro one phones cannot read)
        expires = Invitation.objects.get(client=client).expires_at
        assert f'Valid until <strong id="invitation-expires">{expires:%-d %b %Y %H:%M}' in html
        return code

    def redeem(self, api, code, username):
        body = {"code": code, "username": username, "password": "a-long-enough-passphrase"}
        return api.post(REDEEM, body, format="json")

    def test_the_page_shows_a_code_its_expiry_and_a_qr_code(self, admin_as_therapist, dana):
        self.invite(admin_as_therapist, dana)
        assert Invitation.objects.get(client=dana).created_at > timezone.now() - timedelta(1)

    def test_inviting_again_replaces_the_code(self, admin_as_therapist, api, dana):
        old = self.invite(admin_as_therapist, dana)
        new = self.invite(admin_as_therapist, dana)
        assert old != new
        refused = self.redeem(api, old, "dana-old")
        assert refused.status_code == 400 and "code" in refused.json()
        assert self.redeem(api, new, "dana").status_code == 201
        dana.refresh_from_db()
        assert dana.user.username == "dana"

    def test_the_client_page_says_where_the_app_account_stands(self, admin_as_therapist, api, dana):
        def status():
            html = admin_as_therapist.get(page_of(dana)).content.decode()
            cell = re.search(r'<td id="app-account">(.*?)</td>', html, re.S)[1]
            return " ".join(cell.split())

        assert status() == "No app account yet."
        code = self.invite(admin_as_therapist, dana)
        expires = Invitation.objects.get(client=dana).expires_at
        assert status() == f"Invited: the code is valid until {expires:%-d %b %Y %H:%M}."
        Invitation.objects.update(expires_at=timezone.now() - timedelta(hours=1))
        assert status().startswith("Invited, but the code expired on ")
        code = self.invite(admin_as_therapist, dana)
        assert self.redeem(api, code, "dana").status_code == 201
        dana.refresh_from_db()
        signed_in = dana.user.auth_token_set.get().created
        assert status() == f"Has an app account (dana); last log-in {signed_in:%-d %b %Y %H:%M}."

    def test_a_client_with_an_account_gets_no_code(self, admin_as_therapist, therapist):
        account = ClientUserFactory(client_profile__therapist=therapist)
        client = account.client_profile
        html = admin_as_therapist.get(page_of(client)).content.decode()
        assert "not signed in yet" in html and 'value="Invite' not in html
        response = admin_as_therapist.post(invite_url(client), follow=True)
        [message] = response.context["messages"]
        assert message.message == "This client already has an app account."
        assert not Invitation.objects.exists()

    def test_another_therapists_client_gets_no_code(self, admin_as_therapist):
        theirs = ClientFactory()
        response = admin_as_therapist.post(invite_url(theirs))
        assert response.status_code == 302 and response.url == reverse("admin:index")
        assert not Invitation.objects.exists()


def clients_at_every_stage(therapist, count: int) -> list:
    """`count` clients, cycling through: never screened, clear, red flag present, screened
    too long ago (each after the first with an active program and sessions)."""
    condition = ConditionFactory(red_flags=2)
    now = timezone.now()
    made = []
    for index in range(count):
        client = ClientFactory(therapist=therapist, last_name=f"Client {index:02d}")
        stage = index % 4
        if stage:
            ScreeningFactory(
                client=client,
                condition=condition,
                positive=stage == 2,
                performed_at=now - timedelta(days=40 if stage == 3 else 2),
            )
            program = ProgramFactory(
                owner=therapist,
                client=client,
                status=Program.Status.ACTIVE,
                activated_at=now,
                title=f"Plan {index}",
            )
            SessionFactory(program=program, performed_at=now - timedelta(days=index))
        made.append(client)
    return made


def column(html: str, field: str) -> list[str]:
    """A changelist column's cells, as text."""
    cells = re.findall(rf'<td class="field-{field}[^"]*">(.*?)</td>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def day(moment) -> str:
    return f"{moment:%-d %b %Y}"


class TestTheAuditTrail:
    def test_each_post_is_a_change_of_what_it_made(self, admin_as_therapist, dana, shared_template):
        admin_as_therapist.post(new_program_url(dana), {"template": shared_template.pk})
        admin_as_therapist.post(invite_url(dana))
        program = Program.objects.get(client=dana)
        changes = AuditEvent.objects.filter(action__startswith="change:").order_by("id")
        assert [(e.action, e.object_type, e.object_id, e.client_id) for e in changes] == [
            ("change:admin-new-program", "program", str(program.pk), dana.pk),
            ("change:admin-invite", "client", str(dana.pk), dana.pk),
        ]

    def test_another_therapists_client_is_a_denial(self, admin_as_therapist):
        theirs = ClientFactory()
        admin_as_therapist.post(invite_url(theirs))
        [event] = AuditEvent.objects.all()
        assert (event.action, event.object_id, event.client_id) == (
            "denied:admin-invite",
            str(theirs.pk),
            None,
        )


class TestTheClientList:
    def test_each_client_shows_screening_program_and_last_session(
        self, admin_as_therapist, therapist
    ):
        clients_at_every_stage(therapist, 4)
        html = admin_as_therapist.get(CLIENTS).content.decode()
        now = timezone.now()
        assert column(html, "screening") == [
            "Not screened",
            f"Clear ({day(now - timedelta(days=2))})",
            f"Red flag present ({day(now - timedelta(days=2))})",
            f"Older than 30 days ({day(now - timedelta(days=40))})",
        ]
        assert column(html, "active_program") == ["–", "Plan 1", "Plan 2", "Plan 3"]
        assert column(html, "last_session") == [
            "–",
            *(day(now - timedelta(days=days)) for days in (1, 2, 3)),
        ]
        plan = Program.objects.get(title="Plan 1")
        assert f'href="{reverse("admin:programs_program_change", args=[plan.pk])}"' in html

    @pytest.mark.parametrize("count", [3, 12])
    def test_the_list_costs_the_same_whatever_its_length(
        self, admin_as_therapist, therapist, django_assert_num_queries, count
    ):
        """The session, the user, their permissions (2), two counts, the clients with their
        summary, and the audit record."""
        clients_at_every_stage(therapist, count)
        with django_assert_num_queries(8):
            response = admin_as_therapist.get(CLIENTS)
        assert len(response.context["cl"].result_list) == count
