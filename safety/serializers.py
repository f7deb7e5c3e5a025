"""Screenings as they act, symptom reports and the attention list, over the API."""

from rest_framework import serializers

from clients.serializers import ScreeningSerializer
from exercises.models import RedFlag
from ptbuilder.fields import ScopedPrimaryKeyField
from ptbuilder.json_types import JSONTypesMixin

from .models import Attention


class FlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = RedFlag
        fields = ["id", "slug", "text", "kind"]


class AttentionSerializer(serializers.ModelSerializer):
    red_flags = FlagSerializer(many=True, read_only=True)
    source = serializers.ChoiceField(["screening", "symptom report"], read_only=True)
    cleared_by = serializers.StringRelatedField()

    class Meta:
        model = Attention
        fields = [
            "id",
            "client",
            "is_emergency",
            "source",
            "screening",
            "symptom_report",
            "red_flags",
            "raised_at",
            "cleared_at",
            "cleared_by",
            "clearance_reason",
        ]
        read_only_fields = fields


class ClearanceSerializer(JSONTypesMixin, serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text="Why the client may go on (e.g. seen by their doctor)."
    )


class ScreeningOutcomeSerializer(ScreeningSerializer):
    """A saved screening and what it set going."""

    attention = AttentionSerializer(
        source="attention_item",
        read_only=True,
        allow_null=True,
        help_text="Present red flags for the therapist to act on; null for a clear screening.",
    )
    paused_programs = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Active programs an emergency red flag paused.",
    )

    class Meta(ScreeningSerializer.Meta):
        fields = [*ScreeningSerializer.Meta.fields, "attention", "paused_programs"]


def reportable_flags(context):
    """The red flags of the client's programs' conditions a client can notice (not history)."""
    return (
        RedFlag.objects.filter(condition__program__client=context["client"])
        .exclude(kind=RedFlag.Kind.HISTORY)
        .distinct()
    )


class SymptomReportSerializer(JSONTypesMixin, serializers.Serializer):
    red_flags = ScopedPrimaryKeyField(
        reportable_flags,
        queryset=RedFlag.objects.none(),
        many=True,
        help_text="Ids of the signs present now, from `symptom_questions` in /me/ (may be empty).",
    )
    text = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SymptomAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reported_at = serializers.DateTimeField()
    urgent = serializers.BooleanField(help_text="An emergency sign: show `message`, not exercises.")
    message = serializers.CharField(allow_null=True)
    therapist_told = serializers.BooleanField(help_text="A sign present: on the therapist's list.")
