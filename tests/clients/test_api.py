from datetime import timedelta

import pytest
from django.utils import timezone

from clients.models import Client, Screening, ScreeningAnswer
from tests.factories import ClientFactory, ConditionFactory, ScreeningFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/clients/"


def detail(client):
    return f"{URL}{client.pk}/"


def screenings_url(client):
    return f"{URL}{client.pk}/screenings/"


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def own_client(therapist):
    return ClientFactory(therapist=therapist, first_name="Ada", last_name="Lovelace")


@pytest.fixture
def others_client(other_therapist):
    return ClientFactory(therapist=other_therapist)


@pytest.fixture
def condition():
    return ConditionFactory(slug="sciatica", red_flags=3)


def all_clear(condition):
    answers = [{"red_flag": flag.pk, "present": False} for flag in condition.red_flags.all()]
    return {"condition": condition.slug, "answers": answers, "notes": "Screened in clinic."}


def nothing_saved():
    return not Screening.objects.exists() and not ScreeningAnswer.objects.exists()


class TestClients:
    def test_list_shows_only_own_clients(self, as_therapist, therapist, own_client, others_client):
        second = ClientFactory(therapist=therapist, last_name="Zed")
        assert ids(as_therapist.get(URL)) == [own_client.pk, second.pk]

    def test_create_sets_therapist_to_the_caller(self, as_therapist, therapist, other_therapist):
        response = as_therapist.post(
            URL,
            {
                "first_name": "Grace",
                "last_name": "Hopper",
                "email": "grace@example.com",
                "units": "imperial",
                "notes": "Left knee.",
                "therapist": other_therapist.pk,
            },
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["first_name"], body["units"], body["has_account"]) == (
            "Grace",
            "imperial",
            False,
        )
        client = Client.objects.get(pk=body["id"])
        assert client.therapist == therapist
        assert (client.last_name, client.email, client.notes) == (
            "Hopper",
            "grace@example.com",
            "Left knee.",
        )

    def test_retrieve_and_patch_own_client(self, as_therapist, own_client):
        body = as_therapist.get(detail(own_client)).json()
        assert (body["first_name"], body["last_name"]) == ("Ada", "Lovelace")

        response = as_therapist.patch(detail(own_client), {"units": "imperial", "notes": "New"})
        assert response.status_code == 200, response.content
        own_client.refresh_from_db()
        assert (own_client.units, own_client.notes, own_client.last_name) == (
            "imperial",
            "New",
            "Lovelace",
        )

    def test_another_therapists_client_is_404(self, as_therapist, others_client):
        assert as_therapist.get(detail(others_client)).status_code == 404
        assert as_therapist.patch(detail(others_client), {"notes": "Mine"}).status_code == 404
        others_client.refresh_from_db()
        assert others_client.notes == ""

    def test_put_and_delete_are_not_offered(self, as_therapist, own_client):
        assert as_therapist.put(detail(own_client), {"last_name": "X"}).status_code == 405
        assert as_therapist.delete(detail(own_client)).status_code == 405
        assert Client.objects.filter(pk=own_client.pk, last_name="Lovelace").exists()

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"last_name": None}, "last_name"),
            ({"last_name": ""}, "last_name"),
            ({"units": "furlongs"}, "units"),
            ({"email": "not-an-email"}, "email"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, as_therapist, change, field):
        payload = {"first_name": "Grace", "last_name": "Hopper", "units": "metric", **change}
        payload = {key: value for key, value in payload.items() if value is not None}
        response = as_therapist.post(URL, payload)
        assert response.status_code == 400
        assert field in response.json()
        assert not Client.objects.exists()

    def test_bad_patch_is_a_400_and_changes_nothing(self, as_therapist, own_client):
        response = as_therapist.patch(detail(own_client), {"units": "stones", "notes": "X"})
        assert response.status_code == 400
        assert "units" in response.json()
        own_client.refresh_from_db()
        assert (own_client.units, own_client.notes) == ("metric", "")


