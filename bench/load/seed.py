"""Seeds the load test's database: therapists, each with clients on an active program.

Run by `bench/load/run` after `migrate` and `seed_library`, with the same environment as the
served app (DATABASE_URL, REDIS_URL). Every account gets one password, hashed once and copied,
so seeding stays fast with the production hasher. Writes the accounts (and the password) as
JSON for the driver, and clears the shared log-in throttle history so the checker can count
this run's log-ins in Redis.

    python bench/load/seed.py --therapists 4 --clients 5 --out accounts.json
"""

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptbuilder.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402

from accounts.roles import THERAPISTS_GROUP  # noqa: E402
from clients.models import Client  # noqa: E402
from clients.services import screening_create  # noqa: E402
from programs.management.commands.setup_demo import TEMPLATE  # noqa: E402
from programs.models import Program  # noqa: E402
from programs.services import program_activate, program_copy  # noqa: E402

THROTTLE_KEY = "throttle_auth_127.0.0.1"
"""DRF's history of log-in requests from 127.0.0.1, kept in the shared cache."""


def seed(therapists: int, clients_each: int) -> dict:
    User = get_user_model()
    password = secrets.token_urlsafe(12)
    hashed = make_password(password)
    template = Program.objects.templates().get(slug=TEMPLATE)
    condition = template.condition
    flags = list(condition.red_flags.all())
    group = Group.objects.get(name=THERAPISTS_GROUP)
    accounts = {"password": password, "therapists": [], "clients": []}
    for t in range(1, therapists + 1):
        therapist = User.objects.create(
            username=f"load-therapist-{t}",
            password=hashed,
            first_name="Load",
            last_name=f"Therapist {t}",
            is_staff=True,
        )
        therapist.groups.add(group)
        programs = []
        for c in range(1, clients_each + 1):
            username = f"load-client-{t}-{c}"
            account = User.objects.create(username=username, password=hashed)
            client = Client.objects.create(
                therapist=therapist, user=account, first_name="Load", last_name=f"Client {t}-{c}"
            )
            screening_create(
                client=client,
                condition=condition,
                answers=[{"red_flag": flag, "present": False} for flag in flags],
                by=therapist,
                notes="Load test: no red flags.",
            )
            program = program_copy(program=template, client=client, by=therapist)
            program = program_activate(program=program, by=therapist)
            programs.append(program.pk)
            accounts["clients"].append({"username": username, "program": program.pk})
        accounts["therapists"].append({"username": therapist.username, "programs": programs})
    cache.delete(THROTTLE_KEY)
    return accounts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--therapists", type=int, default=4)
    parser.add_argument("--clients", type=int, default=5, help="clients per therapist")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    accounts = seed(args.therapists, args.clients)
    args.out.write_text(json.dumps(accounts, indent=2), encoding="utf-8")
    print(
        f"Seeded {len(accounts['therapists'])} therapists and {len(accounts['clients'])} "
        "clients, each client with an active copy of the template."
    )


if __name__ == "__main__":
    main()
