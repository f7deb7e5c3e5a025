"""Storing what a client did: one session per client_uuid, whatever the retries.

A session costs the same few queries whatever its number of entries: the program's row locked,
its items read once, the session and its entries written in two statements. The answer is made
from what was written, not read back.
"""

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from programs.models import Item, Program
from progression.engine import REVIEW_PAIN
from ptbuilder.domain_errors import Invalid

from .models import ExerciseLog, Session

ENTRIES = Prefetch("entries", to_attr="entry_list")
"""A session's entries as a list (`entry_list`), which a session just written holds too."""

SIDES_FOR_ITEM = {
    Item.Side.BOTH: {"both"},
    Item.Side.EACH: {"left", "right"},
    Item.Side.LEFT: {"left"},
    Item.Side.RIGHT: {"right"},
    Item.Side.ALTERNATING: {"both", "left", "right"},
}
"""The sides an entry may log for each kind of item."""

NO_PROGRAM = 'Invalid pk "{}" - object does not exist.'


def session_log(*, client_id: int, data: dict) -> tuple[Session, bool]:
    """Store a session with its entries; (session, created). A repeated or concurrent upload of
    the same client_uuid returns the stored session: the unique constraint decides, not a check.
    Pain above 5/10 marks the item for the therapist's review, which holds its gated rules
    until the therapist clears the mark."""
    data = dict(data)
    entries = data.pop("entry_list")
    program_id = data.pop("program_id")
    try:
        with transaction.atomic():
            try:
                exercises = _check_program_takes(client_id, program_id, data, entries)
            except Invalid:
                # A concurrent upload of the same session may have been stored just before.
                stored = stored_session(client_id=client_id, client_uuid=data["client_uuid"])
                if stored is None:
                    raise
                return stored, False
            session = Session.objects.create(client_id=client_id, program_id=program_id, **data)
            session.entry_list = ExerciseLog.objects.bulk_create(
                ExerciseLog(session=session, exercise_id=exercises[entry["item_id"]], **entry)
                for entry in entries
            )
            worse = {
                entry["item_id"]
                for entry in entries
                if (entry.get("pain") or 0) > REVIEW_PAIN or session.symptoms_spread
            }
            if worse:
                Item.objects.filter(pk__in=worse).update(needs_review=True)
    except IntegrityError:
        stored = stored_session(client_id=client_id, client_uuid=data["client_uuid"])
        if stored is None:  # another constraint failed, not the idempotency key
            raise
        return stored, False
    return session, True


def _check_program_takes(client_id, program_id, data: dict, entries: list[dict]) -> dict:
    """The client's program is active, started by the session's day, and holds the entries'
    items on the sides logged; judged on its locked row, so a therapist's pause or edit
    committed meanwhile is seen, never overtaken. Returns {item id: exercise id}."""
    program = (
        Program.objects.select_for_update()
        .filter(pk=program_id, client_id=client_id)
        .values("status", "start_date")
        .first()
    )
    items = Item.objects.filter(
        pk__in={entry["item_id"] for entry in entries} if program else [],
        block__program_id=program_id,
    )
    held = {
        pk: (side, exercise)
        for pk, side, exercise in items.values_list("pk", "side", "exercise_id")
    }
    errors = _program_errors(program, program_id, data["performed_at"])
    if entry_errors := _entry_errors(entries, held):
        errors["entries"] = entry_errors
    if errors:
        raise Invalid(errors)
    return {pk: exercise_id for pk, (_, exercise_id) in held.items()}


def _program_errors(program: dict | None, program_id: int, performed_at) -> dict:
    if program is None:
        return {"program": [NO_PROGRAM.format(program_id)]}
    if program["status"] != Program.Status.ACTIVE:
        return {"program": [f"This program is {program['status']}; it takes no new sessions."]}
    started = program["start_date"]
    if started and timezone.localdate(performed_at) < started:
        return {"performed_at": [f"Before the program started ({started:%Y-%m-%d})."]}
    return {}


def _entry_errors(entries: list[dict], held: dict) -> dict:
    """{index: errors} of entries naming an item the program does not hold, or a side the item
    is not done on."""
    errors = {}
    for index, entry in enumerate(entries):
        if entry["item_id"] not in held:
            errors[index] = {"item": ["Not an item of this program (any more)."]}
            continue
        side = held[entry["item_id"]][0]
        if entry.get("side", ExerciseLog.Side.BOTH) not in SIDES_FOR_ITEM[side]:
            allowed = ", ".join(sorted(SIDES_FOR_ITEM[side]))
            errors[index] = {
                "side": [f"This item is done {Item.Side(side).label.lower()}: {allowed}."]
            }
    return errors


def stored_session(*, client_id: int, client_uuid) -> Session | None:
    return (
        Session.objects.filter(client_id=client_id, client_uuid=client_uuid)
        .prefetch_related(ENTRIES)
        .first()
    )
