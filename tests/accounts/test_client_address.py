"""The client's address is REMOTE_ADDR, or X-Forwarded-For as appended by TRUSTED_PROXY_COUNT
proxies; a forged header never names the client. One function decides it for the log-in
throttle, the failure lock and the audit log."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.client_address import client_ip
from audit.models import AuditEvent
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"
PROXY = "10.0.0.1"


def request_from(forwarded=None, remote=PROXY):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, None, PROXY),
        (0, "203.0.113.5", PROXY),
        (1, None, PROXY),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "198.51.100.9, 203.0.113.5", "203.0.113.5"),
        (1, "198.51.100.9,203.0.113.5 ", "203.0.113.5"),
        (2, "198.51.100.9, 203.0.113.5", "198.51.100.9"),
        (2, "192.0.2.1, 198.51.100.9, 203.0.113.5", "198.51.100.9"),
        (2, "203.0.113.5", PROXY),  # fewer entries than proxies: it skipped one of them
        (1, "", PROXY),
        (1, "unknown", PROXY),
        (1, "198.51.100.9, not-an-address", PROXY),
        (1, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_the_client_address(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request_from(forwarded)) == expected


def test_no_usable_address_is_none(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from(remote="")) is None


@pytest.fixture
def three_per_minute(monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min"})


def log_in_codes(headers: list[dict]) -> list[int]:
    return [APIClient().post(TOKEN_URL, {}, **extra).status_code for extra in headers]


class TestThrottle:
    def test_a_forged_forwarded_for_does_not_escape_the_throttle(self, three_per_minute):
        forged = [
            {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"}
            for n in range(40)
        ]
        codes = log_in_codes(forged)
        assert codes[:3] == [400, 400, 400]
        assert set(codes[3:]) == {429}

    def test_behind_a_trusted_proxy_the_appended_address_is_the_client(
        self, settings, three_per_minute
    ):
        settings.TRUSTED_PROXY_COUNT = 1
        forged_left = [
            {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}, 198.51.100.7"}
            for n in range(4)
        ]
        assert log_in_codes(forged_left) == [400, 400, 400, 429]
        others = [
            {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"} for n in range(20, 24)
        ]
        assert log_in_codes(others) == [400] * 4

    def test_without_trusted_proxies_each_remote_address_has_its_own_budget(self, three_per_minute):
        codes = log_in_codes([{"REMOTE_ADDR": f"198.51.100.{n}"} for n in range(10)])
        assert codes == [400] * 10


class TestLockAndAudit:
    def test_the_lock_records_the_client_address(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        UserFactory(username="casey")
        APIClient().post(
            TOKEN_URL,
            {"username": "casey", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="192.0.2.66, 203.0.113.5",
        )
        assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [
            ("casey", "203.0.113.5")
        ]

    @pytest.mark.parametrize("proxies, expected", [(0, PROXY), (1, "203.0.113.5")])
    def test_the_audit_log_records_the_client_address(
        self, settings, as_therapist, therapist, proxies, expected
    ):
        settings.TRUSTED_PROXY_COUNT = proxies
        client = ClientFactory(therapist=therapist)
        response = as_therapist.get(
            f"/api/v1/clients/{client.pk}/",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="192.0.2.66, 203.0.113.5",
        )
        assert response.status_code == 200
        assert list(AuditEvent.objects.values_list("ip", flat=True)) == [expected]
