from django.core.management.base import BaseCommand

from programs.seeding import seed_library


class Command(BaseCommand):
    help = "Load or update the shared library and templates from fixtures/ (safe to repeat)."

    def handle(self, *args, **options):
        tally = seed_library()
        self.stdout.write(f"Library seeded ({tally}).")
