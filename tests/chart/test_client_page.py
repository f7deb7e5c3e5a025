"""The client's page in the admin: the record, screenings, programs and the logbook."""

import pytest
from django.urls import reverse

from clients.models import Client
from tests.factories import (
    ClientFactory,
    ConditionFactory,
    ProgramFactory,
    ScreeningFactory,
)
from tests.programs.test_admin import (
    CLIENTS,
    SCREENING_ADD,
    form_data,
    listed,
    management,
)

pytestmark = pytest.mark.django_db


def test_client_admin_lists_own_clients_and_shows_their_screenings(admin_as_therapist, therapist):
    maria = ClientFactory(therapist=therapist, first_name="Maria", last_name="Lopez")
    ClientFactory(first_name="Their", last_name="Client")
    condition = ConditionFactory(name="Sciatica")
    screening = ScreeningFactory(client=maria, condition=condition, positive=True)
    ProgramFactory(owner=therapist, client=maria, title="Back plan")

    assert listed(admin_as_therapist.get(CLIENTS)) == ["Maria Lopez"]
    html = admin_as_therapist.get(
        reverse("admin:clients_client_change", args=[maria.pk])
    ).content.decode()
    assert "Sciatica" in html and "Positive: Red flag" in html
    assert reverse("admin:clients_screening_change", args=[screening.pk]) in html
    assert "Back plan" in html
    assert f"{SCREENING_ADD}?client={maria.pk}" in html


def test_therapist_adds_a_client_of_their_own(admin_as_therapist, therapist, other_therapist):
    response = admin_as_therapist.post(
        reverse("admin:clients_client_add"),
        {
            "first_name": "Ana",
            "last_name": "Silva",
            "email": "ana@example.com",
            "units": "metric",
            "therapist": other_therapist.pk,  # not editable: ignored
            **management("screenings", 0),
            **management("programs", 0),
        },
    )
    assert response.status_code == 302, response.context["errors"]
    assert Client.objects.get(last_name="Silva").therapist == therapist


def test_therapist_edits_a_client_with_screenings_and_programs(admin_as_therapist, therapist):
    maria = ClientFactory(therapist=therapist, email="old@example.com")
    ScreeningFactory(client=maria)
    ProgramFactory(owner=therapist, client=maria)
    url = reverse("admin:clients_client_change", args=[maria.pk])
    data = form_data(admin_as_therapist.get(url), form_id="client_form")
    data["email"] = "new@example.com"
    assert admin_as_therapist.post(url, data).status_code == 302
    maria.refresh_from_db()
    assert (maria.email, maria.therapist, maria.screenings.count()) == (
        "new@example.com",
        therapist,
        1,
    )
