"""The embedded SQLite database copes with writers in several threads and processes."""

import threading

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings only")


@pytest.fixture
def open_database(tmp_path, django_db_blocker):
    """Connections to a fresh database file, configured exactly as the project's database."""
    opened = []
    django_db_blocker.unblock()

    def open_connection():
        wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(tmp_path / "db")})
        opened.append(wrapper)
        return wrapper

    yield open_connection
    for wrapper in opened:
        wrapper.inc_thread_sharing()  # some were opened in threads that have ended
        wrapper.close()
    django_db_blocker.restore()


def test_a_transaction_that_reads_then_writes_waits_for_another_writer(open_database):
    request = open_database()
    with request.cursor() as cursor:
        cursor.execute("CREATE TABLE event (name TEXT)")
    errors = []

    def timer_writes():
        try:
            with open_database().cursor() as cursor:
                cursor.execute("INSERT INTO event VALUES ('read by the timer')")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    request.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with request.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM event")
        other = threading.Thread(target=timer_writes)
        other.start()
        other.join(timeout=1)  # a deferred transaction would let it commit here
        cursor.execute("INSERT INTO event VALUES ('written by the request')")
    request.commit()
    request.set_autocommit(True)
    other.join()

    assert errors == []
    with request.cursor() as cursor:
        cursor.execute("SELECT name FROM event ORDER BY name")
        assert [row[0] for row in cursor.fetchall()] == [
            "read by the timer",
            "written by the request",
        ]


def test_reads_do_not_block_a_commit(open_database):
    """Write-ahead logging: a client's read never holds up a session being stored."""
    with open_database().cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
