"""What a therapist reads of a client's logbook over the API."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from accounts.permissions import IsTherapist
from audit.trail import AuditedViewMixin
from clients.models import Client
from clients.selectors import client_list_qs

from .adherence import client_adherence
from .serializers import AdherenceSerializer


class AdherenceView(AuditedViewMixin, generics.GenericAPIView):
    """Per week sessions prescribed and done, pain trend, left/right differences, reviews."""

    queryset = Client.objects.none()
    serializer_class = AdherenceSerializer
    permission_classes = [IsTherapist]
    filter_backends = []
    audited_action = "adherence"

    def get_queryset(self):
        return client_list_qs(user=self.request.user)

    @extend_schema(responses=AdherenceSerializer)
    def get(self, request, pk):
        data = client_adherence(client=self.get_object())
        return Response(AdherenceSerializer(data).data)
