from django.core.management.base import BaseCommand

from exercises.seeding import seed_library


class Command(BaseCommand):
    help = "Load or update the shared exercise library from fixtures/ (safe to run repeatedly)."

    def handle(self, *args, **options):
        tally = seed_library()
        self.stdout.write(f"Library seeded ({tally}).")
