"""Writes for the library."""

from .models import Exercise


def exercise_archive(*, exercise: Exercise) -> Exercise:
    """Exercises are never deleted: programs and logs keep pointing at them."""
    if not exercise.is_archived:
        exercise.is_archived = True
        exercise.save(update_fields=["is_archived", "updated_at"])
    return exercise
