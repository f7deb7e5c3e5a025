"""Drives mixed traffic at a served ptbuilder for a fixed time; `bench/load/run` starts it.

A second process on 127.0.0.1, standard library only: worker threads, each with its own
keep-alive connection (reopened whenever the server closes it). Every account logs in first
(POST /api/v1/auth/token/). Then, until the time is up or the request budget is spent:

- clients read their program (GET /api/v1/me/programs/);
- clients log sessions (POST /api/v1/me/sessions/) with entries for items of their program;
  some uploads are retried with the same client_uuid, some sent twice at the same moment;
- therapists read one of their programs (GET /api/v1/programs/{id}/) and PATCH its `notes` to a
  unique marker with `If-Match: <ETag>`; a 412 means another edit came first.

Every response is recorded (endpoint, status, latency), with what was acknowledged: sessions
(client_uuid → returned id) and edits (program, marker, version in the response). The JSON
written to --out is what bench/load/check.py asserts on.
"""

import argparse
import http.client
import json
import os
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

LOGGED_SIDE = {"both": "both", "each": "left", "left": "left", "right": "right"}
"""A side each kind of item accepts in a log entry; alternating items take any."""

EXPECTED = {
    "auth.token": {200},
    "me.programs.list": {200},
    "me.sessions.create": {201},
    "me.sessions.retry": {200},
    "me.sessions.concurrent": {200, 201},
    "programs.retrieve": {200},
    "programs.patch": {200, 412},
}
"""The statuses each endpoint may answer under this traffic; anything else is reported."""

ACTIONS = [("read", 40), ("session", 30), ("edit", 30)]
RETRY_SHARE = 0.25
CONCURRENT_SHARE = 0.10
HOT_PROGRAM_SHARE = 0.6
"""Therapists mostly edit their first program, so that concurrent edits meet (and get 412)."""
MAX_ERRORS_KEPT = 50


class Recorder:
    """Everything the threads observe, behind one lock; also the request budget and deadline."""

    def __init__(self, max_requests: int):
        self.lock = threading.Lock()
        self.requests: list[list] = []
        self.errors: list[str] = []
        self.error_count = 0
        self.sessions: dict[str, dict] = {}
        self.edits: list[dict] = []
        self.budget = max_requests
        self.deadline = float("inf")

    def open(self) -> bool:
        """Whether another action may start; each action takes one unit of the budget."""
        with self.lock:
            if self.budget <= 0 or time.monotonic() >= self.deadline:
                return False
            self.budget -= 1
            return True

    def request(self, endpoint: str, status: int, millis: float) -> None:
        with self.lock:
            self.requests.append([endpoint, status, round(millis, 3)])

    def error(self, message: str) -> None:
        with self.lock:
            self.error_count += 1
            if len(self.errors) < MAX_ERRORS_KEPT:
                self.errors.append(message)

    def session(self, client_uuid: str, **fields) -> dict:
        with self.lock:
            return self.sessions.setdefault(client_uuid, {**fields, "responses": []})

    def session_response(self, client_uuid: str, status: int, session_id) -> None:
        with self.lock:
            self.sessions[client_uuid]["responses"].append([status, session_id])

    def edit(self, **fields) -> None:
        with self.lock:
            self.edits.append(fields)


