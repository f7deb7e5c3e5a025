"""Who is who: therapists work in the admin and write over the API; everyone else reads."""

from django.contrib.auth import get_user_model
from django.db.models import Q

THERAPISTS_GROUP = "Therapists"


def is_therapist(user) -> bool:
    """A superuser or a member of the Therapists group (membership is cached per request)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_therapist", None)
    if cached is None:
        cached = user.groups.filter(name=THERAPISTS_GROUP).exists()
        user._is_therapist = cached
    return cached


def therapists():
    """Accounts that may own clients and programs."""
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=THERAPISTS_GROUP))
        .distinct()
    )
