"""The sessions clients log at home, and what they did of each exercise in them.

The tables keep the names they had in `programs` (db_table): moving the models moved no data.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clients.models import Client
from exercises.models import (
    MAX_LOAD_KG,
    MAX_REPS,
    MAX_SECONDS,
    MAX_SETS,
    MAX_STEP_HEIGHT_CM,
    Exercise,
)
from programs.models import Item, Program

PAIN_VALIDATORS = [MaxValueValidator(10)]


class Session(models.Model):
    """One home session a client logged; `client_uuid` makes a retried upload count once."""

    client = models.ForeignKey(Client, related_name="sessions", on_delete=models.CASCADE)
    program = models.ForeignKey(Program, related_name="sessions", on_delete=models.PROTECT)
    client_uuid = models.UUIDField()
    performed_at = models.DateTimeField()
    pain_before = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=PAIN_VALIDATORS
    )
    pain_after = models.PositiveSmallIntegerField(null=True, blank=True, validators=PAIN_VALIDATORS)
    symptoms_spread = models.BooleanField(
        default=False, help_text="Symptoms spread further down the leg during or after it."
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "programs_session"
        ordering = ["-performed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "client_uuid"], name="one_upload_per_uuid")
        ]
        indexes = [models.Index(fields=["program", "performed_at"])]

    def __str__(self):
        return f"{self.client} on {self.performed_at:%Y-%m-%d}"


class LoggedSide(models.TextChoices):
    BOTH = "both", "Both sides"
    LEFT = "left", "Left"
    RIGHT = "right", "Right"


class ExerciseLog(models.Model):
    """What was done of one item on one side. The exercise is kept should the item be removed."""

    Side = LoggedSide

    session = models.ForeignKey(Session, related_name="entries", on_delete=models.CASCADE)
    item = models.ForeignKey(
        Item, null=True, blank=True, related_name="logs", on_delete=models.SET_NULL
    )
    exercise = models.ForeignKey(Exercise, related_name="+", on_delete=models.PROTECT)
    side = models.CharField(max_length=5, choices=Side.choices, default=Side.BOTH)
    sets = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_SETS)]
    )
    reps = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_REPS)]
    )
    seconds = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_SECONDS)]
    )
    load_kg = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_LOAD_KG)],
    )
    step_height_cm = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_STEP_HEIGHT_CM)]
    )
    pain = models.PositiveSmallIntegerField(null=True, blank=True, validators=PAIN_VALIDATORS)
    difficulty = models.PositiveSmallIntegerField(null=True, blank=True, validators=PAIN_VALIDATORS)
    notes = models.TextField(blank=True)

    class Meta:
        db_table = "programs_exerciselog"
        ordering = ["id"]
        indexes = [  # side differences are summed from the index alone
            models.Index(
                fields=["item", "side", "reps", "seconds", "pain"], name="log_sides_covering"
            )
        ]

    def __str__(self):
        return f"{self.exercise} ({self.side})"
