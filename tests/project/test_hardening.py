import pytest
from django.test import override_settings

from clients import selectors

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_a_json_404(as_therapist):
    response = as_therapist.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_security_headers_and_request_id(as_therapist):
    response = as_therapist.get("/api/v1/exercises/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Request-ID"] == "abc-123"
    generated = as_therapist.get("/api/v1/exercises/", HTTP_X_REQUEST_ID="bad id!")
    assert generated["X-Request-ID"] != "bad id!" and len(generated["X-Request-ID"]) == 32


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.example.com"])
def test_cors_allows_only_configured_origins(as_therapist):
    allowed = as_therapist.get("/api/v1/exercises/", HTTP_ORIGIN="https://app.example.com")
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.com"
    other = as_therapist.get("/api/v1/exercises/", HTTP_ORIGIN="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in other


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_oversized_body_is_a_413(as_therapist):
    response = as_therapist.post("/api/v1/clients/", {"notes": "x" * 5000, "last_name": "A"})
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large."}


def test_unexpected_error_is_a_bare_500_without_internals(as_therapist, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError('SELECT * FROM "programs_client" -- secret')

    monkeypatch.setattr(selectors, "client_list_qs", broken)
    response = as_therapist.get("/api/v1/clients/")
    assert response.status_code == 500
    assert set(response.json()) == {"detail"}
    assert "SELECT" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_auth_endpoints_are_throttled_per_ip(api, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min"})
    cache.clear()
    codes = [api.post("/api/v1/auth/token/", {}).status_code for _ in range(4)]
    cache.clear()
    assert codes == [400, 400, 400, 429]
