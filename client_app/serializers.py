"""The client app's view: this week's program and the sessions it logs."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clients.models import Client
from exercises.models import RedFlag
from exercises.serializers import ExerciseEssentialsSerializer, RedFlagSerializer
from logbook.models import ExerciseLog, Session
from programs.dosing import item_dose_text, item_progression_texts
from programs.models import Block, Item, Program
from programs.serializers import BLOCK_FIELDS, EngineDoseSerializer
from ptbuilder.json_types import JSONTypesMixin
from safety.serializers import reportable_flags
from safety.services import open_emergency, urgent_message

CLOCK_SKEW = timedelta(minutes=5)


class AlertSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(["emergency"])
    message = serializers.CharField()


class SymptomQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RedFlag
        fields = ["id", "client_text", "kind"]


class TherapistContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)


class MeSerializer(JSONTypesMixin, serializers.ModelSerializer):
    therapist = serializers.SerializerMethodField()
    alert = serializers.SerializerMethodField(
        help_text="Set after an emergency red flag: show its message instead of exercises."
    )
    symptom_questions = serializers.SerializerMethodField(
        help_text='Signs to ask about in a symptom report ("... if <client_text>"), by kind.'
    )

    class Meta:
        model = Client
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "units",
            "therapist",
            "alert",
            "symptom_questions",
        ]
        read_only_fields = ["id", "first_name", "last_name", "email"]

    @extend_schema_field(AlertSerializer(allow_null=True))
    def get_alert(self, client) -> dict | None:
        if not open_emergency(client):
            return None
        return {"kind": "emergency", "message": urgent_message(client)}

    @extend_schema_field(SymptomQuestionSerializer(many=True))
    def get_symptom_questions(self, client) -> list:
        flags = reportable_flags({"client": client}).order_by("condition", "position")
        return SymptomQuestionSerializer(flags, many=True).data

    @extend_schema_field(TherapistContactSerializer)
    def get_therapist(self, client) -> dict:
        therapist = client.therapist
        return {"name": therapist.get_full_name() or therapist.username, "email": therapist.email}


class ClientItemSerializer(serializers.ModelSerializer):
    """An item with its dose for the week shown (from context["doses"])."""

    exercise = ExerciseEssentialsSerializer(read_only=True)
    dose = serializers.SerializerMethodField()
    dose_text = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()
    progression = serializers.SerializerMethodField(
        help_text="How the dose moves over the weeks, one sentence per rule."
    )

    class Meta:
        model = Item
        fields = ["id", "exercise", "side", "notes", "dose", "dose_text", "reasons", "progression"]

    def week_dose(self, item):
        return self.context["doses"][item.pk]

    def get_dose(self, item) -> EngineDoseSerializer:
        return EngineDoseSerializer(self.week_dose(item).dose).data

    def get_dose_text(self, item) -> str:
        return item_dose_text(item, self.week_dose(item).dose, self.context["units"])

    def get_reasons(self, item) -> dict[str, str]:
        return self.week_dose(item).reasons

    def get_progression(self, item) -> list[str]:
        return item_progression_texts(item, self.context["units"])


class ClientBlockSerializer(serializers.ModelSerializer):
    items = ClientItemSerializer(many=True, read_only=True)

    class Meta:
        model = Block
        fields = BLOCK_FIELDS


class ClientProgramSerializer(serializers.ModelSerializer):
    """An active program as the client does it in `week` (context), with the red flags."""

    current_week = serializers.SerializerMethodField()
    week = serializers.SerializerMethodField()
    condition = serializers.StringRelatedField(allow_null=True)
    red_flags = serializers.SerializerMethodField(
        help_text="The condition's signs to stop and call; empty for a program without one."
    )
    blocks = ClientBlockSerializer(many=True, read_only=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "title",
            "goal",
            "notes",
            "status",
            "start_date",
            "weeks",
            "sessions_per_week",
            "version",
            "current_week",
            "week",
            "condition",
            "red_flags",
            "blocks",
        ]

    @extend_schema_field(RedFlagSerializer(many=True))
    def get_red_flags(self, program) -> list:
        flags = program.condition.red_flags.all() if program.condition else []
        return RedFlagSerializer(flags, many=True).data

    def get_current_week(self, program) -> int:
        return self.context["current_weeks"][program.pk]

    def get_week(self, program) -> int:
        return self.context["weeks"][program.pk]


class LoggedItemField(serializers.IntegerField):
    """The item an entry logs, by id: required when logging (whether it is an item of the
    session's program is judged with the program's row locked, logbook.session_logging), null
    once the therapist has removed the item from the program (the entry itself is kept)."""

    def __init__(self, **kwargs):
        super().__init__(source="item_id", min_value=1, **kwargs)


class LoggedItemFieldSchema(OpenApiSerializerFieldExtension):
    target_class = LoggedItemField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "nullable": True} if direction == "response" else schema


class ExerciseLogSerializer(JSONTypesMixin, serializers.ModelSerializer):
    item = LoggedItemField()

    class Meta:
        model = ExerciseLog
        fields = [
            "item",
            "side",
            "sets",
            "reps",
            "seconds",
            "load_kg",
            "step_height_cm",
            "pain",
            "difficulty",
            "notes",
        ]


class SessionSerializer(JSONTypesMixin, serializers.ModelSerializer):
    """A session by its fields' shapes; what the program allows (its status, start, items and
    their sides) is judged when it is stored, on the program's locked row."""

    program = serializers.IntegerField(source="program_id", min_value=1)
    entries = ExerciseLogSerializer(many=True, allow_empty=False, source="entry_list")

    class Meta:
        model = Session
        fields = [
            "id",
            "client_uuid",
            "program",
            "performed_at",
            "pain_before",
            "pain_after",
            "symptoms_spread",
            "notes",
            "entries",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        validators = []  # the unique client_uuid is the idempotency key, handled by the view

    def validate_performed_at(self, performed_at):
        if performed_at > timezone.now() + CLOCK_SKEW:
            raise serializers.ValidationError("Cannot be in the future.")
        return performed_at
