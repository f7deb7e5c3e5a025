"""Programs prescribed to clients, and the templates they are copied from."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from clients.models import Client
from exercises.models import (
    MAX_LOAD_KG,
    Condition,
    Dose,
    Exercise,
    Parameter,
)

MAX_WEEKS = 104


class ProgramQuerySet(models.QuerySet):
    def templates(self):
        return self.filter(client__isnull=True)

    def visible_to(self, user):
        """A therapist's own programs plus the shared templates; superusers (and internal
        callers passing no user) see all."""
        if user is None or user.is_superuser:
            return self
        return self.filter(Q(owner=user) | Q(owner__isnull=True, client__isnull=True))


def recorded_by(**options) -> models.ForeignKey:
    """Who did something to a program, kept for the record (and kept if the user goes)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
        editable=False,
        **options,
    )


class Program(models.Model):
    """A prescription for one client, or a template when it has no client."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        ARCHIVED = "archived", "Archived"

    STATUS_CHANGES = {
        Status.DRAFT: {Status.ARCHIVED},
        Status.ACTIVE: {Status.PAUSED, Status.COMPLETED},
        Status.PAUSED: {Status.COMPLETED, Status.ARCHIVED},
        Status.COMPLETED: {Status.ARCHIVED},
    }
    """Status changes made by editing; draft or paused to active goes through activation."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="programs",
        on_delete=models.PROTECT,
        help_text="Empty for a shared template.",
    )
    client = models.ForeignKey(
        Client,
        null=True,
        blank=True,
        related_name="programs",
        on_delete=models.PROTECT,
        help_text="Empty for a template.",
    )
    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=160, blank=True, help_text="Key of a shared template.")
    condition = models.ForeignKey(Condition, null=True, blank=True, on_delete=models.PROTECT)
    goal = models.TextField(blank=True)
    notes = models.TextField(
        blank=True, help_text="For the client: shown in their app and printed on the handout."
    )
    rationale = models.TextField(
        blank=True, help_text="The therapist's reasoning: never shown to the client."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    start_date = models.DateField(null=True, blank=True)
    weeks = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(1), MaxValueValidator(MAX_WEEKS)]
    )
    sessions_per_week = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(14)]
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    source = models.ForeignKey(
        "self", null=True, blank=True, related_name="copies", on_delete=models.SET_NULL
    )
    activated_at = models.DateTimeField(null=True, blank=True, editable=False)
    activated_by = recorded_by()
    override_reason = models.TextField(
        blank=True, editable=False, help_text="Why it was activated without a clear screening."
    )
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_by = recorded_by()
    pause_reason = models.TextField(blank=True, editable=False, help_text="Why it was paused.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = recorded_by(
        help_text="Who saved the current version: named when a stale page is refused."
    )

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=Q(owner__isnull=True), name="unique_template_slug"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_template(self) -> bool:
        return self.client_id is None

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None

    @property
    def etag(self) -> str:
        return f'"program-{self.pk}-v{self.version}"'


class BlockKind(models.TextChoices):
    SEQUENCE = "sequence", "Sequence"
    CIRCUIT = "circuit", "Circuit"


class Block(models.Model):
    """An ordered section of a program: a sequence, or a circuit done for a number of rounds."""

    Kind = BlockKind

    program = models.ForeignKey(Program, related_name="blocks", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SEQUENCE)
    rounds_min = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    rounds_max = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    rest_between_rounds_seconds = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(3600)]
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.title


class ItemSide(models.TextChoices):
    BOTH = "both", "Both sides together"
    EACH = "each", "Each side"
    LEFT = "left", "Left side only"
    RIGHT = "right", "Right side only"
    ALTERNATING = "alternating", "Alternating sides"


class Item(Dose):
    """An exercise in a block, with the dose prescribed for week 1."""

    Side = ItemSide

    block = models.ForeignKey(Block, related_name="items", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)
    exercise = models.ForeignKey(Exercise, related_name="items", on_delete=models.PROTECT)
    side = models.CharField(max_length=12, choices=Side.choices, default=Side.BOTH)
    notes = models.TextField(blank=True, help_text="Adds to or overrides the library text.")
    needs_review = models.BooleanField(
        default=False, help_text="Set when the client logs pain above 5/10; clear once reviewed."
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return str(self.exercise)


class ProgressionRule(models.Model):
    """How one parameter of an item changes week by week (see progression/engine.py)."""

    class Mode(models.TextChoices):
        ABSOLUTE = "absolute", "Add an amount"
        PERCENT = "percent", "Add a percentage"
        DOUBLE = "double", "Double progression (reps to the top, then load)"

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", "On schedule"
        GATED = "gated", "When ready"

    item = models.ForeignKey(Item, related_name="progressions", on_delete=models.CASCADE)
    parameter = models.CharField(max_length=20, choices=Parameter.choices)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.ABSOLUTE)
    amount = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_LOAD_KG)],
        help_text="kg, cm, reps, sets, seconds, or percent, by parameter and mode.",
    )
    every_weeks = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    start_week = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(2), MaxValueValidator(MAX_WEEKS)]
    )
    cap = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3600)],
        help_text="Never beyond this value.",
    )
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULED)
    pain_threshold = models.PositiveSmallIntegerField(
        default=3,
        validators=[MaxValueValidator(10)],
        help_text="When ready: last week's pain at or below this (0–10).",
    )
    regress_above = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
        help_text=(
            "When ready: last week's pain above this steps the dose back (0–10; empty: 5, or "
            "the pain threshold when higher)."
        ),
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_parameter_display()}: {self.get_mode_display()} {self.amount}"


class ProgramVersion(models.Model):
    """What an active program prescribed before a change replaced it."""

    program = models.ForeignKey(Program, related_name="versions", on_delete=models.CASCADE)
    version = models.PositiveIntegerField()
    snapshot = models.JSONField(help_text="The program as the API showed it in that version.")
    replaced_at = models.DateTimeField(auto_now_add=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["program", "version"], name="one_snapshot_per_version")
        ]

    def __str__(self):
        return f"{self.program} v{self.version}"
