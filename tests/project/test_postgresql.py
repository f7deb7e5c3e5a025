"""The project's PostgreSQL connections are set up for short requests."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings only"),
    pytest.mark.django_db,
]


def test_jit_compilation_is_off_on_the_projects_connections():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
