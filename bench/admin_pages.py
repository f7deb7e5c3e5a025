"""Server render times of the therapist's three everyday admin pages, on the seeded library and
the demo data (`setup_demo`): the client's page, the program builder and the home page (what
needs attention), each a GET through Django's test client signed in as the demo therapist.

Run by bench/run.py on the database it has just seeded, before its own data is added. The pages
take turns in each round, so a slow moment of the machine weighs on all alike; each is read once
first, as a therapist comes back to a page (the client's adherence is then cached until the next
session or change). The server's time only: no network, static files or browser rendering.
"""

import gc
import io
import os
import statistics
from time import perf_counter

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import Client
from programs.management.commands.setup_demo import DEMO_CLIENT, DEMO_THERAPIST
from programs.models import Program

ROUNDS = int(os.environ.get("BENCH_ADMIN_ROUNDS", "30"))


def admin_page_times(rounds: int = ROUNDS) -> list[tuple[str, str, list[float]]]:
    """(page, path, milliseconds of each round) for each page."""
    call_command("setup_demo", stdout=io.StringIO())
    therapist = get_user_model().objects.get(username=DEMO_THERAPIST[0])
    client = Client.objects.get(user__username=DEMO_CLIENT[0])
    program = client.programs.get(status=Program.Status.ACTIVE)
    browser = HttpClient()
    browser.force_login(therapist)
    pages = [
        ("client's page", reverse("admin:clients_client_change", args=[client.pk])),
        ("program builder", reverse("admin:programs_program_change", args=[program.pk])),
        ("home page (what needs attention)", reverse("admin:index")),
    ]
    for _, path in pages:
        response = browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
    gc.collect()
    gc.freeze()  # the data built for the measure is not the requests' garbage
    timings = {path: [] for _, path in pages}
    for _ in range(rounds):
        for _, path in pages:
            started = perf_counter()
            browser.get(path)
            timings[path].append((perf_counter() - started) * 1000)
    return [(name, path, timings[path]) for name, path in pages]


def section(rows: list[tuple[str, str, list[float]]], heading: str, machine: list[str]) -> str:
    """The Markdown section of bench/run.py's report for these timings, measured on `machine`
    (its description, as Markdown list items)."""
    rounds = len(rows[0][2]) if rows else 0
    lines = [
        f"## Admin pages: {heading}",
        "",
        "Server time of a therapist's GET of each page (Django's test client, signed in as the",
        f"demo therapist, on the seeded library and demo data), over {rounds} rounds in which the",
        "pages take turns, after one read of each:",
        "",
        *machine,
        "",
        "| page | path | min ms | median ms | max ms |",
        "|---|---|---:|---:|---:|",
    ]
    for name, path, timings in rows:
        lines.append(
            f"| {name} | `{path}` | {min(timings):.1f} | {statistics.median(timings):.1f} "
            f"| {max(timings):.1f} |"
        )
    return "\n".join([*lines, ""])
