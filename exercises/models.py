"""The exercise library: shared knowledge, never patient data."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

MAX_SETS = 20
MAX_REPS = 200
MAX_SECONDS = 3600
MAX_LOAD_KG = 500
MAX_STEP_HEIGHT_CM = 100


class Parameter(models.TextChoices):
    """Dose parameters a progression may change (names match the dose fields)."""

    SETS = "sets", "Sets"
    REPS = "reps", "Reps"
    HOLD_SECONDS = "hold_seconds", "Hold (seconds)"
    DURATION_SECONDS = "duration_seconds", "Duration (seconds)"
    LOAD_KG = "load_kg", "External load (kg)"
    STEP_HEIGHT_CM = "step_height_cm", "Step height (cm)"


def _bounded(maximum):
    return [MinValueValidator(0), MaxValueValidator(maximum)]


class Dose(models.Model):
    """A dose: sets, ranges for reps / hold / duration, rest, load and step height.

    An exercise's default dose and a program item's prescribed dose share these fields, their
    bounds and their range rule. A range with only a minimum is a single value.
    """

    sets = models.PositiveSmallIntegerField(null=True, blank=True, validators=_bounded(MAX_SETS))
    reps_min = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=_bounded(MAX_REPS)
    )
    reps_max = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=_bounded(MAX_REPS)
    )
    hold_seconds_min = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=_bounded(MAX_SECONDS)
    )
    hold_seconds_max = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=_bounded(MAX_SECONDS)
    )
    duration_seconds_min = models.PositiveIntegerField(
        null=True, blank=True, validators=_bounded(MAX_SECONDS)
    )
    duration_seconds_max = models.PositiveIntegerField(
        null=True, blank=True, validators=_bounded(MAX_SECONDS)
    )
    rest_seconds = models.PositiveIntegerField(
        null=True, blank=True, validators=_bounded(MAX_SECONDS)
    )
    load_kg = models.DecimalField(
        "external load (kg)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_bounded(MAX_LOAD_KG),
        help_text="Empty means bodyweight.",
    )
    step_height_cm = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=_bounded(MAX_STEP_HEIGHT_CM)
    )

    RANGES = ("reps", "hold_seconds", "duration_seconds")

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        errors = range_errors({name: getattr(self, name) for name in DOSE_FIELDS})
        if errors:
            raise ValidationError(errors)


DOSE_FIELDS = [field.name for field in Dose._meta.fields]


def range_errors(values: dict) -> dict:
    """Errors for ranges whose maximum is below their minimum, keyed by the maximum's field."""
    errors = {}
    for name in Dose.RANGES:
        low, high = values.get(f"{name}_min"), values.get(f"{name}_max")
        if low is not None and high is not None and high < low:
            errors[f"{name}_max"] = f"Must be at least the lowest value ({low})."
        elif low is None and high is not None:
            errors[f"{name}_min"] = "Required when the highest value is set."
    return errors


class Term(models.Model):
    """A taxonomy term: a name and a stable slug used in filters and fixtures."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class Category(Term):
    """One of the seed's six movement tools (release, nerve glide, stretch, ...)."""

    position = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"


class Equipment(Term):
    class Meta(Term.Meta):
        verbose_name_plural = "equipment"


class BodyRegion(Term):
    class Meta(Term.Meta):
        pass


class Tissue(Term):
    """A target tissue: a muscle, a nerve, a joint."""

    class Meta(Term.Meta):
        pass


class Source(models.Model):
    """Where library content comes from, attributed by title and date."""

    title = models.CharField(max_length=200)
    published = models.DateField(help_text="Publication or last-update date.")
    author = models.CharField(max_length=120, blank=True)
    author_role = models.CharField(
        max_length=120,
        blank=True,
        help_text="The author's role as the source states it, e.g. physical therapist.",
    )
    url = models.URLField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["title", "published"], name="unique_source")]

    def __str__(self):
        return f"{self.title} ({self.published:%b %d, %Y})"


