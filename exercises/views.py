from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from ptbuilder.generations import LIBRARY
from ptbuilder.permissions import OwnerWrites, TherapistWrites
from ptbuilder.rendering import cached_json

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
    search_fields = ["name", "summary", "steps", "target_tissues__name"]
    ordering_fields = ["name", "created_at", "updated_at"]
    ordering = ["name", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return Exercise.objects.visible_to(self.request.user).active().with_relations()

    def list(self, request, *args, **kwargs):
        # Pages are rendered once per caller, URL and state of the library.
        page = super().list
        return cached_json(request, "exercises", [LIBRARY], lambda: page(request).data)

    def filter_queryset(self, queryset):
        """Filters, search and ordering shape lists; a detail URL always finds its object."""
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)

    def perform_destroy(self, instance):
        exercise_archive(exercise=instance)


class ConditionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ConditionSerializer
    queryset = Condition.objects.select_related("source").prefetch_related("red_flags")
    search_fields = ["name"]
    ordering = ["name"]
