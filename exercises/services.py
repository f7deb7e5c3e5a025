"""Writes for the library and its users."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password

from ptbuilder.roles import THERAPISTS_GROUP

from .models import Exercise


def therapist_create(*, username: str, password: str, email: str = "", **names):
    """A staff user (so the admin opens) in the Therapists group."""
    user = get_user_model()(username=username, email=email, is_staff=True, **names)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=THERAPISTS_GROUP))
    return user


def exercise_archive(*, exercise: Exercise) -> Exercise:
    """Exercises are never deleted: programs and logs keep pointing at them."""
    if not exercise.is_archived:
        exercise.is_archived = True
        exercise.save(update_fields=["is_archived", "updated_at"])
    return exercise
