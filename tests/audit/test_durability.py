"""Audit records are committed before the answer: a worker killed right after answering loses
none of them (real gunicorn, SIGKILL)."""

import sqlite3

import pytest

from tests import live

READS = 20


@pytest.fixture
def server(tmp_path):
    running = live.start(tmp_path, workers=2)
    yield running
    if running.process.poll() is None:
        running.kill()


def test_no_audited_read_is_lost_when_workers_are_killed(server):
    token = server.therapist_token()
    [program] = server.call("GET", "/api/v1/programs/?status=active", token).body["results"]
    path = f"/api/v1/programs/{program['id']}/"
    for _ in range(READS):
        assert server.call("GET", path, token).status == 200

    server.kill()

    with sqlite3.connect(server.database) as database:
        [(recorded,)] = database.execute(
            "SELECT COUNT(*) FROM programs_auditevent WHERE action = 'read:retrieve' AND path = ?",
            [path],
        )
    assert recorded == READS
