from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clients.models import Client
from exercises.models import DOSE_FIELDS, Condition, Exercise
from exercises.serializers import ExerciseEssentialsSerializer
from progression.engine import Dose
from ptbuilder.fields import ScopedPrimaryKeyField
from ptbuilder.json_types import JSONTypesMixin

from .dosing import item_dose_text
from .models import (
    MAX_WEEKS,
    Block,
    Item,
    Program,
    ProgramVersion,
    ProgressionRule,
)
from .validation import (
    MAX_BLOCKS,
    MAX_ITEMS,
    MAX_RULES,
    block_errors,
    default_side,
    item_errors,
    rules_errors,
)

REQUIRED = "This field is required."
BLOCK_FIELDS = [
    "id",
    "position",
    "title",
    "kind",
    "rounds_min",
    "rounds_max",
    "rest_between_rounds_seconds",
    "notes",
    "items",
]
ITEM_KEPT_FIELDS = [*DOSE_FIELDS, "exercise", "side"]
BLOCK_KEPT_FIELDS = ["title", "rounds_min", "rounds_max"]


def stored_values(serializer, model, pk, names) -> dict:
    """The stored values of a nested block or item sent with its `id`.

    Such a row is updated in place, so fields left out of the request keep these values and the
    row is checked as it will be stored. Rows are read once per request, not once per row.
    """
    program = serializer.root.instance
    if pk is None or not isinstance(program, Program):
        return {}
    cache = serializer.root.__dict__.setdefault("_stored_rows", {})
    if model not in cache:
        rows = (
            Block.objects.filter(program=program)
            if model is Block
            else Item.objects.filter(block__program=program).select_related("exercise")
        )
        cache[model] = {row.pk: row for row in rows}
    row = cache[model].get(pk)
    return {} if row is None else {name: getattr(row, name) for name in names}


class ProgressionRuleSerializer(JSONTypesMixin, serializers.ModelSerializer):
    class Meta:
        model = ProgressionRule
        fields = [
            "id",
            "parameter",
            "mode",
            "amount",
            "every_weeks",
            "start_week",
            "cap",
            "trigger",
            "pain_threshold",
            "regress_above",
        ]
        read_only_fields = ["id"]

    def validate(self, attrs):
        """Rules are rewritten on every write, so even a PATCH must send them whole."""
        missing = {name: [REQUIRED] for name in ("parameter", "amount") if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class ItemSerializer(JSONTypesMixin, serializers.ModelSerializer):
    id = serializers.IntegerField(required=False, help_text="Keep to update an existing item.")
    exercise = ScopedPrimaryKeyField(
        lambda context: Exercise.objects.visible_to(context["request"].user),
        queryset=Exercise.objects.none(),
        help_text="An exercise of the shared library or one of your own.",
    )
    exercise_detail = ExerciseEssentialsSerializer(source="exercise", read_only=True)
    dose_text = serializers.SerializerMethodField(help_text="Week 1, in the client's units.")
    progressions = ProgressionRuleSerializer(many=True, required=False, max_length=MAX_RULES)

    class Meta:
        model = Item
        fields = [
            "id",
            "position",
            "exercise",
            "exercise_detail",
            *DOSE_FIELDS,
            "dose_text",
            "side",
            "notes",
            "needs_review",
            "progressions",
        ]
        read_only_fields = ["position"]

    def get_dose_text(self, item) -> str:
        return item_dose_text(item, Dose.of(item), self.context.get("units", "metric"))

    def validate(self, attrs):
        stored = stored_values(self, Item, attrs.get("id"), ITEM_KEPT_FIELDS)
        values = {**stored, **attrs}
        exercise = values.get("exercise")
        if exercise is None:
            raise serializers.ValidationError({"exercise": [REQUIRED]})
        if not values.get("side"):
            attrs["side"] = values["side"] = default_side(exercise)
        kept = stored.get("exercise")
        errors = item_errors(exercise, values, kept.pk if kept else None)
        progressions = rules_errors(exercise, values, attrs.get("progressions", []))
        if progressions:
            errors["progressions"] = {
                index: {name: [message] for name, message in error.items()}
                for index, error in enumerate(progressions)
                if error
            }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class BlockSerializer(JSONTypesMixin, serializers.ModelSerializer):
    id = serializers.IntegerField(required=False, help_text="Keep to update an existing block.")
    items = ItemSerializer(many=True, required=False, max_length=MAX_ITEMS)

    class Meta:
        model = Block
        fields = BLOCK_FIELDS
        read_only_fields = ["position"]

    def validate(self, attrs):
        values = {**stored_values(self, Block, attrs.get("id"), BLOCK_KEPT_FIELDS), **attrs}
        if not values.get("title"):
            raise serializers.ValidationError({"title": [REQUIRED]})
        errors = block_errors(values)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def own_clients(context):
    return Client.objects.of(context["request"].user)


class ProgramSummarySerializer(JSONTypesMixin, serializers.ModelSerializer):
    """A program without its blocks, for lists."""

    client = ScopedPrimaryKeyField(
        own_clients, queryset=Client.objects.none(), allow_null=True, required=False
    )
    condition = serializers.SlugRelatedField(
        slug_field="slug", queryset=Condition.objects.all(), allow_null=True, required=False
    )
    is_template = serializers.BooleanField(read_only=True)
    is_shared = serializers.BooleanField(read_only=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "title",
            "client",
            "owner",
            "is_template",
            "is_shared",
            "condition",
            "goal",
            "notes",
            "rationale",
            "status",
            "start_date",
            "weeks",
            "sessions_per_week",
            "version",
            "source",
            "activated_at",
            "activated_by",
            "override_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "owner",
            "status",
            "version",
            "source",
            "activated_at",
            "activated_by",
            "override_reason",
            "created_at",
            "updated_at",
        ]


class ProgramSerializer(ProgramSummarySerializer):
    """A whole program, blocks[].items[].progressions[], read and written in one request."""

    blocks = BlockSerializer(many=True, required=False, max_length=MAX_BLOCKS)

    class Meta(ProgramSummarySerializer.Meta):
        fields = [*ProgramSummarySerializer.Meta.fields, "blocks"]
        read_only_fields = [
            name for name in ProgramSummarySerializer.Meta.read_only_fields if name != "status"
        ]

    def to_representation(self, program):
        """Items word their dose in the client's units (nested serializers share the context)."""
        self.context["units"] = program.client.units if program.client else "metric"
        return super().to_representation(program)


class ProgramCopySerializer(JSONTypesMixin, serializers.Serializer):
    client = ScopedPrimaryKeyField(
        own_clients, queryset=Client.objects.none(), allow_null=True, default=None
    )


class ActivateSerializer(JSONTypesMixin, serializers.Serializer):
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ProgramWeekField(serializers.IntegerField):
    """A week of the program in the serializer's context, and never beyond its last week: one
    rule for the schedule's `weeks` and the client app's `week`."""

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=1, max_value=MAX_WEEKS, **kwargs)

    def to_internal_value(self, data) -> int:
        week = super().to_internal_value(data)
        last = self.parent.context["program"].weeks
        if week > last:
            raise serializers.ValidationError(f"A week from 1 to {last}.")
        return week


