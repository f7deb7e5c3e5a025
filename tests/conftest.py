import pytest
from django.db.backends.postgresql.operations import DatabaseOperations
from rest_framework.test import APIClient

from tests.factories import SuperuserFactory, TherapistFactory, UserFactory

_execute_sql_flush = DatabaseOperations.execute_sql_flush


def execute_sql_flush(self, sql_list):
    """Transactional tests empty the test database between tests; on PostgreSQL the audit
    trail refuses TRUNCATE unless this setting is on for the transaction (audit/migrations)."""
    _execute_sql_flush(self, ["SET LOCAL ptbuilder.flushing_test_database = 'on'", *sql_list])


DatabaseOperations.execute_sql_flush = execute_sql_flush


@pytest.fixture
def api():
    return APIClient()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def therapist(db):
    return TherapistFactory()


@pytest.fixture
def other_therapist(db):
    return TherapistFactory()


@pytest.fixture
def client_user(db):
    """A signed-in person who is not a therapist (a client of the client app)."""
    return UserFactory()


@pytest.fixture
def superuser(db):
    return SuperuserFactory()


@pytest.fixture
def as_therapist(therapist):
    return client_for(therapist)


@pytest.fixture
def as_other_therapist(other_therapist):
    return client_for(other_therapist)


@pytest.fixture
def as_client(client_user):
    return client_for(client_user)


@pytest.fixture
def as_superuser(superuser):
    return client_for(superuser)


@pytest.fixture(autouse=True)
def _clear_cache():
    """The log-in throttle's history and cached renderings live in the cache, which outlives a
    test; start each test clean."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is slow by design; tests only need passwords to round-trip."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_as_therapist(client, therapist):
    """A browser signed in to the admin as the therapist."""
    client.force_login(therapist)
    return client
