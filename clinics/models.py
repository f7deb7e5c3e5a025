"""The clinic a therapist works for: shown on the handout, and the emergency number its clients
are told to call."""

from django.conf import settings
from django.db import models

EMERGENCY_NUMBERS = {"US": "911", "CA": "911", "MX": "911"}
"""Where 112 is not the number; everywhere else 112 (it also reaches 911 from most US phones)."""
LETTER_COUNTRIES = {"US", "CA", "MX", "PH", "CL", "CO", "VE"}


def emergency_number_in(country: str) -> str:
    return EMERGENCY_NUMBERS.get(country.upper(), "112")


class Clinic(models.Model):
    name = models.CharField(max_length=120)
    country = models.CharField(
        max_length=2, help_text="ISO code, e.g. US or DE: sets the default emergency number."
    )
    emergency_number = models.CharField(
        max_length=20, blank=True, help_text="Empty: 911 in the US, 112 elsewhere."
    )
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    logo = models.ImageField(upload_to="clinics/", blank=True)
    paper = models.CharField(
        max_length=6,
        choices=[("a4", "A4"), ("letter", "US Letter")],
        blank=True,
        help_text="Empty: US Letter where that is the usual paper, A4 elsewhere.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def emergency(self) -> str:
        return self.emergency_number or emergency_number_in(self.country)

    @property
    def paper_size(self) -> str:
        return self.paper or ("letter" if self.country.upper() in LETTER_COUNTRIES else "a4")


class Membership(models.Model):
    """A therapist belongs to one clinic."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, related_name="clinic_membership", on_delete=models.CASCADE
    )
    clinic = models.ForeignKey(Clinic, related_name="memberships", on_delete=models.PROTECT)

    def __str__(self):
        return f"{self.user} at {self.clinic}"


def clinic_of(user) -> Clinic | None:
    if user is None:
        return None
    membership = Membership.objects.filter(user=user).select_related("clinic").first()
    return membership.clinic if membership else None


def emergency_number_for(therapist) -> str:
    """The number a therapist's clients are told to call; without a clinic, the one of the
    country the server is set up for (CLINIC_COUNTRY)."""
    clinic = clinic_of(therapist)
    return clinic.emergency if clinic else emergency_number_in(settings.CLINIC_COUNTRY)
