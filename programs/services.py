"""Writes on programs and screenings; each is one transaction."""

from django.db import transaction
from django.utils import timezone

from clients.models import Client
from clients.services import screened_clear
from ptbuilder.domain_errors import Conflict, Invalid, Stale

from . import selectors
from .models import (
    Block,
    Item,
    Program,
    ProgramVersion,
    ProgressionRule,
)
from .tasks import render_pdf_after_commit
from .validation import MAX_ITEMS, TOO_MANY_ITEMS

ACTIVATABLE = {Program.Status.DRAFT, Program.Status.PAUSED}


def etag_matches(header: str | None, etag: str) -> bool:
    """An absent If-Match always matches; otherwise one of its (weak or strong) tags must."""
    if header is None:
        return True
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags


def lock_current(
    program: Program, *, if_match: str | None = None, version: int | None = None
) -> Program:
    """The program's row, locked until the transaction ends and read afresh: every state rule
    is judged on it. Stale when the caller read another version (an API If-Match, an admin
    page's loaded version); a program deleted meanwhile raises Program.DoesNotExist (a 404)."""
    current = Program.objects.select_for_update().get(pk=program.pk)
    if not etag_matches(if_match, current.etag):
        raise Stale()
    if version is not None and version != current.version:
        raise Stale(stale_page_message(current, version))
    return current


def stale_page_message(current: Program, opened: int) -> str:
    """Who saved the program, and when, after a page opened it: so the therapist knows whose
    changes to look at before making theirs again."""
    who = current.updated_by
    name = (who.get_full_name() or who.username) if who else "Someone else"
    when = timezone.localtime(current.updated_at)
    return (
        f"{name} saved this program at {when:%H:%M} on {when:%d %b %Y} (now version "
        f"{current.version}), after you opened it at version {opened}. Nothing was saved: "
        "reload the page to see that change, then make yours again."
    )


def check_state_change(current: Program, data: dict) -> None:
    """The rules a change must keep given the program's current state (a 400 naming the field).

    Judged on the locked row, so a concurrent change of state cannot slip between check and write.
    """
    errors = {}
    status = data.get("status", current.status)
    allowed = Program.STATUS_CHANGES.get(current.status, set())
    if status != current.status and status not in allowed:
        choices = ", ".join(sorted(allowed)) or "nothing else"
        errors["status"] = [
            f"A {current.status} program can become: {choices} (use activate to activate it)."
        ]
    client = data.get("client", current.client)
    if (client and client.pk) != current.client_id and current.status != Program.Status.DRAFT:
        errors["client"] = ["Only a draft can move to another client."]
    clearing_start = "start_date" in data and data["start_date"] is None
    if clearing_start and status in (Program.Status.ACTIVE, Program.Status.PAUSED):
        errors["start_date"] = ["An active or paused program needs its start date."]
    if errors:
        raise Invalid(errors)


@transaction.atomic
def program_create(*, owner, data: dict) -> Program:
    check_state_change(Program(status=Program.Status.DRAFT), data)
    blocks = data.pop("blocks", [])
    program = Program.objects.create(owner=owner, updated_by=owner, **data)
    write_blocks(program, blocks)
    return program


def save_version(current: Program, by) -> None:
    """A changed program saved as its next version, its PDF rendered ahead once committed."""
    current.version += 1
    current.updated_by = by
    current.save()
    render_pdf_after_commit(current)


def keep_replaced_version(current: Program, by) -> None:
    """Every change to an active program keeps a snapshot of the version it replaces."""
    if current.status == Program.Status.ACTIVE:
        ProgramVersion.objects.get_or_create(
            program=current,
            version=current.version,
            defaults={
                "snapshot": selectors.program_snapshot(program_id=current.pk),
                "replaced_by": by,
            },
        )


@transaction.atomic
def program_update(
    *,
    program: Program,
    data: dict,
    by=None,
    if_match: str | None = None,
    version: int | None = None,
) -> Program:
    """Top-level fields, and the whole block structure when `blocks` is given: the one way a
    program is changed, by the API and by the admin (whose inlines then save the blocks).

    Blocks and items that carry an `id` are updated in place (so logged sessions keep pointing
    at them); those without one are created; those left out are removed. The changes apply to
    the locked, freshly read row, so they never undo another request's newer changes; an
    active program's replaced version is kept, and the version rises.
    """
    current = lock_current(program, if_match=if_match, version=version)
    check_state_change(current, data)
    keep_replaced_version(current, by)
    blocks = data.pop("blocks", None)
    for name, value in data.items():
        setattr(current, name, value)
    save_version(current, by)
    if blocks is not None:
        write_blocks(current, blocks)
    return current


