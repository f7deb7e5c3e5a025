"""The client app's endpoints: a client sees only their own profile, programs and sessions."""

from functools import cached_property, partial

from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.trail import AuditedViewMixin
from clients.models import Client
from logbook import prescriptions
from logbook.models import Session
from logbook.session_logging import ENTRIES, session_log
from programs import print_views
from programs.models import Program
from programs.serializers import WeekQuerySerializer
from ptbuilder import caching
from safety.serializers import SymptomAnswerSerializer, SymptomReportSerializer
from safety.services import symptoms_report, urgent_message

from .serializers import ClientProgramSerializer, MeSerializer, SessionSerializer


def client_profile_id(user) -> int | None:
    """The client record behind a client app account, by id (None for anyone else); cached on
    the user, and so with a cached token."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_client_profile_id"):
        found = Client.objects.filter(user=user).values_list("pk", flat=True)
        user._client_profile_id = next(iter(found), None)
    return user._client_profile_id


class IsClient(permissions.BasePermission):
    message = "Only a client's app account can do this."

    def has_permission(self, request, view):
        return client_profile_id(request.user) is not None


class ClientAppView(AuditedViewMixin):
    permission_classes = [IsClient]

    @property
    def client_id(self) -> int:
        return client_profile_id(self.request.user)

    @cached_property
    def client(self) -> Client:
        """The record itself, loaded when a request needs more than its id."""
        return Client.objects.get(pk=self.client_id)

    def audited_client_id(self):
        return self.client_id


class MeView(ClientAppView, generics.RetrieveUpdateAPIView):
    """The client's profile (units may be changed) and their therapist's name and contact."""

    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.client


def client_programs_data(programs: list, *, weeks, current, request) -> dict:
    """{program id: the program as its client sees it in `weeks`}, contents read at once."""
    ids = [program.pk for program in programs]
    full = list(prescriptions.with_contents(Program.objects.filter(pk__in=ids)))
    entries = prescriptions.logged_entries(full)
    doses = {}
    for program in full:
        doses.update(prescriptions.week_doses(program, weeks[program.pk], entries))
    context = {
        "request": request,
        "doses": doses,
        "weeks": weeks,
        "current_weeks": current,
        "units": full[0].client.units if full else "metric",  # all are the one client's
    }
    return {
        program.pk: caching.plain(ClientProgramSerializer(program, context=context).data)
        for program in full
    }


class MyProgramViewSet(ClientAppView, viewsets.ReadOnlyModelViewSet):
    """Active programs with `current_week` and every item's dose for that week."""

    serializer_class = ClientProgramSerializer
    queryset = Program.objects.none()
    filter_backends = []

    def get_queryset(self):
        return caching.with_state(prescriptions.client_programs_qs(client_id=self.client_id))

    def requested_week(self, program) -> int:
        query = WeekQuerySerializer(
            data=self.request.query_params.dict(), context={"program": program}
        )
        query.is_valid(raise_exception=True)
        return query.validated_data.get("week") or prescriptions.current_week(program)

    def programs_data(self, programs: list, weeks: dict) -> list:
        """Programs as the client sees them in the given weeks, one cached entry per program
        state (which includes the client's record, so their units) and week."""
        current = {program.pk: prescriptions.current_week(program) for program in programs}
        request = self.request
        build = partial(client_programs_data, weeks=weeks, current=current, request=request)
        site = (request.scheme, request.get_host())
        return caching.program_entries(
            programs,
            "client",
            build,
            lambda program: (weeks[program.pk], current[program.pk], *site),
            activity=True,  # the client's logs move gated doses
        )

    def list(self, request, *args, **kwargs):
        page = list(self.paginate_queryset(self.get_queryset()))
        weeks = {program.pk: prescriptions.current_week(program) for program in page}
        return self.get_paginated_response(self.programs_data(page, weeks))

    @extend_schema(parameters=[WeekQuerySerializer])
    def retrieve(self, request, *args, **kwargs):
        program = self.get_object()
        [data] = self.programs_data([program], {program.pk: self.requested_week(program)})
        return Response(data)

    @print_views.pdf_schema
    @action(detail=True, methods=["get"], renderer_classes=[print_views.PDFRenderer])
    def pdf(self, request, pk=None):
        """The printable program, as the therapist would print it for you."""
        program = self.get_object()
        contents = prescriptions.with_contents(Program.objects.filter(pk=program.pk))
        return print_views.pdf_response(request, program, contents.get)


class MySymptomsView(ClientAppView, generics.GenericAPIView):
    """New signs between visits: the red flags present now (from `symptom_questions` in /me/),
    and the client's own words. An emergency sign answers with the message to call emergency
    services now and pauses the programs; any sign reaches the therapist's attention list."""

    serializer_class = SymptomReportSerializer
    audited_action = "report-symptoms"

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "client": self.client}

    @extend_schema(responses={201: SymptomAnswerSerializer})
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report, attention, _ = symptoms_report(
            client=self.client, by=request.user, **serializer.validated_data
        )
        urgent = attention is not None and attention.is_emergency
        answer = {
            "id": report.pk,
            "reported_at": report.reported_at,
            "urgent": urgent,
            "message": urgent_message(self.client) if urgent else None,
            "therapist_told": attention is not None,
        }
        return Response(SymptomAnswerSerializer(answer).data, status=status.HTTP_201_CREATED)


class MySessionViewSet(
    ClientAppView, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Logged sessions. A repeated `client_uuid` answers 200 with the stored session."""

    serializer_class = SessionSerializer
    queryset = Session.objects.none()
    ordering_fields = ["performed_at"]

    def get_queryset(self):
        return Session.objects.filter(client_id=self.client_id).prefetch_related(ENTRIES)

    @extend_schema(responses={200: SessionSerializer, 201: SessionSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stored, created = session_log(client_id=self.client_id, data=serializer.validated_data)
        self.audited_object = stored
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.get_serializer(stored).data, status=code)
