"""Clients, their red-flag screenings, and the programs prescribed to them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from exercises.models import (
    MAX_LOAD_KG,
    MAX_REPS,
    MAX_SECONDS,
    MAX_SETS,
    MAX_STEP_HEIGHT_CM,
    Condition,
    Dose,
    Exercise,
    Parameter,
    RedFlag,
)

SCREENING_VALID_DAYS = 30
MAX_WEEKS = 104


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
        ordering = ["last_name", "first_name", "id"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class Screening(models.Model):
    """A red-flag screening: one answer per flag of the condition."""

    client = models.ForeignKey(Client, related_name="screenings", on_delete=models.CASCADE)
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT)
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    performed_at = models.DateTimeField(default=timezone.now)
    notes = models.TextField(blank=True)

    class Meta:
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
        ordering = ["red_flag__position"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "red_flag"], name="one_answer_per_flag")
        ]

    def __str__(self):
        return f"{self.red_flag}: {'present' if self.present else 'absent'}"


class ProgramQuerySet(models.QuerySet):
    def templates(self):
        return self.filter(client__isnull=True)

    def visible_to(self, user):
        """A therapist's own programs plus the shared templates; superusers (and internal
        callers passing no user) see all."""
        if user is None or user.is_superuser:
            return self
        return self.filter(Q(owner=user) | Q(owner__isnull=True, client__isnull=True))


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
    notes = models.TextField(blank=True, help_text="Notes for the client.")
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
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
        editable=False,
    )
    override_reason = models.TextField(
        blank=True, editable=False, help_text="Why it was activated without a clear screening."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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


class Block(models.Model):
    """An ordered section of a program: a sequence, or a circuit done for a number of rounds."""

    class Kind(models.TextChoices):
        SEQUENCE = "sequence", "Sequence"
        CIRCUIT = "circuit", "Circuit"

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
    """How one parameter of an item changes week by week (see programs/progression.py)."""

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

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_parameter_display()}: {self.get_mode_display()} {self.amount}"


class Invitation(models.Model):
    """A one-time code with which a client creates their app account; only its hash is kept."""

    client = models.OneToOneField(Client, related_name="invitation", on_delete=models.CASCADE)
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Invitation for {self.client}"


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
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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
        ordering = ["id"]
        indexes = [  # side differences are summed from the index alone
            models.Index(
                fields=["item", "side", "reps", "seconds", "pain"], name="log_sides_covering"
            )
        ]

    def __str__(self):
        return f"{self.exercise} ({self.side})"


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


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """Who read or changed which client's data, when, from where: append-only."""

    at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL
    )
    username = models.CharField(max_length=150, help_text="Kept should the user be deleted.")
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    client = models.ForeignKey(
        Client, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField()

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client", "at"])]

    def __str__(self):
        return f"{self.username} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")