def write_blocks(program: Program, blocks: list[dict]) -> None:
    """Blocks and items in the given order. An existing block sent without `items`, or an
    existing item sent without `progressions`, keeps what it has."""
    existing_blocks = {block.pk: block for block in program.blocks.all()}
    existing_items = {item.pk: item for item in Item.objects.filter(block__program=program)}
    kept_blocks, kept_items, rewritten, rules = set(), set(), set(), []
    for block_position, block_data in enumerate(blocks):
        block = _existing(existing_blocks, block_data, "blocks", block_position)
        items = block_data.pop("items", None)
        block = _save(block or Block(program=program), block_data, position=block_position)
        kept_blocks.add(block.pk)
        if items is None:
            untouched = [pk for pk, item in existing_items.items() if item.block_id == block.pk]
            kept_items.update(untouched)
            continue
        for item_position, item_data in enumerate(items):
            item = _existing(
                existing_items, item_data, "blocks", block_position, "items", item_position
            )
            progressions = item_data.pop("progressions", None if item else [])
            item = _save(item or Item(), item_data, block=block, position=item_position)
            kept_items.add(item.pk)
            if progressions is not None:
                rewritten.add(item.pk)
                rules += [ProgressionRule(item=item, **rule) for rule in progressions]
    if len(kept_items) > MAX_ITEMS:  # counts the items that blocks sent without `items` keep
        raise Invalid({"blocks": [TOO_MANY_ITEMS]})
    ProgressionRule.objects.filter(item_id__in=rewritten).delete()
    ProgressionRule.objects.bulk_create(rules)
    Item.objects.filter(pk__in=existing_items.keys() - kept_items).delete()
    Block.objects.filter(pk__in=existing_blocks.keys() - kept_blocks).delete()


def _existing(existing: dict, data: dict, *path):
    """The stored row `data` names by its `id`, taken out of `existing` so it is used once.

    An unknown id, or one sent twice, is a 400 at its nested position.
    """
    identifier = data.pop("id", None)
    if identifier is None:
        return None
    if identifier not in existing:
        error = {"id": [f"No such {path[-2][:-1]} in this program, or it is sent twice."]}
        for key in reversed(path):
            error = {key: error}
        raise Invalid(error)
    return existing.pop(identifier)


def _save(instance, data: dict, **fixed):
    for name, value in {**data, **fixed}.items():
        setattr(instance, name, value)
    instance.save()
    return instance


@transaction.atomic
def program_delete(*, program: Program, if_match: str | None = None) -> None:
    """Only drafts and templates are deleted; anything prescribed is archived instead."""
    current = lock_current(program, if_match=if_match)
    if not (current.is_template or current.status == Program.Status.DRAFT):
        raise Conflict("Only drafts and templates can be deleted; archive this program.")
    current.delete()


@transaction.atomic
def program_copy(
    *, program: Program, client: Client | None, by, title: str | None = None
) -> Program:
    """A deep copy into a new draft owned by `by`; this is how a template is applied. `title`
    replaces the original's (e.g. to name the client), in the same write."""
    copy = Program.objects.create(
        owner=by,
        updated_by=by,
        client=client,
        title=title or program.title,
        condition=program.condition,
        goal=program.goal,
        notes=program.notes,
        rationale=program.rationale,
        weeks=program.weeks,
        sessions_per_week=program.sessions_per_week,
        source=program,
    )
    for block in program.blocks.prefetch_related("items__progressions"):
        items = list(block.items.all())
        block.pk, block.program = None, copy
        block.save(force_insert=True)
        rules = []
        for item in items:
            item_rules = list(item.progressions.all())
            item.pk, item.block = None, block
            item.save(force_insert=True)
            for rule in item_rules:
                rule.pk, rule.item = None, item
                rules.append(rule)
        ProgressionRule.objects.bulk_create(rules)
    return copy


@transaction.atomic
def program_activate(
    *, program: Program, by, override_reason: str = "", if_match: str | None = None
) -> Program:
    """Active only after a clear screening in the last 30 days, or with a recorded override."""
    current = lock_current(program, if_match=if_match)
    if current.is_template:
        raise Conflict("A template cannot be activated; copy it to a client first.")
    if current.status not in ACTIVATABLE:
        raise Conflict(f"A {current.status} program cannot be activated.")
    override_reason = override_reason.strip()
    if not override_reason and not screened_clear(current.client):
        raise Conflict(
            "The client needs a screening from the last 30 days with no red flag present and "
            "no open emergency, or give an override_reason (e.g. medical clearance)."
        )
    current.status = Program.Status.ACTIVE
    current.start_date = current.start_date or timezone.localdate()
    current.activated_at, current.activated_by = timezone.now(), by
    current.override_reason = override_reason
    save_version(current, by)
    return current


@transaction.atomic
def program_pause(*, program: Program, by, reason: str) -> Program:
    """An active program paused at once, with who, when and why (an emergency red flag); its
    replaced version is kept as for any change. Anything but an active program is left as is."""
    current = lock_current(program)
    if current.status != Program.Status.ACTIVE:
        return current
    keep_replaced_version(current, by)
    current.status = Program.Status.PAUSED
    current.paused_at, current.paused_by, current.pause_reason = timezone.now(), by, reason
    save_version(current, by)
    return current