class ScheduleQuerySerializer(serializers.Serializer):
    weeks = ProgramWeekField(
        help_text="Show the first `weeks` weeks (up to the program's); default: all of them."
    )


class WeekQuerySerializer(serializers.Serializer):
    week = ProgramWeekField(
        help_text="Show another week's dose (up to the program's weeks); default: this week."
    )


class EngineDoseSerializer(serializers.Serializer):
    """A week's dose as computed by the progression engine (metric units)."""

    sets = serializers.IntegerField(allow_null=True)
    reps_min = serializers.IntegerField(allow_null=True)
    reps_max = serializers.IntegerField(allow_null=True)
    hold_seconds_min = serializers.IntegerField(allow_null=True)
    hold_seconds_max = serializers.IntegerField(allow_null=True)
    duration_seconds_min = serializers.IntegerField(allow_null=True)
    duration_seconds_max = serializers.IntegerField(allow_null=True)
    load_kg = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    step_height_cm = serializers.IntegerField(allow_null=True)


class WeekDoseSerializer(serializers.Serializer):
    week = serializers.IntegerField()
    dose = EngineDoseSerializer()
    dose_text = serializers.CharField()
    reasons = serializers.DictField(child=serializers.CharField())


class ItemScheduleSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    block = serializers.CharField()
    exercise = serializers.CharField()
    weeks = WeekDoseSerializer(many=True)


class ProgramVersionSummarySerializer(serializers.ModelSerializer):
    replaced_by = serializers.StringRelatedField()

    class Meta:
        model = ProgramVersion
        fields = ["version", "replaced_at", "replaced_by"]


class ProgramVersionSerializer(ProgramVersionSummarySerializer):
    """What was prescribed in that version: the program as the API showed it then."""

    snapshot = serializers.SerializerMethodField(
        help_text="The program as this API showed it in that version."
    )

    class Meta(ProgramVersionSummarySerializer.Meta):
        fields = [*ProgramVersionSummarySerializer.Meta.fields, "snapshot"]

    @extend_schema_field(ProgramSerializer)
    def get_snapshot(self, version) -> dict:
        return version.snapshot
