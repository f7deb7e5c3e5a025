"""The product as deployed: gunicorn with several worker processes over HTTP, for what only
separate processes can show (a worker's memory, a worker killed outright).

The server runs on its own SQLite file, migrated and seeded with the demo log-ins, with no
REDIS_URL unless one is given: each worker then has its own process-local cache.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from programs.management.commands.setup_demo import DEMO_CLIENT, DEMO_THERAPIST

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Answer:
    status: int
    body: dict | list | None
    headers: dict


@dataclass
class LiveServer:
    url: str
    database: Path
    process: subprocess.Popen
    env: dict

    def call(self, method, path, token=None, body=None, headers=()) -> Answer:
        data = None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", **dict(headers)}
        if token:
            sent["Authorization"] = f"Token {token}"
        request = urllib.request.Request(self.url + path, data, sent, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw, answer_headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, answer_headers = error.code, error.read(), error.headers
        parsed = (
            json.loads(raw) if raw and "json" in answer_headers.get("Content-Type", "") else None
        )
        return Answer(status, parsed, dict(answer_headers))

    def log_in(self, credentials) -> str:
        username, password = credentials
        answer = self.call(
            "POST", "/api/v1/auth/token/", body={"username": username, "password": password}
        )
        assert answer.status == 200, answer
        return answer.body["token"]

    def therapist_token(self) -> str:
        return self.log_in(DEMO_THERAPIST)

    def client_token(self) -> str:
        return self.log_in(DEMO_CLIENT)

    def manage(self, *args: str, stdin: str = "") -> str:
        """A management command against the server's database (e.g. `shell -c ...`)."""
        done = subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def kill(self) -> None:
        """SIGKILL to the master and every worker: nothing gets to clean up."""
        workers = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout.split()
        for pid in [self.process.pid, *map(int, workers)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(directory: Path, workers: int = 2, redis_url: str | None = None) -> LiveServer:
    database = directory / "live.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "0",
        "SECRET_KEY": "live-test-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(directory / "media"),
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    python = str(BIN / "python")
    for command in (["migrate", "--noinput"], ["seed_library"], ["setup_demo"]):
        subprocess.run(
            [python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "ptbuilder.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = LiveServer(f"http://127.0.0.1:{port}", database, process, env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(server.url + "/api/schema/", timeout=5)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")
