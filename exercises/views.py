from functools import partial

from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from accounts.permissions import OwnerWrites, TherapistWrites
from ptbuilder import caching

from .filters import ExerciseFilter
from .models import Condition, Exercise
from .serializers import ConditionSerializer, ExerciseSerializer
from .services import exercise_archive


class ExerciseViewSet(viewsets.ModelViewSet):
    """The shared library plus the caller's own custom exercises.

    DELETE archives: the exercise leaves the library, so it is gone from these URLs (404), but
    programs and logs keep pointing at it and go on showing it; the admin can restore it.
    """

    queryset = Exercise.objects.none()
    serializer_class = ExerciseSerializer
    permission_classes = [IsAuthenticated, TherapistWrites, OwnerWrites]
    filterset_class = ExerciseFilter
    ordering_fields = ["name", "created_at", "updated_at"]
    ordering = ["name", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        visible = Exercise.objects.visible_to(self.request.user).active()
        if self.action == "list":  # the page's rows, and the state their entries are keyed by
            return caching.with_library_state(visible)
        return visible.with_relations()

    def list(self, request, *args, **kwargs):
        """The page is looked up for this caller; each exercise on it is rendered once per state
        of the library (and site address, for image URLs) for everyone who may see it."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        site = (request.scheme, request.get_host())
        build = partial(exercises_data, request=request)
        entries = caching.library_entries(page, "exercise", build, *site)
        return self.get_paginated_response(entries)

    def filter_queryset(self, queryset):
        """Filters, search and ordering shape lists; a detail URL always finds its object."""
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)

    def perform_destroy(self, instance):
        exercise_archive(exercise=instance)


def exercises_data(exercises: list, request) -> dict:
    """The page's missing entries, rendered by one list serializer: a serializer per exercise
    would build its fields again for each, most of the time of an uncached page."""
    full = list(
        Exercise.objects.with_relations().filter(pk__in=[exercise.pk for exercise in exercises])
    )
    data = caching.plain(ExerciseSerializer(full, many=True, context={"request": request}).data)
    return {exercise.pk: entry for exercise, entry in zip(full, data, strict=True)}


class ConditionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ConditionSerializer
    queryset = Condition.objects.select_related("source").prefetch_related("red_flags")
    search_fields = ["name"]
    ordering_fields = ["name"]
    ordering = ["name"]
