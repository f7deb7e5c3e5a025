"""Reads of clients and screenings, with everything their serializers touch."""

from django.db.models import Count, Q

from .models import Client, Screening


def client_list_qs(*, user):
    """With the open red flags counted (the attention list, by its reverse relation)."""
    open_items = Q(attention__cleared_at__isnull=True)
    counted = Client.objects.of(user).annotate(
        open_attention=Count("attention", filter=open_items),
        open_emergencies=Count("attention", filter=open_items & Q(attention__is_emergency=True)),
    )
    return counted.order_by(*Client._meta.ordering)  # a grouped query keeps no default order


def screening_list_qs(*, client):
    return (
        Screening.objects.filter(client=client)
        .select_related("condition", "performed_by")
        .prefetch_related("answers")
    )
