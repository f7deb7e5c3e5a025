"""Screenings that act on what they find, and the therapist's attention list."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import IsTherapist
from audit.trail import AuditedViewMixin
from clients.filters import own_clients
from clients.models import Client
from clients.selectors import client_list_qs, screening_list_qs
from clients.serializers import ScreeningSerializer
from ptbuilder.filters import BooleanFilter, FilterSet

from . import services
from .models import Attention
from .serializers import AttentionSerializer, ClearanceSerializer, ScreeningOutcomeSerializer


class ScreeningsView(AuditedViewMixin, generics.GenericAPIView):
    """Red-flag screenings of a client, newest first. A new one answers every flag of its
    condition; an emergency flag present pauses the client's active programs at once, any
    present flag puts the client on the therapist's attention list."""

    queryset = Client.objects.none()
    serializer_class = ScreeningSerializer
    permission_classes = [IsTherapist]
    filter_backends = []
    audited_action = "screenings"

    def get_queryset(self):
        return client_list_qs(user=self.request.user)

    @extend_schema(responses=ScreeningSerializer(many=True))
    def get(self, request, pk):
        page = self.paginate_queryset(screening_list_qs(client=self.get_object()))
        return self.get_paginated_response(ScreeningSerializer(page, many=True).data)

    @extend_schema(request=ScreeningSerializer, responses={201: ScreeningOutcomeSerializer})
    def post(self, request, pk):
        client = self.get_object()
        serializer = ScreeningSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        screening, attention, paused = services.screening_record(
            client=client, by=request.user, **serializer.validated_data
        )
        self.audited_object = screening
        screening.attention_item, screening.paused_programs = attention, [p.pk for p in paused]
        data = ScreeningOutcomeSerializer(screening).data
        return Response(data, status=status.HTTP_201_CREATED)


class AttentionFilter(FilterSet):
    client = django_filters.ModelChoiceFilter(queryset=own_clients)
    cleared = BooleanFilter(
        field_name="cleared_at", lookup_expr="isnull", exclude=True, help_text="Default: open ones."
    )

    class Meta:
        model = Attention
        fields = ["client", "is_emergency", "cleared"]


class AttentionViewSet(
    AuditedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Present red flags of the therapist's clients, emergencies first; open ones unless
    `cleared` is given."""

    queryset = Attention.objects.none()
    serializer_class = AttentionSerializer
    permission_classes = [IsTherapist]
    filterset_class = AttentionFilter

    def get_queryset(self):
        return (
            Attention.objects.of(self.request.user)
            .select_related("cleared_by")
            .prefetch_related("red_flags")
        )

    def filter_queryset(self, queryset):
        if self.action == "list" and "cleared" not in self.request.query_params:
            queryset = queryset.open()
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    @extend_schema(request=ClearanceSerializer, responses=AttentionSerializer)
    @action(detail=True, methods=["post"], serializer_class=ClearanceSerializer)
    def clear(self, request, pk=None):
        """Records why the client may go on; paused programs stay paused until activated."""
        serializer = ClearanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attention = services.attention_clear(
            attention=self.get_object(), by=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(AttentionSerializer(attention).data)
