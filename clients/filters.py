"""Filters of the client list."""

from ptbuilder.filters import FilterSet

from .models import Client


class ClientFilter(FilterSet):
    class Meta:
        model = Client
        fields = ["is_archived", "units"]
