"""What a present red flag does, whether a screening or the client's own report found it.

An emergency flag pauses the client's active programs at once (each with who, when and why)
and opens an emergency attention item; the client app then shows the urgent-care message
instead of exercises. Any other present flag opens an attention item and leaves the programs
running, marked for the therapist, until they record why the client may go on. The attention
list's other clear, of an item a painful log marked for review, is here as well.
"""

from django.db import transaction
from django.utils import timezone

from clients.services import screening_create
from clinics.models import emergency_number_for
from programs.models import Item, Program
from programs.services import program_pause
from ptbuilder.domain_errors import Conflict, Invalid

from .models import Attention, SymptomReport


def urgent_message(client) -> str:
    number = emergency_number_for(client.therapist)
    return (
        f"Stop your exercises and call emergency services now ({number}). Tell them about the "
        "signs you have. Your therapist has been told and has paused your program."
    )


def act_on(*, client, present: list, by, screening=None, symptom_report=None):
    """The attention item for the present flags (None when none is present), and the programs
    an emergency paused."""
    if not present:
        return None, []
    emergency = any(flag.is_emergency for flag in present)
    attention = Attention.objects.create(
        client=client,
        screening=screening,
        symptom_report=symptom_report,
        is_emergency=emergency,
    )
    attention.red_flags.set(present)
    paused = []
    if emergency:
        names = "; ".join(flag.text for flag in present if flag.is_emergency)
        origin = "screening" if screening else "the client's symptom report"
        reason = f"Emergency red flag present at {origin}: {names}."
        for program in client.programs.filter(status=Program.Status.ACTIVE):
            paused.append(program_pause(program=program, by=by, reason=reason))
    return attention, paused


@transaction.atomic
def screening_record(*, client, condition, answers: list[dict], by, notes: str = ""):
    """A screening, and what its present flags do: (screening, attention or None, paused)."""
    screening = screening_create(
        client=client, condition=condition, answers=answers, by=by, notes=notes
    )
    present = [answer["red_flag"] for answer in answers if answer["present"]]
    attention, paused = act_on(client=client, present=present, by=by, screening=screening)
    return screening, attention, paused


@transaction.atomic
def symptoms_report(*, client, red_flags: list, text: str, by):
    """The client's report of new signs: (report, attention or None, paused)."""
    report = SymptomReport.objects.create(client=client, text=text)
    report.red_flags.set(red_flags)
    attention, paused = act_on(client=client, present=red_flags, by=by, symptom_report=report)
    return report, attention, paused


@transaction.atomic
def attention_clear(*, attention: Attention, by, reason: str) -> Attention:
    """The therapist's recorded reason the client may go on, judged on the locked row. Paused
    programs stay paused: activating one again asks for a clear screening or an override."""
    current = Attention.objects.select_for_update().get(pk=attention.pk)
    if current.cleared_at is not None:
        raise Conflict("This was cleared already.")
    reason = reason.strip()
    if not reason:
        raise Invalid({"reason": ["Say why the client may go on (e.g. seen by their doctor)."]})
    current.cleared_at, current.cleared_by, current.clearance_reason = timezone.now(), by, reason
    current.save(update_fields=["cleared_at", "cleared_by", "clearance_reason"])
    return current


@transaction.atomic
def review_clear(*, item_id: int, by) -> Item:
    """The therapist has reviewed an item a painful log marked: its "when ready" rules go on.
    Judged on the item's locked row, among the items of the therapist's own clients (any for a
    superuser); another's is Item.DoesNotExist and nothing changes."""
    items = Item.objects.select_for_update(of=("self",)).select_related(
        "exercise", "block__program__client"
    )
    if not by.is_superuser:
        items = items.filter(block__program__client__therapist=by)
    item = items.get(pk=item_id)
    if item.needs_review:
        item.needs_review = False
        item.save(update_fields=["needs_review"])
    return item


def open_emergency(client) -> bool:
    return client.attention.open().filter(is_emergency=True).exists()
