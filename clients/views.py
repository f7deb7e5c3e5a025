"""A therapist's clients over the API: their records, screenings and app invitations."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import IsTherapist
from audit.trail import AuditedViewMixin
from ptbuilder.schema import error_response

from . import selectors
from .filters import ClientFilter
from .invitations import invitation_create
from .models import Client
from .serializers import ClientSerializer, InvitationSerializer


class ClientViewSet(
    AuditedViewMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """A therapist's own clients; anyone else's are 404."""

    queryset = Client.objects.none()
    serializer_class = ClientSerializer
    permission_classes = [IsTherapist]
    filterset_class = ClientFilter
    search_fields = ["first_name", "last_name", "email"]
    ordering_fields = ["last_name", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.client_list_qs(user=self.request.user)

    def perform_create(self, serializer):
        self.audited_object = serializer.save(therapist=self.request.user)

    @extend_schema(
        request=None,
        responses={
            201: InvitationSerializer,
            409: error_response("The client already has an app account."),
        },
    )
    @action(detail=True, methods=["post"], serializer_class=InvitationSerializer)
    def invitation(self, request, pk=None):
        """A one-time code for the client app, valid 7 days; it replaces any earlier code."""
        code, invitation = invitation_create(client=self.get_object(), by=request.user)
        data = {"code": code, "expires": invitation.expires_at}
        return Response(InvitationSerializer(data).data, status=status.HTTP_201_CREATED)
