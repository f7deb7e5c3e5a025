"""Loads the shared templates of the library fixtures, idempotently and in place.

A template is matched by its slug among shared programs; when its fixture differs from what is
stored, its blocks are rewritten and its version rises. Therapists' copies are never touched.
"""

import json
from pathlib import Path

from django.db import transaction

from exercises.models import Condition, Exercise
from exercises.seeding import FIXTURES_DIR, Tally, load_document

from .models import Block, Item, Program, ProgressionRule
from .services import write_blocks
from .validation import item_errors, rules_errors

PROGRAM_FIELDS = ["title", "condition", "goal", "notes", "rationale", "weeks", "sessions_per_week"]


def _fields(model, exclude=()):
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and not field.is_relation and field.name not in exclude
    ]


BLOCK_FIELDS = _fields(Block, exclude={"position"})
ITEM_FIELDS = _fields(Item, exclude={"position"})
RULE_FIELDS = _fields(ProgressionRule)


def _with_defaults(fields, values: dict) -> dict:
    """Every field's value: the fixture's (cleaned to its type) or the model default."""
    return {
        field.name: field.to_python(values[field.name])
        if field.name in values
        else field.get_default()
        for field in fields
    }


def template_blocks(entry: dict) -> list[dict]:
    """The fixture's blocks as service data; items start from their exercise's default dose."""
    blocks = []
    for block in entry["blocks"]:
        items = []
        for item in block["items"]:
            exercise = Exercise.objects.shared().get(slug=item["exercise"])
            defaults = {
                field.name: getattr(exercise, field.name)
                for field in ITEM_FIELDS
                if hasattr(exercise, field.name)
            }
            values = {
                **_with_defaults(ITEM_FIELDS, {}),
                **defaults,
                **_with_defaults([field for field in ITEM_FIELDS if field.name in item], item),
            }
            rules = [_with_defaults(RULE_FIELDS, rule) for rule in item.get("progressions", [])]
            errors = item_errors(exercise, values) or rules_errors(exercise, values, rules)
            if errors:
                raise ValueError(f"{entry['slug']}: {exercise.slug}: {errors}")
            items.append({**values, "exercise": exercise, "progressions": rules})
        blocks.append({**_with_defaults(BLOCK_FIELDS, block), "items": items})
    return blocks


def stored_blocks(program: Program) -> list[dict]:
    """The same shape as template_blocks, read back from the database."""
    return [
        {
            **{field.name: getattr(block, field.name) for field in BLOCK_FIELDS},
            "items": [
                {
                    **{field.name: getattr(item, field.name) for field in ITEM_FIELDS},
                    "exercise": item.exercise,
                    "progressions": [
                        {field.name: getattr(rule, field.name) for field in RULE_FIELDS}
                        for rule in item.progressions.all()
                    ],
                }
                for item in block.items.all()
            ],
        }
        for block in program.blocks.prefetch_related("items__exercise", "items__progressions")
    ]


def load_template(entry: dict, tally: Tally) -> Program:
    values = {
        **{name: entry[name] for name in PROGRAM_FIELDS if name in entry},
        "condition": Condition.objects.get(slug=entry["condition"]),
    }
    blocks = template_blocks(entry)
    program = Program.objects.templates().filter(owner__isnull=True, slug=entry["slug"]).first()
    if program is None:
        program = Program.objects.create(slug=entry["slug"], **values)
        write_blocks(program, blocks)
        tally["templates created"] += 1
        return program
    changed = [name for name, value in values.items() if getattr(program, name) != value]
    if changed or stored_blocks(program) != blocks:
        for name in changed:
            setattr(program, name, values[name])
        program.version += 1
        program.save()
        program.blocks.all().delete()
        write_blocks(program, blocks)
        tally["templates updated"] += 1
    return program


@transaction.atomic
def seed_library(paths: list[Path] | None = None) -> Tally:
    """The whole library: exercises, conditions and red flags, then the shared templates."""
    tally = Tally()
    documents = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(paths or FIXTURES_DIR.glob("*.json"))
    ]
    for document in documents:
        load_document(document, tally)
    for document in documents:
        for entry in document.get("templates", []):
            load_template(entry, tally)
    return tally
