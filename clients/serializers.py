"""A therapist's clients and their screenings as the API reads and writes them."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from exercises.models import Condition
from ptbuilder.json_types import JSONTypesMixin

from .models import Client, Screening, ScreeningAnswer


class AttentionSummarySerializer(serializers.Serializer):
    open = serializers.IntegerField(help_text="Present red flags not cleared yet (/attention/).")
    emergency = serializers.BooleanField(help_text="One is an emergency: programs paused.")


@extend_schema_serializer(component_name="ClientRecord")  # generated clients have a `Client`
class ClientSerializer(JSONTypesMixin, serializers.ModelSerializer):
    has_account = serializers.SerializerMethodField()
    attention = serializers.SerializerMethodField()

    class Meta:
        model = Client
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "units",
            "notes",
            "is_archived",
            "has_account",
            "attention",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def get_has_account(self, client) -> bool:
        return client.user_id is not None

    @extend_schema_field(AttentionSummarySerializer)
    def get_attention(self, client) -> dict:
        """Counted with the client (selectors.client_list_qs); a new client has none."""
        return {
            "open": getattr(client, "open_attention", 0),
            "emergency": bool(getattr(client, "open_emergencies", 0)),
        }


class ScreeningAnswerSerializer(JSONTypesMixin, serializers.ModelSerializer):
    class Meta:
        model = ScreeningAnswer
        fields = ["red_flag", "present"]


class ScreeningSerializer(JSONTypesMixin, serializers.ModelSerializer):
    condition = serializers.SlugRelatedField(slug_field="slug", queryset=Condition.objects.all())
    answers = ScreeningAnswerSerializer(many=True)
    is_clear = serializers.BooleanField(read_only=True)
    performed_by = serializers.StringRelatedField()

    class Meta:
        model = Screening
        fields = [
            "id",
            "condition",
            "answers",
            "notes",
            "is_clear",
            "performed_at",
            "performed_by",
        ]
        read_only_fields = ["performed_at"]

    def validate(self, attrs):
        flags = set(attrs["condition"].red_flags.values_list("pk", flat=True))
        answered = [answer["red_flag"].pk for answer in attrs["answers"]]
        if len(answered) != len(set(answered)):
            raise serializers.ValidationError({"answers": "Each red flag may be answered once."})
        if set(answered) - flags:
            raise serializers.ValidationError(
                {"answers": "Some red flags do not belong to this condition."}
            )
        if flags - set(answered):
            raise serializers.ValidationError(
                {"answers": f"Every red flag of {attrs['condition']} must be answered."}
            )
        return attrs


class InvitationSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Shown once; give it to the client for the app.")
    expires = serializers.DateTimeField()
