"""Writes for accounts."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password

from .roles import THERAPISTS_GROUP


def therapist_create(*, username: str, password: str, email: str = "", **names):
    """A staff user (so the admin opens) in the Therapists group."""
    user = get_user_model()(username=username, email=email, is_staff=True, **names)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=THERAPISTS_GROUP))
    return user
