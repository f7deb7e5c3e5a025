"""Clients, their red-flag screenings and their invitations to the client app.

The tables keep the names they had in `programs` (db_table): moving the models moved no data.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from exercises.models import Condition, RedFlag

SCREENING_VALID_DAYS = 30


class Units(models.TextChoices):
    METRIC = "metric", "Metric (kg, cm)"
    IMPERIAL = "imperial", "Imperial (lb, in)"


class ClientQuerySet(models.QuerySet):
    def of(self, user):
        """A therapist's own clients; superusers see every client."""
        return self if user.is_superuser else self.filter(therapist=user)


class Client(models.Model):
    """A therapist's client; `user` is the account the client app signs in with."""

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="clients", on_delete=models.PROTECT
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="client_profile",
        on_delete=models.SET_NULL,
    )
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField(blank=True)
    units = models.CharField(max_length=8, choices=Units.choices, default=Units.METRIC)
    notes = models.TextField(blank=True, help_text="Private to the therapist.")
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        db_table = "programs_client"
        ordering = ["last_name", "first_name", "id"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def client_id(self) -> int:
        """Whose data this is, as for every record about a client (the audit trail asks)."""
        return self.pk


class Screening(models.Model):
    """A red-flag screening: one answer per flag of the condition."""

    client = models.ForeignKey(Client, related_name="screenings", on_delete=models.CASCADE)
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT)
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    performed_at = models.DateTimeField(default=timezone.now)
    notes = models.TextField(blank=True)

    class Meta:
        db_table = "programs_screening"
        ordering = ["-performed_at", "-id"]

    def __str__(self):
        return f"{self.condition} screening of {self.client} on {self.performed_at:%Y-%m-%d}"

    @property
    def is_clear(self) -> bool:
        return not any(answer.present for answer in self.answers.all())


class ScreeningAnswer(models.Model):
    screening = models.ForeignKey(Screening, related_name="answers", on_delete=models.CASCADE)
    red_flag = models.ForeignKey(RedFlag, on_delete=models.PROTECT)
    present = models.BooleanField()

    class Meta:
        db_table = "programs_screeninganswer"
        ordering = ["red_flag__position"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "red_flag"], name="one_answer_per_flag")
        ]

    def __str__(self):
        return f"{self.red_flag}: {'present' if self.present else 'absent'}"


class Invitation(models.Model):
    """A one-time code with which a client creates their app account; only its hash is kept."""

    client = models.OneToOneField(Client, related_name="invitation", on_delete=models.CASCADE)
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "programs_invitation"

    def __str__(self):
        return f"Invitation for {self.client}"
