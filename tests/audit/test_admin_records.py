"""Every admin page that shows a client's data, and every admin write of it, is in the audit log.

The admin is driven as a therapist uses it: real pages and form posts through Django's test
client, then the log is read back.
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from clients.models import Client, Screening
from programs.models import Program
from tests.factories import (
    ClientFactory,
    ConditionFactory,
    ExerciseFactory,
    ProgramFactory,
    ScreeningFactory,
)
from tests.programs.test_admin import LOAD_RULE, form_data, management, new_program_data

pytestmark = pytest.mark.django_db
PROGRAMS = reverse("admin:programs_program_changelist")


def url(name, *args):
    app = {"client": "clients", "screening": "clients", "auditevent": "audit"}.get(
        name.split("_")[0], "programs"
    )
    return reverse(f"admin:{app}_{name}", args=args)


def events(prefix=""):
    """The log as (action, object type, object id, client id), oldest first."""
    rows = AuditEvent.objects.order_by("id").values_list(
        "action", "object_type", "object_id", "client_id"
    )
    return [row for row in rows if row[0].startswith(prefix)]


def changes():
    return events("change:")


@pytest.fixture
def admin(client, therapist):
    client.force_login(therapist)
    return client


@pytest.fixture
def maria(therapist):
    return ClientFactory(therapist=therapist, first_name="Maria")


def post_action(admin, action, programs, **data):
    selected = [program.pk for program in programs]
    return admin.post(PROGRAMS, {"action": action, "_selected_action": selected, **data})


class TestPagesAreReads:
    @pytest.mark.parametrize(
        "model, kind", [("client", "client"), ("program", "program"), ("screening", "screening")]
    )
    def test_a_change_list_is_a_read_of_a_listing(self, admin, maria, model, kind):
        ProgramFactory(owner=maria.therapist, client=maria)
        ScreeningFactory(client=maria)
        assert admin.get(url(f"{model}_changelist")).status_code == 200
        event = AuditEvent.objects.get()
        assert (event.action, event.object_type, event.object_id, event.client_id) == (
            "read:admin-list",
            kind,
            "",
            None,
        )
        assert (event.username, event.status_code) == (maria.therapist.username, 200)
        assert event.path == url(f"{model}_changelist")

    def test_a_history_page_is_a_read_of_its_object(self, admin, maria):
        program = ProgramFactory(owner=maria.therapist, client=maria)
        screening = ScreeningFactory(client=maria)
        for obj, name in [(maria, "client"), (program, "program"), (screening, "screening")]:
            assert admin.get(url(f"{name}_history", obj.pk)).status_code == 200
        assert events() == [
            ("read:admin-history", "client", str(maria.pk), maria.pk),
            ("read:admin-history", "program", str(program.pk), maria.pk),
            ("read:admin-history", "screening", str(screening.pk), maria.pk),
        ]

    def test_the_delete_confirmation_is_a_read(self, admin, maria):
        program = ProgramFactory(owner=maria.therapist, client=maria)
        assert admin.get(url("program_delete", program.pk)).status_code == 200
        assert events() == [("read:admin-delete", "program", str(program.pk), maria.pk)]
        assert Program.objects.filter(pk=program.pk).exists()

    def test_the_print_and_pdf_buttons_lead_to_the_audited_print_view(self, admin, maria):
        program = ProgramFactory(owner=maria.therapist, client=maria)
        data = form_data(admin.get(url("program_change", program.pk)))
        answer = admin.post(url("program_change", program.pk), {**data, "_then": "print"})
        assert answer.status_code == 302  # saved first, then to the print view
        assert answer.url == reverse("program-print", args=[program.pk])
        assert admin.get(answer.url).status_code == 200  # the session signs in to the API too
        assert events()[-1] == ("read:print", "program", str(program.pk), maria.pk)


class TestSavesAreChanges:
    def test_saving_the_change_page_is_one_change_and_an_invalid_post_only_a_read(
        self, admin, maria
    ):
        page = url("client_change", maria.pk)
        data = form_data(admin.get(page), form_id="client_form")
        assert admin.post(page, {**data, "email": "not an address"}).status_code == 200
        assert admin.post(page, {**data, "email": "maria@example.com"}).status_code == 302
        read = ("read:admin", "client", str(maria.pk), maria.pk)
        assert events() == [read, read, ("change:admin", "client", str(maria.pk), maria.pk)]
        assert AuditEvent.objects.get(action="change:admin").status_code == 302

    def test_adding_a_client_records_the_new_client(self, admin):
        response = admin.post(
            url("client_add"),
            {
                "first_name": "Ana",
                "last_name": "Silva",
                "email": "ana@example.com",
                "units": "metric",
                **management("screenings", 0),
                **management("programs", 0),
            },
        )
        assert response.status_code == 302
        ana = Client.objects.get(last_name="Silva")
        assert changes() == [("change:admin-add", "client", str(ana.pk), ana.pk)]

    def test_adding_a_screening_records_it_with_its_client(self, admin, maria):
        sciatica = ConditionFactory(red_flags=2)
        answers = {f"flag_{flag.pk}": "absent" for flag in sciatica.red_flags.all()}
        answers[f"flag_{sciatica.red_flags.first().pk}"] = "present"
        response = admin.post(
            url("screening_add"), {"client": maria.pk, "condition": sciatica.pk, **answers}
        )
        assert response.status_code == 302
        screening = Screening.objects.get()
        assert changes() == [("change:admin-add", "screening", str(screening.pk), maria.pk)]

    def test_adding_a_program_records_it_with_its_client(self, admin, maria):
        page = admin.get(url("program_add"))
        exercise = ExerciseFactory(progressable=["load_kg"])
        response = admin.post(
            url("program_add"), new_program_data(page, maria, exercise, LOAD_RULE)
        )
        assert response.status_code == 302
        program = Program.objects.get()
        assert changes() == [("change:admin-add", "program", str(program.pk), maria.pk)]

    def test_a_refused_add_records_no_change(self, admin, maria):
        theirs = ClientFactory()
        sciatica = ConditionFactory(red_flags=1)
        response = admin.post(url("screening_add"), {"client": theirs.pk, "condition": sciatica.pk})
        assert response.status_code == 200 and not Screening.objects.exists()
        assert changes() == []


class TestActionsAreChanges:
    def test_each_copy_is_a_change_of_the_new_program(self, admin, therapist, maria):
        first = ProgramFactory(owner=None, client=None, title="Shared")
        second = ProgramFactory(owner=therapist, client=None, title="Mine")
        form = post_action(admin, "copy_to_client", [first, second])
        assert form.status_code == 200
        assert events() == [("read:admin-copy-to-client", "program", "", None)]

        response = post_action(
            admin, "copy_to_client", [first, second], client=maria.pk, _apply="Copy"
        )
        assert response.status_code == 302
        copies = Program.objects.filter(client=maria).order_by("source_id")
        assert [copy.source for copy in copies] == [first, second]
        assert sorted(changes()) == sorted(
            ("change:admin-copy-to-client", "program", str(copy.pk), maria.pk) for copy in copies
        )
        history = admin.get(url("program_history", copies[0].pk)).content.decode()
        assert f"Copied from program {first.pk}." in history

    def test_activate_records_each_program_activated(self, admin, therapist, maria):
        ready = ProgramFactory(owner=therapist, client=maria)
        ScreeningFactory(client=maria)
        unscreened = ProgramFactory(owner=therapist)
        response = post_action(admin, "activate", [ready, unscreened])
        assert response.status_code == 302
        assert Program.objects.get(pk=unscreened.pk).status == "draft"
        assert changes() == [("change:admin-activate", "program", str(ready.pk), maria.pk)]

    def test_an_override_shows_in_the_action(self, admin, therapist, maria):
        program = ProgramFactory(owner=therapist, client=maria)
        assert post_action(admin, "activate_with_override", [program]).status_code == 200
        response = post_action(
            admin,
            "activate_with_override",
            [program],
            override_reason="Cleared by Dr Osei.",
            _apply="Activate",
        )
        assert response.status_code == 302
        assert Program.objects.get(pk=program.pk).status == "active"
        assert events() == [
            ("read:admin-activate-with-override", "program", "", None),
            ("change:admin-activate-with-override", "program", str(program.pk), maria.pk),
        ]

    def test_a_refused_activation_records_no_change(self, admin, therapist, maria):
        template = ProgramFactory(owner=None, client=None)
        post_action(admin, "activate", [template])
        assert changes() == []


class TestDeletionsAreChanges:
    def test_deleting_a_program_keeps_its_id_and_client(self, admin, therapist, maria):
        program = ProgramFactory(owner=therapist, client=maria)
        response = admin.post(url("program_delete", program.pk), {"post": "yes"})
        assert response.status_code == 302
        assert not Program.objects.filter(pk=program.pk).exists()
        assert changes() == [("change:admin-delete", "program", str(program.pk), maria.pk)]

    def test_each_program_of_a_bulk_delete_is_recorded(self, admin, therapist, maria):
        programs = [ProgramFactory(owner=therapist, client=maria) for _ in range(2)]
        template = ProgramFactory(owner=therapist, client=None)
        chosen = [*programs, template]
        assert post_action(admin, "delete_selected", chosen).status_code == 200
        assert post_action(admin, "delete_selected", chosen, post="yes").status_code == 302
        assert not Program.objects.exists()
        assert events()[0] == ("read:admin-delete-selected", "program", "", None)
        assert sorted(events()[1:]) == sorted(
            ("change:admin-delete-selected", "program", str(program.pk), program.client_id)
            for program in chosen
        )

    def test_deleting_a_client_is_recorded_and_keeps_the_id(self, client, superuser, maria):
        client.force_login(superuser)  # therapists may not delete clients
        client_id = maria.pk
        response = client.post(url("client_delete", client_id), {"post": "yes"})
        assert response.status_code == 302
        assert not Client.objects.filter(pk=client_id).exists()
        # The record was made before the row went; like every record of the client, it then
        # lost its link (README, "Audit.").
        assert changes() == [("change:admin-delete", "client", str(client_id), None)]


class TestTheLogItself:
    def test_only_superusers_read_it_and_nobody_changes_it(self, client, therapist, superuser):
        ClientFactory(therapist=therapist)
        client.force_login(therapist)
        client.get(url("client_changelist"))
        assert client.get(url("auditevent_changelist")).status_code == 403
        event = AuditEvent.objects.get()
        assert client.get(url("auditevent_change", event.pk)).status_code == 403

        client.force_login(superuser)
        assert client.get(url("auditevent_changelist")).status_code == 200
        assert client.get(url("auditevent_add")).status_code == 403
        bulk = {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
        client.post(url("auditevent_changelist"), bulk)
        assert client.post(url("auditevent_delete", event.pk), {"post": "yes"}).status_code == 403
        assert AuditEvent.objects.filter(pk=event.pk).exists()
        assert not AuditEvent.objects.filter(object_type="auditevent").exists()
