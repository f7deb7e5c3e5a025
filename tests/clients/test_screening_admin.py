"""Screenings in the admin: one answer per red flag, of the therapist's own clients only."""

import pytest
from django.urls import reverse

from clients.models import Screening
from tests.factories import (
    ClientFactory,
    ConditionFactory,
    ScreeningFactory,
)
from tests.programs.test_admin import (
    SCREENING_ADD,
)

pytestmark = pytest.mark.django_db


def test_screening_add_answers_every_flag_of_the_condition(admin_as_therapist, therapist):
    maria = ClientFactory(therapist=therapist)
    sciatica = ConditionFactory(name="Sciatica", red_flags=3)
    ConditionFactory(name="Neck pain", red_flags=2)
    flags = list(sciatica.red_flags.all())

    page = admin_as_therapist.get(SCREENING_ADD, {"client": maria.pk})
    form = page.context["adminform"].form
    assert list(form.fields["client"].queryset) == [maria]
    assert form.fields[f"flag_{flags[1].pk}"].label == f"Sciatica — {flags[1].text}"
    assert len([name for name in form.fields if name.startswith("flag_")]) == 5

    response = admin_as_therapist.post(
        SCREENING_ADD,
        {
            "client": maria.pk,
            "condition": sciatica.pk,
            **{f"flag_{flag.pk}": "absent" for flag in flags},
            f"flag_{flags[1].pk}": "present",
        },
    )

    assert response.status_code == 302, response.context["errors"]
    screening = Screening.objects.get()
    answers = {answer.red_flag: answer.present for answer in screening.answers.all()}
    assert answers == {flags[0]: False, flags[1]: True, flags[2]: False}
    assert (screening.performed_by, screening.is_clear) == (therapist, False)
    view = reverse("admin:clients_screening_change", args=[screening.pk])
    assert admin_as_therapist.get(view).status_code == 200
    assert admin_as_therapist.post(view, {"notes": "changed"}).status_code == 403


def test_screening_refuses_a_flag_of_another_condition(admin_as_therapist, therapist):
    maria = ClientFactory(therapist=therapist)
    sciatica = ConditionFactory(red_flags=1)
    other_flag = ConditionFactory(red_flags=1).red_flags.get()
    response = admin_as_therapist.post(
        SCREENING_ADD,
        {
            "client": maria.pk,
            "condition": sciatica.pk,
            f"flag_{sciatica.red_flags.get().pk}": "absent",
            f"flag_{other_flag.pk}": "present",
        },
    )
    assert response.status_code == 200
    assert "belong to another condition" in response.content.decode()
    assert not Screening.objects.exists()


def test_screenings_of_other_therapists_clients_are_hidden(admin_as_therapist, therapist):
    ScreeningFactory(client=ClientFactory(therapist=therapist, last_name="Mine"))
    theirs = ScreeningFactory(client=ClientFactory(last_name="Theirs"))
    changelist = admin_as_therapist.get(reverse("admin:clients_screening_changelist"))
    assert [s.client.last_name for s in changelist.context["cl"].result_list] == ["Mine"]
    view = reverse("admin:clients_screening_change", args=[theirs.pk])
    assert admin_as_therapist.get(view).status_code == 302
