"""Storing what a client did: one session per client_uuid, whatever the retries."""

from django.db import IntegrityError, transaction

from programs.models import Item, Program
from progression.engine import REVIEW_PAIN
from ptbuilder.domain_errors import Invalid

from .models import ExerciseLog, Session


def session_log(*, client, data: dict) -> tuple[Session, bool]:
    """Store a session with its entries; (session, created). A repeated or concurrent upload of
    the same client_uuid returns the stored session: the unique constraint decides, not a check.
    Pain above 5/10 marks the item for the therapist's review, which holds its gated rules
    until the therapist clears the mark."""
    entries = data.pop("entries")
    try:
        with transaction.atomic():
            try:
                _check_program_takes(data["program"], entries)
            except Invalid:
                # A concurrent upload of the same session may have been stored just before.
                stored = stored_session(client=client, client_uuid=data["client_uuid"])
                if stored is None:
                    raise
                return stored, False
            session = Session.objects.create(client=client, **data)
            ExerciseLog.objects.bulk_create(
                ExerciseLog(session=session, exercise_id=entry["item"].exercise_id, **entry)
                for entry in entries
            )
            worse = {
                entry["item"].pk
                for entry in entries
                if (entry.get("pain") or 0) > REVIEW_PAIN or session.symptoms_spread
            }
            Item.objects.filter(pk__in=worse).update(needs_review=True)
    except IntegrityError:
        stored = stored_session(client=client, client_uuid=data["client_uuid"])
        if stored is None:  # another constraint failed, not the idempotency key
            raise
        return stored, False
    return session, True


def _check_program_takes(program: Program, entries: list[dict]) -> None:
    """The program is still active and still holds the entries' items, judged on its locked
    row: a therapist's pause or edit committed meanwhile is seen, never overtaken."""
    status = (
        Program.objects.select_for_update()
        .filter(pk=program.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status != Program.Status.ACTIVE:
        state = status or "removed"
        raise Invalid({"program": [f"This program is {state}; it takes no new sessions."]})
    asked = {entry["item"].pk for entry in entries}
    held = set(
        Item.objects.filter(pk__in=asked, block__program=program).values_list("pk", flat=True)
    )
    gone = {
        index: {"item": ["Not an item of this program (any more)."]}
        for index, entry in enumerate(entries)
        if entry["item"].pk not in held
    }
    if gone:
        raise Invalid({"entries": gone})


def stored_session(*, client, client_uuid) -> Session | None:
    return (
        Session.objects.filter(client=client, client_uuid=client_uuid)
        .prefetch_related("entries")
        .first()
    )
