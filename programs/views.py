"""Programs over the API: a therapist's own, plus the shared templates to copy from."""

from functools import partial

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import IsTherapist, OwnerWrites
from audit.trail import AuditedViewMixin
from ptbuilder import caching
from ptbuilder.schema import error_response

from . import print_views, selectors, services
from .filters import ProgramFilter
from .models import Program
from .serializers import (
    ActivateSerializer,
    ItemScheduleSerializer,
    ProgramCopySerializer,
    ProgramSerializer,
    ProgramSummarySerializer,
    ProgramVersionSerializer,
    ProgramVersionSummarySerializer,
    ScheduleQuerySerializer,
)


def program_json(program: Program) -> bytes:
    """The whole program as the API shows it to anyone who may see it."""
    full = selectors.program_detail_qs(user=None).get(pk=program.pk)
    return caching.render(ProgramSerializer(full, context={}).data)


def schedule_json(program: Program, weeks: int) -> bytes:
    full = selectors.program_detail_qs(user=None).get(pk=program.pk)
    rows = selectors.program_schedule(program=full, weeks=weeks)
    return caching.render(ItemScheduleSerializer(rows, many=True).data)


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The ETag of the version you read; a write over a newer version is a 412.",
)
ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="The version in this answer; send it back as If-Match to change the program.",
)
STALE = error_response("The program has changed since you read it (If-Match); nothing changed.")
CONFLICT = error_response("The program's state forbids this; the message says why.")


@extend_schema_view(
    retrieve=extend_schema(parameters=[ETAG]),
    create=extend_schema(parameters=[ETAG]),
    update=extend_schema(
        parameters=[IF_MATCH, ETAG], responses={200: ProgramSerializer, 412: STALE}
    ),
    partial_update=extend_schema(
        parameters=[IF_MATCH, ETAG], responses={200: ProgramSerializer, 412: STALE}
    ),
    destroy=extend_schema(parameters=[IF_MATCH], responses={204: None, 409: CONFLICT, 412: STALE}),
)
class ProgramViewSet(AuditedViewMixin, viewsets.ModelViewSet):
    """Own programs plus the shared templates (read-only); writes honour If-Match."""

    queryset = Program.objects.none()
    permission_classes = [IsTherapist, OwnerWrites]
    filterset_class = ProgramFilter
    search_fields = ["title", "client__first_name", "client__last_name"]
    ordering_fields = ["updated_at", "created_at", "title", "start_date"]
    reading_actions = ("copy", "schedule", "print", "pdf", "versions", "version")

    def get_queryset(self):
        if self.action == "list":
            return selectors.program_list_qs(user=self.request.user)
        if self.action == "retrieve":  # the contents come from the cache
            return caching.with_state(selectors.program_state_qs(user=self.request.user))
        if self.action in ("pdf", "schedule"):  # the contents come from the cache
            return caching.with_state(selectors.program_list_qs(user=self.request.user))
        return selectors.program_detail_qs(user=self.request.user)

    def get_serializer_class(self):
        return ProgramSummarySerializer if self.action == "list" else ProgramSerializer

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def finalize_response(self, request, response, *args, **kwargs):
        program = self.audited_object
        if (
            program is not None
            and response.status_code < 300
            and request.method != "DELETE"
            and "ETag" not in response
        ):
            response["ETag"] = program.etag
        return super().finalize_response(request, response, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object())

    def detail_response(self, program, status_code=status.HTTP_200_OK):
        """The whole program, serialized once per version (and units) for every app server.

        Writes call this inside their transaction, while they hold the program's row lock, so
        the response shows exactly the version they wrote.
        """
        self.audited_object = program
        units = program.client.units if program.client else "metric"
        # activity: the review marks a painful session sets
        body = caching.program_entry(program, "detail", program_json, units, activity=True)
        return HttpResponse(body, status=status_code, content_type="application/json")

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        program = services.program_create(owner=request.user, data=serializer.validated_data)
        return self.detail_response(program, status.HTTP_201_CREATED)

    @transaction.atomic
    def update(self, request, *args, partial=False, **kwargs):
        program = self.get_object()
        serializer = self.get_serializer(program, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        program = services.program_update(
            program=program,
            data=serializer.validated_data,
            by=request.user,
            if_match=request.headers.get("If-Match"),
        )
        return self.detail_response(program)

    def perform_destroy(self, program):
        services.program_delete(program=program, if_match=self.request.headers.get("If-Match"))

    @extend_schema(
        request=ActivateSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: ProgramSerializer, 409: CONFLICT, 412: STALE},
    )
    @action(detail=True, methods=["post"], serializer_class=ActivateSerializer)
    @transaction.atomic
    def activate(self, request, pk=None):
        """409 unless the client had a clear screening in the last 30 days or a reason is given."""
        program = self.get_object()
        serializer = ActivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        program = services.program_activate(
            program=program,
            by=request.user,
            if_match=request.headers.get("If-Match"),
            **serializer.validated_data,
        )
        return self.detail_response(program)

    @extend_schema(
        request=ProgramCopySerializer, parameters=[ETAG], responses={201: ProgramSerializer}
    )
    @action(detail=True, methods=["post"], serializer_class=ProgramCopySerializer)
    @transaction.atomic
    def copy(self, request, pk=None):
        """A deep copy into a new draft of the caller's, optionally for one of their clients."""
        source = self.get_object()
        serializer = ProgramCopySerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        program = services.program_copy(
            program=source, client=serializer.validated_data["client"], by=request.user
        )
        return self.detail_response(program, status.HTTP_201_CREATED)

    @extend_schema(responses=ProgramVersionSummarySerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        serializer_class=ProgramVersionSummarySerializer,
        filter_backends=[],
    )
    def versions(self, request, pk=None):
        """Earlier versions of an active program, newest first."""
        versions = self.get_object().versions.select_related("replaced_by")
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(ProgramVersionSummarySerializer(page, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("number", int, OpenApiParameter.PATH)],
        responses=ProgramVersionSerializer,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<number>[0-9]+)",
        serializer_class=ProgramVersionSerializer,
    )
    def version(self, request, pk=None, number=None):
        """What was prescribed in version `number`."""
        version = get_object_or_404(self.get_object().versions, version=number)
        return Response(ProgramVersionSerializer(version).data)

    @print_views.html_schema
    @action(detail=True, methods=["get"], renderer_classes=[print_views.HTMLRenderer])
    def print(self, request, pk=None):
        """The printable program as HTML (the same document as the PDF)."""
        return print_views.html_response(request, self.get_object())

    @print_views.pdf_schema
    @action(detail=True, methods=["get"], renderer_classes=[print_views.PDFRenderer])
    def pdf(self, request, pk=None):
        """The printable program as a PDF, cached per version; revalidate with If-None-Match."""
        program = self.get_object()
        contents = selectors.program_detail_qs(user=request.user).filter(pk=program.pk)
        return print_views.pdf_response(request, program, contents.get)

    @extend_schema(
        parameters=[ScheduleQuerySerializer], responses=ItemScheduleSerializer(many=True)
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def schedule(self, request, pk=None):
        """Every item's dose week by week, with the reason for each change."""
        program = self.get_object()
        query = ScheduleQuerySerializer(
            data=request.query_params.dict(), context={"program": program}
        )
        query.is_valid(raise_exception=True)
        weeks = query.validated_data.get("weeks", program.weeks)
        build = partial(schedule_json, weeks=weeks)
        body = caching.program_entry(program, "schedule", build, weeks, activity=False)
        return HttpResponse(body, content_type="application/json")
