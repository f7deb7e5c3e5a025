"""Several gunicorn workers, with and without a shared Redis cache: a revoked token, a removed
role or an edit counts at once in every worker, as every request checks tokens and the state of
cached renderings against the database."""

import pytest

from tests import live

ASKS = 12  # enough that both workers answer (the kernel spreads the connections)


@pytest.fixture(
    scope="module",
    params=[None, "redis://127.0.0.1:6379/9"],
    ids=["process-local cache", "redis"],
)
def server(request, tmp_path_factory):
    """One server per cache for the module: each test changes a different account."""
    running = live.start(tmp_path_factory.mktemp("live"), workers=2, redis_url=request.param)
    yield running
    running.kill()


def statuses(server, path, token) -> set[int]:
    return {server.call("GET", path, token).status for _ in range(ASKS)}


def test_after_log_out_every_worker_refuses_the_token(server):
    token = server.client_token()
    assert statuses(server, "/api/v1/me/", token) == {200}
    assert server.call("POST", "/api/v1/auth/logout/", token).status == 204
    assert statuses(server, "/api/v1/me/", token) == {401}


def test_after_an_edit_every_worker_serves_the_new_version(server):
    token = server.therapist_token()
    [program] = server.call("GET", "/api/v1/programs/?status=active", token).body["results"]
    path = f"/api/v1/programs/{program['id']}/"
    before = {server.call("GET", path, token).headers["ETag"] for _ in range(ASKS)}
    assert len(before) == 1  # every worker has it cached
    edit = server.call(
        "PATCH", path, token, {"notes": "Edited on one worker."}, [("If-Match", before.pop())]
    )
    assert edit.status == 200
    answers = [server.call("GET", path, token) for _ in range(ASKS)]
    assert {answer.headers["ETag"] for answer in answers} == {edit.headers["ETag"]}
    assert {answer.body["notes"] for answer in answers} == {"Edited on one worker."}


def test_a_therapist_removed_from_the_group_is_refused_by_every_worker(server):
    """Last: the demo therapist stays demoted on this module's servers."""
    token = server.therapist_token()
    assert statuses(server, "/api/v1/clients/", token) == {200}
    server.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import Group, User; "
        "Group.objects.get(name='Therapists').user_set.remove(User.objects.get(username='demo-therapist'))",
    )
    assert statuses(server, "/api/v1/clients/", token) == {403}