class TestScreenings:
    def test_post_saves_every_answer(self, as_therapist, therapist, own_client, condition):
        flags = list(condition.red_flags.all())
        payload = all_clear(condition)
        payload["answers"][1]["present"] = True
        response = as_therapist.post(screenings_url(own_client), payload)
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["condition"] == "sciatica" and body["is_clear"] is False
        assert body["performed_by"] == therapist.username
        screening = Screening.objects.get(pk=body["id"])
        assert (screening.client, screening.performed_by) == (own_client, therapist)
        assert screening.notes == "Screened in clinic."
        assert {(a.red_flag_id, a.present) for a in screening.answers.all()} == {
            (flags[0].pk, False),
            (flags[1].pk, True),
            (flags[2].pk, False),
        }

    def test_get_lists_newest_first(self, as_therapist, own_client, condition):
        now = timezone.now()
        old = ScreeningFactory(
            client=own_client, condition=condition, performed_at=now - timedelta(days=40)
        )
        new = ScreeningFactory(client=own_client, condition=condition, positive=True)
        middle = ScreeningFactory(
            client=own_client, condition=condition, performed_at=now - timedelta(days=2)
        )
        ScreeningFactory(condition=condition)  # someone else's client

        response = as_therapist.get(screenings_url(own_client))
        assert ids(response) == [new.pk, middle.pk, old.pk]
        first = response.json()["results"][0]
        assert first["is_clear"] is False and len(first["answers"]) == 3

    def test_every_flag_must_be_answered(self, as_therapist, own_client, condition):
        payload = all_clear(condition)
        payload["answers"].pop()
        response = as_therapist.post(screenings_url(own_client), payload)
        assert response.status_code == 400
        assert "answers" in response.json()
        assert nothing_saved()

    def test_a_flag_answered_twice_is_a_400(self, as_therapist, own_client, condition):
        payload = all_clear(condition)
        payload["answers"].append({**payload["answers"][0], "present": True})
        response = as_therapist.post(screenings_url(own_client), payload)
        assert response.status_code == 400
        assert "answers" in response.json()
        assert nothing_saved()

    def test_a_flag_of_another_condition_is_a_400(self, as_therapist, own_client, condition):
        payload = all_clear(condition)
        stray = ConditionFactory(red_flags=1).red_flags.get()
        payload["answers"].append({"red_flag": stray.pk, "present": False})
        response = as_therapist.post(screenings_url(own_client), payload)
        assert response.status_code == 400
        assert "answers" in response.json()
        assert nothing_saved()

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"condition": "no-such-condition"}, "condition"),
            ({"answers": "yes"}, "answers"),
            ({"answers": [{"red_flag": 999999, "present": False}]}, "answers"),
            ({"answers": [{"present": False}]}, "answers"),
        ],
    )
    def test_malformed_screening_is_a_400(self, as_therapist, own_client, condition, change, field):
        response = as_therapist.post(screenings_url(own_client), {**all_clear(condition), **change})
        assert response.status_code == 400
        assert field in response.json()
        assert nothing_saved()

    def test_another_therapists_client_is_404(self, as_therapist, others_client, condition):
        ScreeningFactory(client=others_client, condition=condition)
        assert as_therapist.get(screenings_url(others_client)).status_code == 404
        response = as_therapist.post(screenings_url(others_client), all_clear(condition))
        assert response.status_code == 404
        assert Screening.objects.count() == 1


class TestPermissions:
    @pytest.fixture
    def endpoints(self, own_client, condition):
        return [
            ("get", URL, None, 200),
            ("post", URL, {"first_name": "A", "last_name": "B"}, 201),
            ("get", detail(own_client), None, 200),
            ("patch", detail(own_client), {"notes": "Changed"}, 200),
            ("get", screenings_url(own_client), None, 200),
            ("post", screenings_url(own_client), all_clear(condition), 201),
        ]

    @pytest.mark.parametrize("index", range(6))
    def test_anonymous_gets_401(self, api, endpoints, index):
        method, url, body, _ = endpoints[index]
        assert getattr(api, method)(url, body).status_code == 401

    @pytest.mark.parametrize("index", range(6))
    def test_client_user_gets_403(self, as_client, endpoints, index):
        method, url, body, _ = endpoints[index]
        assert getattr(as_client, method)(url, body).status_code == 403

    @pytest.mark.parametrize("index", range(6))
    def test_owner_succeeds(self, as_therapist, endpoints, index):
        method, url, body, expected = endpoints[index]
        response = getattr(as_therapist, method)(url, body)
        assert response.status_code == expected, response.content

    @pytest.mark.parametrize("index", range(2, 6))
    def test_other_therapist_gets_404(self, as_other_therapist, endpoints, index):
        method, url, body, _ = endpoints[index]
        assert getattr(as_other_therapist, method)(url, body).status_code == 404

    @pytest.mark.parametrize("index", range(6))
    def test_superuser_succeeds(self, as_superuser, endpoints, index):
        method, url, body, expected = endpoints[index]
        response = getattr(as_superuser, method)(url, body)
        assert response.status_code == expected, response.content

    def test_nothing_is_written_when_refused(self, api, as_client, endpoints, own_client):
        for caller in (api, as_client):
            for method, url, body, _ in endpoints:
                getattr(caller, method)(url, body)
        own_client.refresh_from_db()
        assert Client.objects.count() == 1 and own_client.notes == ""
        assert nothing_saved()

    def test_superuser_lists_every_client(self, as_superuser, own_client, others_client):
        assert set(ids(as_superuser.get(URL))) == {own_client.pk, others_client.pk}
