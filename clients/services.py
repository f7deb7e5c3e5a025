"""Writes on clients' screenings; each is one transaction."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import SCREENING_VALID_DAYS, Client, Screening, ScreeningAnswer


def screened_clear(client: Client) -> bool:
    """The client's newest screening is from the last 30 days and has no red flag present, and
    no emergency they reported since waits for the therapist (safety's attention list, read by
    its reverse relation: a report's emergency outweighs an older clear screening too).

    A newer screening with a red flag outweighs any older clear one.
    """
    newest = client.screenings.order_by("-performed_at", "-id").first()
    since = timezone.now() - timedelta(days=SCREENING_VALID_DAYS)
    open_emergency = client.attention.filter(is_emergency=True, cleared_at__isnull=True)
    recent = newest is not None and newest.performed_at >= since and newest.is_clear
    return recent and not open_emergency.exists()


@transaction.atomic
def screening_create(*, client: Client, condition, answers: list[dict], by, notes: str = ""):
    screening = Screening.objects.create(
        client=client, condition=condition, notes=notes, performed_by=by
    )
    ScreeningAnswer.objects.bulk_create(
        ScreeningAnswer(screening=screening, **answer) for answer in answers
    )
    return screening
