from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from ptbuilder.roles import THERAPISTS_GROUP

DEMO_THERAPIST = ("demo-therapist", "demo-therapist-pass")
DEMO_CLIENT = ("demo-client", "demo-client-pass")


class Command(BaseCommand):
    help = "Create or reset a demo therapist and a demo client (local use, never production)."

    def handle(self, *args, **options):
        User = get_user_model()
        therapist, _ = User.objects.get_or_create(
            username=DEMO_THERAPIST[0],
            defaults={"first_name": "Dana", "last_name": "Demo", "email": "dana@example.com"},
        )
        therapist.is_staff = True
        therapist.set_password(DEMO_THERAPIST[1])
        therapist.save()
        therapist.groups.add(Group.objects.get(name=THERAPISTS_GROUP))
        client, _ = User.objects.get_or_create(
            username=DEMO_CLIENT[0], defaults={"first_name": "Casey", "last_name": "Client"}
        )
        client.set_password(DEMO_CLIENT[1])
        client.save()
        self.stdout.write("Demo log-ins (local use only):")
        for role, (username, password) in [("therapist", DEMO_THERAPIST), ("client", DEMO_CLIENT)]:
            self.stdout.write(f"  {role:<9} username={username}  password={password}")