class Api:
    """One keep-alive connection; every call is timed and recorded under its endpoint name."""

    def __init__(self, host: str, port: int, recorder: Recorder):
        self.connection = http.client.HTTPConnection(host, port, timeout=60)
        self.recorder = recorder

    def close(self) -> None:
        self.connection.close()

    def call(self, endpoint, method, path, *, token=None, body=None, headers=None):
        """(status, headers, parsed JSON or None); status 0 for a connection error."""
        sent = {"Accept": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Token {token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=payload, headers=sent)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.recorder.request(endpoint, 0, (time.perf_counter() - started) * 1000)
            self.recorder.error(f"{endpoint} {method} {path}: connection error {error!r}")
            return 0, {}, None
        millis = (time.perf_counter() - started) * 1000
        self.recorder.request(endpoint, response.status, millis)
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        if response.status not in EXPECTED[endpoint]:
            self.recorder.error(
                f"{endpoint} {method} {path}: unexpected {response.status} "
                f"{raw[:300].decode(errors='replace')}"
            )
        return response.status, response.headers, data


class Traffic:
    """The accounts, their tokens and what clients learned of their programs."""

    def __init__(self, accounts: dict, host: str, port: int, recorder: Recorder):
        self.accounts = accounts
        self.host, self.port = host, port
        self.recorder = recorder
        self.tokens: dict[str, str] = {}
        self.items: dict[str, list[tuple[int, str]]] = {}
        self.starts: dict[str, datetime] = {}

    def api(self) -> Api:
        return Api(self.host, self.port, self.recorder)

    def log_in_all(self, threads: int) -> int:
        usernames = [account["username"] for account in self.accounts["therapists"]]
        usernames += [account["username"] for account in self.accounts["clients"]]

        def log_in(username):
            api = self.api()
            status, _, data = api.call(
                "auth.token",
                "POST",
                "/api/v1/auth/token/",
                body={"username": username, "password": self.accounts["password"]},
            )
            api.close()
            if status == 200 and data and data.get("token"):
                self.tokens[username] = data["token"]

        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(log_in, usernames))
        missing = [name for name in usernames if name not in self.tokens]
        if missing:
            raise SystemExit(f"Log-in failed for {len(missing)} accounts, e.g. {missing[0]}")
        return len(usernames)

    # Client app

    def read_program(self, api: Api, client: dict) -> None:
        status, _, data = api.call(
            "me.programs.list",
            "GET",
            "/api/v1/me/programs/",
            token=self.tokens[client["username"]],
        )
        if status != 200 or not data:
            return
        for program in data.get("results", []):
            if program["id"] == client["program"]:
                start = datetime.fromisoformat(program["start_date"]).replace(tzinfo=timezone.utc)
                self.starts[client["username"]] = start
                self.items[client["username"]] = [
                    (item["id"], item["side"])
                    for block in program["blocks"]
                    for item in block["items"]
                ]

    def session_payload(self, rng: random.Random, client: dict) -> dict:
        items = self.items[client["username"]]
        now = datetime.now(timezone.utc)
        earliest = max(self.starts[client["username"]], now - timedelta(hours=10))
        performed = now - (now - earliest) * rng.random()
        return {
            "client_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "program": client["program"],
            "performed_at": performed.isoformat(),
            "pain_before": rng.randint(0, 6),
            "pain_after": rng.randint(0, 6),
            "notes": "load test",
            "entries": [
                {
                    "item": item,
                    "side": LOGGED_SIDE.get(side, rng.choice(["both", "left", "right"])),
                    "sets": rng.randint(1, 3),
                    "reps": rng.randint(5, 12),
                    "pain": rng.randint(0, 7),
                    "difficulty": rng.randint(1, 8),
                }
                for item, side in rng.sample(items, k=min(len(items), rng.randint(1, 4)))
            ],
        }

    def post_session(self, api: Api, endpoint: str, client: dict, payload: dict) -> None:
        status, _, data = api.call(
            endpoint,
            "POST",
            "/api/v1/me/sessions/",
            token=self.tokens[client["username"]],
            body=payload,
        )
        session_id = data.get("id") if status in (200, 201) and isinstance(data, dict) else None
        if session_id is not None and data.get("client_uuid") != payload["client_uuid"]:
            self.recorder.error(f"{endpoint}: sent {payload['client_uuid']}, answered {data}")
        self.recorder.session_response(payload["client_uuid"], status, session_id)

    def log_session(self, api: Api, rng: random.Random, client: dict) -> None:
        if client["username"] not in self.items:
            self.read_program(api, client)
            if client["username"] not in self.items:
                return
        payload = self.session_payload(rng, client)
        self.recorder.session(
            payload["client_uuid"],
            client=client["username"],
            program=client["program"],
            entries=len(payload["entries"]),
        )
        draw = rng.random()
        if draw < CONCURRENT_SHARE:
            self.post_twice_at_once(api, client, payload)
            return
        self.post_session(api, "me.sessions.create", client, payload)
        if draw < CONCURRENT_SHARE + RETRY_SHARE:
            self.post_session(api, "me.sessions.retry", client, payload)

    def post_twice_at_once(self, api: Api, client: dict, payload: dict) -> None:
        """The same upload on two connections at the same moment, as a flaky network might."""
        barrier = threading.Barrier(2)
        other = self.api()

        def send(connection):
            try:
                barrier.wait(timeout=10)
            except threading.BrokenBarrierError:
                pass
            self.post_session(connection, "me.sessions.concurrent", client, payload)

        thread = threading.Thread(target=send, args=(other,))
        thread.start()
        send(api)
        thread.join()
        other.close()

    # Therapist

    def edit_program(self, api: Api, rng: random.Random, therapist: dict) -> None:
        programs = therapist["programs"]
        program = programs[0] if rng.random() < HOT_PROGRAM_SHARE else rng.choice(programs)
        token = self.tokens[therapist["username"]]
        path = f"/api/v1/programs/{program}/"
        status, headers, _ = api.call("programs.retrieve", "GET", path, token=token)
        etag = headers.get("ETag") if status == 200 else None
        if not etag:
            if status == 200:
                self.recorder.error(f"programs.retrieve {path}: no ETag")
            return
        marker = f"load-edit-{uuid.UUID(int=rng.getrandbits(128), version=4).hex}"
        status, headers, data = api.call(
            "programs.patch",
            "PATCH",
            path,
            token=token,
            body={"notes": marker},
            headers={"If-Match": etag},
        )
        if 200 <= status < 300:
            self.recorder.edit(
                program=program,
                marker=marker,
                if_match=etag,
                version=data.get("version") if isinstance(data, dict) else None,
                notes=data.get("notes") if isinstance(data, dict) else None,
                etag=headers.get("ETag"),
            )

    # The loop

    def work(self, seed: int) -> None:
        rng = random.Random(seed)
        api = self.api()
        names, weights = zip(*ACTIONS, strict=True)
        try:
            while self.recorder.open():
                action = rng.choices(names, weights)[0]
                if action == "read":
                    self.read_program(api, rng.choice(self.accounts["clients"]))
                elif action == "session":
                    self.log_session(api, rng, rng.choice(self.accounts["clients"]))
                else:
                    self.edit_program(api, rng, rng.choice(self.accounts["therapists"]))
        finally:
            api.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--accounts", required=True, help="JSON written by bench/load/seed.py")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=12)
    parser.add_argument("--max-requests", type=int, default=100_000, help="actions at most")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with open(args.accounts, encoding="utf-8") as file:
        accounts = json.load(file)
    recorder = Recorder(args.max_requests)
    traffic = Traffic(accounts, "127.0.0.1", args.port, recorder)

    load_before = os.getloadavg()
    started = time.monotonic()
    logins = traffic.log_in_all(args.threads)
    login_seconds = time.monotonic() - started
    print(f"Logged in {logins} accounts in {login_seconds:.1f} s; driving for {args.seconds} s")

    started = time.monotonic()
    recorder.deadline = started + args.seconds
    threads = [
        threading.Thread(target=traffic.work, args=(args.seed * 1000 + index,))
        for index in range(args.threads)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    traffic_seconds = time.monotonic() - started

    result = {
        "threads": args.threads,
        "logins": logins,
        "login_seconds": login_seconds,
        "traffic_seconds": traffic_seconds,
        "cpus": os.cpu_count(),
        "load_average": [load_before[0], os.getloadavg()[0]],
        "requests": recorder.requests,
        "error_count": recorder.error_count,
        "errors": recorder.errors,
        "sessions": recorder.sessions,
        "edits": recorder.edits,
    }
    with open(args.out, "w", encoding="utf-8") as file:
        json.dump(result, file)
    print(f"{len(recorder.requests)} requests in {traffic_seconds:.1f} s (after log-in)")


if __name__ == "__main__":
    main()
