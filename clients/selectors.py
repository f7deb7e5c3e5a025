"""Reads of clients and screenings, with everything their serializers touch."""

from .models import Client, Screening


def client_list_qs(*, user):
    return Client.objects.of(user)


def screening_list_qs(*, client):
    return (
        Screening.objects.filter(client=client)
        .select_related("condition", "performed_by")
        .prefetch_related("answers")
    )
