from rest_framework import serializers

from ptbuilder.json_types import JSONTypesMixin

from .models import (
    DOSE_FIELDS,
    BodyRegion,
    Category,
    Condition,
    Equipment,
    Exercise,
    Parameter,
    RedFlag,
    Source,
    Tissue,
    range_errors,
)


def validate_ranges(attrs: dict, instance=None) -> dict:
    """Range checks over the merged values, so a PATCH of one end is checked against the other."""
    current = {name: getattr(instance, name) for name in DOSE_FIELDS} if instance else {}
    errors = range_errors({**current, **attrs})
    if errors:
        raise serializers.ValidationError(errors)
    return attrs


class DefaultDoseSerializer(JSONTypesMixin, serializers.ModelSerializer):
    """An exercise's default dose, nested under `default_dose`. Empty `load_kg` = bodyweight."""

    class Meta:
        model = Exercise
        fields = DOSE_FIELDS

    def validate(self, attrs):
        return validate_ranges(attrs, self.parent.instance if self.parent else None)


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["title", "published", "author", "url"]


def slugs(model, **kwargs):
    return serializers.SlugRelatedField(slug_field="slug", queryset=model.objects.all(), **kwargs)


class ExerciseSerializer(JSONTypesMixin, serializers.ModelSerializer):
    steps = serializers.ListField(
        child=serializers.CharField(max_length=1000), max_length=50, required=False
    )
    cues = serializers.ListField(
        child=serializers.CharField(max_length=500), max_length=50, required=False
    )
    precautions = serializers.ListField(
        child=serializers.CharField(max_length=500), max_length=50, required=False
    )
    category = slugs(Category)
    equipment = slugs(Equipment, many=True, required=False)
    body_regions = slugs(BodyRegion, many=True, required=False)
    target_tissues = slugs(Tissue, many=True, required=False)
    conditions = slugs(Condition, many=True, required=False)
    default_dose = DefaultDoseSerializer(source="*", required=False)
    progressable = serializers.ListField(
        child=serializers.ChoiceField(choices=Parameter.choices), required=False
    )
    source = SourceSerializer(read_only=True, allow_null=True)
    is_shared = serializers.BooleanField(read_only=True)

    class Meta:
        model = Exercise
        fields = [
            "id",
            "slug",
            "name",
            "summary",
            "steps",
            "cues",
            "precautions",
            "category",
            "equipment",
            "body_regions",
            "target_tissues",
            "conditions",
            "laterality",
            "dosing",
            "default_dose",
            "progressable",
            "image",
            "video_url",
            "source",
            "source_note",
            "owner",
            "is_shared",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["slug", "image", "owner", "created_at", "updated_at"]

    def validate_progressable(self, value):
        return list(dict.fromkeys(value))


class RedFlagSerializer(serializers.ModelSerializer):
    is_emergency = serializers.BooleanField(
        read_only=True, help_text='kind is "emergency": call emergency services now.'
    )

    class Meta:
        model = RedFlag
        fields = ["id", "slug", "position", "text", "client_text", "kind", "is_emergency"]


class ConditionSerializer(serializers.ModelSerializer):
    red_flags = RedFlagSerializer(many=True, read_only=True)
    source = SourceSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Condition
        fields = ["id", "slug", "name", "education", "source", "red_flags"]


class ExerciseEssentialsSerializer(serializers.ModelSerializer):
    """What a client app shows for a prescribed exercise, without a second request."""

    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    steps = serializers.ListField(child=serializers.CharField(), read_only=True)
    cues = serializers.ListField(child=serializers.CharField(), read_only=True)
    precautions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Exercise
        fields = [
            "id",
            "slug",
            "name",
            "summary",
            "steps",
            "cues",
            "precautions",
            "category",
            "laterality",
            "dosing",
            "image",
            "video_url",
        ]
        read_only_fields = fields
