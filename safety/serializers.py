"""Screenings as they act, symptom reports and the attention list, over the API."""

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from clients.serializers import ScreeningSerializer
from exercises.models import RedFlag
from ptbuilder.fields import ScopedPrimaryKeyField
from ptbuilder.json_types import JSONTypesMixin

from .models import Attention
from .selectors import Kind, Severity


class FlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = RedFlag
        fields = ["id", "slug", "text", "kind"]


class AttentionSerializer(serializers.ModelSerializer):
    red_flags = FlagSerializer(many=True, read_only=True)
    source = serializers.ChoiceField(["screening", "symptom report"], read_only=True)
    cleared_by = serializers.StringRelatedField(allow_null=True)

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


class AttentionRowSerializer(serializers.Serializer):
    """A row of the attention list (safety.selectors.Row) of any kind but a red flag."""

    kind = serializers.ChoiceField([kind for kind in Kind.choices if kind[0] != Kind.RED_FLAG])
    severity = serializers.ChoiceField(
        Severity.choices, help_text="In the list's order: emergency, red_flag, review, routine."
    )
    text = serializers.CharField(help_text="What needs doing, in plain English.")
    client = serializers.IntegerField(source="client.pk")
    client_name = serializers.CharField(source="client")
    program = serializers.IntegerField(source="program.pk", allow_null=True)
    program_title = serializers.CharField(source="program.title", allow_null=True)
    item = serializers.IntegerField(
        source="item.pk",
        allow_null=True,
        help_text="The program item of a review or pain row (clear a review mark by saving its "
        "`needs_review` false); null for other kinds.",
    )
    since = serializers.DateTimeField(help_text="When it began to need attention.")
    admin_url = serializers.CharField(help_text="The admin page where it is resolved.")


class RedFlagRowSerializer(AttentionRowSerializer):
    """A red flag's row: the row's fields and those of its attention record, as
    GET /attention/{id}/ shows it (`id` is the record's, for POST /attention/{id}/clear/)."""

    kind = serializers.ChoiceField([(Kind.RED_FLAG.value, Kind.RED_FLAG.label)])
    # The record's links by id: a schema derives an id's type from a model serializer only.
    screening = serializers.IntegerField(source="attention.screening_id", allow_null=True)
    symptom_report = serializers.IntegerField(source="attention.symptom_report_id", allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        for name, field in AttentionSerializer().get_fields().items():
            if name not in fields:
                field.source = f"attention.{field.source or name}"
                fields[name] = field
        return fields


def attention_row_serializer(row) -> serializers.Serializer:
    return (RedFlagRowSerializer if row.attention is not None else AttentionRowSerializer)(row)


ATTENTION_ROW_SCHEMA = PolymorphicProxySerializer(
    component_name="AttentionListRow",
    serializers={
        kind.value: RedFlagRowSerializer if kind == Kind.RED_FLAG else AttentionRowSerializer
        for kind in Kind
    },
    resource_type_field_name="kind",
)
"""A row as the schema documents it: which fields it has follows from its `kind`."""


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
