"""What a present red flag sets going: the client's reports of new signs between visits, and the
therapist's attention list."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from exercises.models import RedFlag


class SymptomReport(models.Model):
    """Signs a client reported from the app: the red flags they have now, and their own words."""

    client = models.ForeignKey(
        "clients.Client", related_name="symptom_reports", on_delete=models.CASCADE
    )
    reported_at = models.DateTimeField(default=timezone.now)
    red_flags = models.ManyToManyField(RedFlag, blank=True, related_name="+")
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]

    def __str__(self):
        return f"{self.client} reported on {self.reported_at:%Y-%m-%d}"


class AttentionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(cleared_at__isnull=True)

    def of(self, user):
        """A therapist's own clients' items; superusers see all."""
        return self if user.is_superuser else self.filter(client__therapist=user)


class Attention(models.Model):
    """Present red flags the therapist must see, open until they record why the client may go
    on. An emergency has paused the client's active programs already; other flags leave them
    running, marked for attention until cleared."""

    client = models.ForeignKey("clients.Client", related_name="attention", on_delete=models.CASCADE)
    screening = models.OneToOneField(
        "clients.Screening",
        null=True,
        blank=True,
        related_name="attention",
        on_delete=models.CASCADE,
    )
    symptom_report = models.OneToOneField(
        SymptomReport, null=True, blank=True, related_name="attention", on_delete=models.CASCADE
    )
    red_flags = models.ManyToManyField(RedFlag, related_name="+")
    is_emergency = models.BooleanField()
    raised_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    clearance_reason = models.TextField(blank=True)

    objects = AttentionQuerySet.as_manager()

    class Meta:
        ordering = ["-is_emergency", "-raised_at", "-id"]
        verbose_name_plural = "attention"

    def __str__(self):
        kind = "Emergency" if self.is_emergency else "Red flag"
        return f"{kind}: {self.client} ({self.raised_at:%Y-%m-%d})"

    @property
    def source(self) -> str:
        return "screening" if self.screening_id else "symptom report"
