"""Who is who: therapists work in the admin and write over the API; everyone else reads."""

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


def client_profile_id(user) -> int | None:
    """The client record behind a client app account, by id (None for anyone else); cached on
    the user, and so with a cached token."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_client_profile_id"):
        from programs.models import Client

        found = Client.objects.filter(user=user).values_list("pk", flat=True)
        user._client_profile_id = next(iter(found), None)
    return user._client_profile_id
