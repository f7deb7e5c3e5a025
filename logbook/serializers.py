"""The adherence summary a therapist reads for a client."""

from rest_framework import serializers

from programs.models import Program


class SideTotalsSerializer(serializers.Serializer):
    reps = serializers.IntegerField()
    seconds = serializers.IntegerField()
    pain_average = serializers.FloatField(allow_null=True)


class SideDifferenceSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    exercise = serializers.CharField()
    left = SideTotalsSerializer()
    right = SideTotalsSerializer()
    difference = SideTotalsSerializer(help_text="left minus right")


class AdherenceWeekSerializer(serializers.Serializer):
    week = serializers.IntegerField()
    starts_on = serializers.DateField()
    sessions_prescribed = serializers.IntegerField()
    sessions_done = serializers.IntegerField()
    pain_before_average = serializers.FloatField(allow_null=True)
    pain_after_average = serializers.FloatField(allow_null=True)


class ReviewItemSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    exercise = serializers.CharField()
    max_pain = serializers.IntegerField(allow_null=True)


class ProgramAdherenceSerializer(serializers.Serializer):
    program = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(Program.Status.choices)
    start_date = serializers.DateField()
    current_week = serializers.IntegerField()
    weeks = AdherenceWeekSerializer(many=True)
    side_differences = SideDifferenceSerializer(many=True)
    items_for_review = ReviewItemSerializer(many=True)


class AdherenceSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    programs = ProgramAdherenceSerializer(many=True)
