from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from accounts.roles import THERAPISTS_GROUP
from clients.models import Client
from clients.services import screening_create
from programs.models import Program
from programs.services import program_activate, program_copy

DEMO_THERAPIST = ("demo-therapist", "demo-therapist-pass")
DEMO_CLIENT = ("demo-client", "demo-client-pass")
TEMPLATE = "sciatic-nerve-pain-six-movement-tools"


class Command(BaseCommand):
    help = "Create or reset a demo therapist and client with an active program (local use only)."

    def handle(self, *args, **options):
        therapist = self.user(DEMO_THERAPIST, first_name="Dana", last_name="Demo", is_staff=True)
        therapist.groups.add(Group.objects.get(name=THERAPISTS_GROUP))
        account = self.user(DEMO_CLIENT, first_name="Casey", last_name="Client")
        client, _ = Client.objects.get_or_create(
            user=account,
            defaults={"therapist": therapist, "first_name": "Casey", "last_name": "Client"},
        )
        if not client.programs.exists():
            template = Program.objects.templates().get(slug=TEMPLATE)
            condition = template.condition
            screening_create(
                client=client,
                condition=condition,
                answers=[
                    {"red_flag": flag, "present": False} for flag in condition.red_flags.all()
                ],
                by=therapist,
                notes="Demo screening: no red flags.",
            )
            program = program_copy(program=template, client=client, by=therapist)
            program_activate(program=program, by=therapist)
        self.stdout.write("Demo log-ins (local use only):")
        for role, (username, password) in [("therapist", DEMO_THERAPIST), ("client", DEMO_CLIENT)]:
            self.stdout.write(f"  {role:<9} username={username}  password={password}")

    def user(self, credentials, **fields):
        username, password = credentials
        user, _ = get_user_model().objects.update_or_create(username=username, defaults=fields)
        user.set_password(password)
        user.save()
        return user
