"""Loads the shared library of one JSON fixture document, idempotently and in place.

Rows are matched by their slug (sources by title and date), so a changed fixture updates the
existing row and a second run writes nothing. Only shared rows are touched: a therapist's custom
exercises (owner set) are never matched, changed or removed.
"""

from collections import Counter
from pathlib import Path

from django.conf import settings

from .models import BodyRegion, Category, Condition, Equipment, Exercise, RedFlag, Source, Tissue

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
TERMS = {
    "categories": Category,
    "equipment": Equipment,
    "body_regions": BodyRegion,
    "tissues": Tissue,
}
EXERCISE_RELATIONS = {
    "equipment": Equipment,
    "body_regions": BodyRegion,
    "target_tissues": Tissue,
    "conditions": Condition,
}


class Tally(Counter):
    """How many rows were created, updated or left unchanged, per model."""

    def __str__(self):
        return ", ".join(f"{key}: {value}" for key, value in sorted(self.items())) or "nothing"


def upsert(model, lookup: dict, values: dict, tally: Tally, *, queryset=None):
    """Create or update one row, saving only when a value differs."""
    queryset = queryset if queryset is not None else model.objects
    instance = queryset.filter(**lookup).first()
    label = model._meta.verbose_name_plural
    if instance is None:
        instance = model.objects.create(**lookup, **values)
        tally[f"{label} created"] += 1
        return instance
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.save(update_fields=[*changed, *_auto_now_fields(model)])
        tally[f"{label} updated"] += 1
    return instance


def _auto_now_fields(model) -> list[str]:
    return [field.name for field in model._meta.fields if getattr(field, "auto_now", False)]


def set_relation(instance, name: str, model, slugs: list[str], tally: Tally):
    found = dict(model.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    missing = set(slugs) - set(found)
    if missing:
        raise ValueError(f"{instance.slug}: unknown {name} {sorted(missing)}")
    wanted = set(found.values())
    relation = getattr(instance, name)
    if set(relation.values_list("pk", flat=True)) != wanted:
        relation.set(wanted)
        tally[f"{name} links updated"] += 1


def load_document(data: dict, tally: Tally):
    source_data = data["source"]
    source = upsert(
        Source,
        {"title": source_data["title"], "published": source_data["published"]},
        {name: source_data.get(name, "") for name in ("author", "author_role", "url")},
        tally,
    )
    for key, model in TERMS.items():
        for entry in data.get(key, []):
            values = {name: value for name, value in entry.items() if name != "slug"}
            upsert(model, {"slug": entry["slug"]}, values, tally)
    for entry in data.get("conditions", []):
        condition = upsert(
            Condition,
            {"slug": entry["slug"]},
            {"name": entry["name"], "education": entry["education"], "source": source},
            tally,
        )
        for position, flag in enumerate(entry["red_flags"], start=1):
            values = {name: value for name, value in flag.items() if name != "slug"}
            upsert(
                RedFlag,
                {"condition": condition, "slug": flag["slug"]},
                {**values, "position": position},
                tally,
            )
    for entry in data.get("exercises", []):
        load_exercise(entry, source, tally)


def load_exercise(entry: dict, source: Source, tally: Tally):
    plain = {
        name: value
        for name, value in entry.items()
        if name not in {"slug", "category", "default_dose", *EXERCISE_RELATIONS}
    }
    values = {
        **plain,
        **entry["default_dose"],
        "category": Category.objects.get(slug=entry["category"]),
        "source": source,
        "is_archived": False,
    }
    exercise = Exercise(**values)
    exercise.full_clean(exclude=["slug", "image"])
    exercise = upsert(
        Exercise,
        {"slug": entry["slug"]},
        _db_values(exercise, values),
        tally,
        queryset=Exercise.objects.shared(),
    )
    for name, model in EXERCISE_RELATIONS.items():
        set_relation(exercise, name, model, entry.get(name, []), tally)


def _db_values(exercise: Exercise, values: dict) -> dict:
    """Values as the database returns them (e.g. "2.5" as Decimal), so comparisons are exact."""
    return {name: getattr(exercise, name) for name in values}
