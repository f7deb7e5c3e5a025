"""Filters of the client list."""

from ptbuilder.filters import FilterSet

from .models import Client


def own_clients(request):
    """Only the caller's clients: another therapist's answers like a client that does not exist."""
    return Client.objects.of(request.user) if request is not None else Client.objects.none()


class ClientFilter(FilterSet):
    class Meta:
        model = Client
        fields = ["is_archived", "units"]
