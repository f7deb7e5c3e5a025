"""Writes for the library."""

from django.db import transaction

from ptbuilder.domain_errors import Conflict

from .models import Exercise


def exercise_archive(*, exercise: Exercise) -> Exercise:
    """Exercises are never deleted: programs and logs keep pointing at them."""
    if not exercise.is_archived:
        exercise.is_archived = True
        exercise.save(update_fields=["is_archived", "updated_at"])
    return exercise


@transaction.atomic
def exercise_copy(*, exercise: Exercise, by) -> Exercise:
    """A custom exercise of `by`'s made from a shared one, to adapt without changing the library:
    the same instructions, default dose, media, source and taxonomy links.

    Only shared exercises are copied: a therapist's own exercise is private to them.
    """
    if not exercise.is_shared:
        raise Conflict("Only exercises of the shared library can be copied.")
    copy = Exercise.objects.get(pk=exercise.pk)
    links = {
        field.name: list(getattr(copy, field.name).values_list("pk", flat=True))
        for field in Exercise._meta.many_to_many
    }
    copy.pk, copy._state.adding = None, True
    copy.owner, copy.slug, copy.is_archived = by, "", False
    copy.save(force_insert=True)
    for name, pks in links.items():
        getattr(copy, name).set(pks)
    return copy