class Condition(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    education = models.TextField(help_text="Plain-language education for clients.")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class RedFlagKind(models.TextChoices):
    EMERGENCY = "emergency", "Emergency: call emergency services now"
    STOP = "stop", "Stop and contact the therapist or a doctor before going on"
    HISTORY = "history", "History asked at screening, never printed for the client"


class RedFlag(models.Model):
    """A sign that warrants medical attention instead of exercise, of one of three kinds."""

    Kind = RedFlagKind

    condition = models.ForeignKey(Condition, related_name="red_flags", on_delete=models.CASCADE)
    slug = models.SlugField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=200, help_text="As a clinician would screen for it.")
    client_text = models.CharField(
        max_length=250,
        help_text='The sign in the client\'s words, completing "... if" (e.g. "you lose '
        'control of your bowel or bladder").',
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STOP)
    kind_note = models.TextField(
        blank=True, help_text="Why the flag is of its kind (a clinical addition to the source)."
    )

    class Meta:
        ordering = ["condition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["condition", "slug"], name="unique_red_flag_slug")
        ]

    def __str__(self):
        return self.text

    @property
    def is_emergency(self) -> bool:
        return self.kind == self.Kind.EMERGENCY


class ExerciseQuerySet(models.QuerySet):
    def shared(self):
        return self.filter(owner__isnull=True)

    def active(self):
        return self.filter(is_archived=False)

    def visible_to(self, user):
        """Shared exercises plus the user's own; superusers see everything."""
        if user.is_superuser:
            return self
        return self.filter(Q(owner__isnull=True) | Q(owner=user))

    def with_relations(self):
        return self.select_related("category", "source", "owner").prefetch_related(
            "equipment", "body_regions", "target_tissues", "conditions"
        )


class Exercise(Dose):
    """A library exercise; its dose fields are the default dose a program item starts from."""

    class Laterality(models.TextChoices):
        BILATERAL = "bilateral", "Both sides together"
        EACH_SIDE = "each_side", "Each side"
        ALTERNATING = "alternating", "Alternating sides"

    class Dosing(models.TextChoices):
        REPS = "reps", "Repetitions"
        HOLD = "hold", "A hold per repetition"
        DURATION = "duration", "A duration"

    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=120, blank=True, help_text="Stable key of a shared exercise in the fixtures."
    )
    summary = models.TextField(blank=True)
    steps = models.JSONField(default=list, blank=True, help_text="Instructions, in order.")
    cues = models.JSONField(default=list, blank=True)
    precautions = models.JSONField(default=list, blank=True)
    category = models.ForeignKey(Category, related_name="exercises", on_delete=models.PROTECT)
    equipment = models.ManyToManyField(Equipment, related_name="exercises", blank=True)
    body_regions = models.ManyToManyField(BodyRegion, related_name="exercises", blank=True)
    target_tissues = models.ManyToManyField(Tissue, related_name="exercises", blank=True)
    conditions = models.ManyToManyField(Condition, related_name="exercises", blank=True)
    laterality = models.CharField(max_length=12, choices=Laterality.choices)
    dosing = models.CharField(max_length=10, choices=Dosing.choices, default=Dosing.REPS)
    progressable = models.JSONField(
        default=list, blank=True, help_text="Dose parameters a progression may change."
    )
    image = models.ImageField(upload_to="exercises/", blank=True)
    video_url = models.URLField(blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)
    source_note = models.TextField(
        blank=True, help_text="What was added to or adapted from the source, and why."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="custom_exercises",
        on_delete=models.CASCADE,
        help_text="Empty for the shared library; otherwise the therapist's custom exercise.",
    )
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=Q(owner__isnull=True), name="unique_shared_slug"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None

    def clean(self):
        super().clean()
        unknown = set(self.progressable or []) - set(Parameter.values)
        if unknown:
            raise ValidationError({"progressable": f"Unknown parameters: {sorted(unknown)}."})
