from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import therapist_create


class Command(BaseCommand):
    help = "Create a therapist: a staff user in the Therapists group."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--password", help="Prompted for when omitted.")

    def handle(self, *args, username, email, first_name, last_name, password, **options):
        if get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        if password is None:
            password = self._prompt_password()
        try:
            therapist_create(
                username=username,
                password=password,
                email=email,
                first_name=first_name,
                last_name=last_name,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Therapist {username!r} created."))

    def _prompt_password(self) -> str:
        from getpass import getpass

        password = getpass("Password: ")
        if password != getpass("Password (again): "):
            raise CommandError("The passwords did not match.")
        return password
