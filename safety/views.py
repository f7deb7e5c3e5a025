"""Screenings that act on what they find, and the therapist's attention list: over the API
and as the admin's home page."""

from http import HTTPStatus

import django_filters
from django.contrib import admin, messages
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import IsTherapist
from accounts.roles import is_therapist
from audit import trail
from audit.trail import AuditedViewMixin
from clients.filters import own_clients
from clients.models import Client
from clients.selectors import client_list_qs, screening_list_qs
from clients.serializers import ScreeningSerializer
from programs.models import Item
from ptbuilder.filters import BooleanFilter, FilterSet

from . import selectors, services
from .models import Attention
from .selectors import Kind
from .serializers import (
    ATTENTION_ROW_SCHEMA,
    AttentionSerializer,
    ClearanceSerializer,
    ScreeningOutcomeSerializer,
    attention_row_serializer,
)


@extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
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
    """Which rows the list holds. `is_emergency` and `cleared` ask about red-flag records, so
    given either, the list holds red-flag rows only."""

    kind = django_filters.ChoiceFilter(
        choices=Kind.choices, method="of_kind", help_text="Rows of this kind only."
    )
    client = django_filters.ModelChoiceFilter(queryset=own_clients)
    is_emergency = BooleanFilter(help_text="Red flags that are emergencies (true) or not (false).")
    cleared = BooleanFilter(
        field_name="cleared_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="Red flags cleared (true) or open (false); default: open ones.",
    )

    class Meta:
        model = Attention
        fields = ["kind", "client", "is_emergency", "cleared"]

    @property
    def qs(self):
        """The red-flag records shown: open ones unless `cleared` is given."""
        records = super().qs
        return records if self.form.cleaned_data["cleared"] is not None else records.open()

    def of_kind(self, queryset, name, value):
        """Red-flag rows are these records; every other kind comes from elsewhere (kinds)."""
        return queryset if value == Kind.RED_FLAG else queryset.none()

    def kinds(self) -> set[Kind]:
        asked = self.form.cleaned_data
        kinds = {Kind(asked["kind"])} if asked["kind"] else set(Kind)
        if asked["is_emergency"] is not None or asked["cleared"] is not None:
            kinds &= {Kind.RED_FLAG}
        return kinds


class AttentionViewSet(
    AuditedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """What needs the therapist's attention, most urgent first (safety.selectors): present red
    flags of their clients (emergencies first), items marked for review, pain that holds a
    "when ready" rise, and active programs with no session for a week, an out-of-date
    screening or their end near. A red flag is an attention record (retrieve, clear)."""

    queryset = Attention.objects.none()
    serializer_class = AttentionSerializer
    permission_classes = [IsTherapist]
    filter_backends = [DjangoFilterBackend]
    filterset_class = AttentionFilter

    def get_queryset(self):
        return (
            Attention.objects.of(self.request.user)
            .select_related("cleared_by")
            .prefetch_related("red_flags")
        )

    def filter_queryset(self, queryset):
        """Records are found by id alone; the list reads its filters itself."""
        return queryset

    @extend_schema(responses=ATTENTION_ROW_SCHEMA)
    def list(self, request):
        filters = AttentionFilter(request.query_params, self.get_queryset(), request=request)
        if not filters.is_valid():
            raise translate_validation(filters.errors)
        rows = selectors.attention_list(
            user=request.user,
            client=filters.form.cleaned_data["client"],
            kinds=filters.kinds(),
            red_flags=filters.qs,
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([attention_row_serializer(row).data for row in page])

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


# The admin's home page


def admin_home(request):
    """A therapist's admin home page is what needs their attention, above the usual list of
    apps; anyone else (a superuser) gets the usual page."""
    if request.user.is_superuser or not is_therapist(request.user):
        return admin.site.index(request)
    rows = selectors.attention_list(user=request.user)
    trail.record(
        request,
        action="read:admin-attention",
        target=trail.Target.asked(Attention),
        status_code=HTTPStatus.OK,
    )
    response = admin.site.index(request, extra_context={"attention_rows": rows})
    response.template_name = "admin/safety/attention_home.html"
    return response


@require_POST
def admin_review_clear(request, item_id: int):
    """The home page's clear button of an item marked for review; back to the home page."""
    try:
        with transaction.atomic():
            item = services.review_clear(item_id=item_id, by=request.user)
            program = item.block.program
            trail.record(
                request,
                action="change:admin-review-clear",
                target=trail.Target("item", str(item.pk), program.client_id),
                status_code=HTTPStatus.FOUND,
            )
    except Item.DoesNotExist:
        trail.record(
            request,
            action="denied:admin-review-clear",
            target=trail.Target.asked(Item, item_id),
            status_code=HTTPStatus.NOT_FOUND,
        )
        raise Http404("No such item of your clients.") from None
    messages.success(
        request,
        f"Cleared the review mark of {item.exercise} ({program.client}, {program}): its "
        "“when ready” rises go on.",
    )
    return HttpResponseRedirect(reverse("admin:index"))
