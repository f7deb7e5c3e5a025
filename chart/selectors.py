"""Reads for the client list and the client's page: where each client stands (screened, on a
program, logging sessions, using the app), read with the clients themselves."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from knox.models import AuthToken

from clients.models import (
    SCREENING_VALID_DAYS,
    Client,
    Invitation,
    Screening,
    ScreeningAnswer,
)
from logbook.models import Session
from programs.models import Program
from safety.models import Attention

NOT_SCREENED, RED_FLAG, OUT_OF_DATE, CLEAR = (
    "Not screened",
    "Red flag present",
    f"Older than {SCREENING_VALID_DAYS} days",
    "Clear",
)


def with_summary(clients: QuerySet[Client]) -> QuerySet[Client]:
    """Each client with what the list shows of them, as subqueries of the one query (so the
    list costs the same whatever its length): open red flags, the newest screening (when, and
    whether a flag was present), the condition they are seen for, the active program and the
    last session."""
    own = {"client": OuterRef("pk")}
    open_items = Attention.objects.open().filter(**own)
    newest = Screening.objects.filter(**own).order_by("-performed_at", "-id")
    active = Program.objects.filter(**own, status=Program.Status.ACTIVE).order_by(
        "-activated_at", "-id"
    )
    treated = Program.objects.filter(**own, condition__isnull=False).order_by("-updated_at", "-id")
    sessions = Session.objects.filter(**own).order_by("-performed_at")
    present = ScreeningAnswer.objects.filter(
        screening=OuterRef("newest_screening_id"), present=True
    )
    return clients.annotate(
        open_flags=Exists(open_items),
        open_emergencies=Exists(open_items.filter(is_emergency=True)),
        newest_screening_id=Subquery(newest.values("pk")[:1]),
        screened_at=Subquery(newest.values("performed_at")[:1]),
        screened_positive=Exists(present),
        seen_for_condition_id=Coalesce(
            Subquery(newest.values("condition")[:1]), Subquery(treated.values("condition")[:1])
        ),
        active_program_id=Subquery(active.values("pk")[:1]),
        active_program_title=Subquery(active.values("title")[:1]),
        last_session_at=Subquery(sessions.values("performed_at")[:1]),
    )


def screening_state(client: Client, *, now: datetime) -> str:
    """The newest screening at a glance; a red flag outweighs its age, as it needs the
    therapist whenever it was found. Needs with_summary's annotations."""
    if client.screened_at is None:
        return NOT_SCREENED
    if client.screened_positive:
        return RED_FLAG
    if client.screened_at < now - timedelta(days=SCREENING_VALID_DAYS):
        return OUT_OF_DATE
    return CLEAR


def last_app_login(user) -> datetime | None:
    """The newest of a session log-in and a token the app signed in with (the API's log-ins
    and redeeming a code create a token without touching `last_login`)."""
    token = AuthToken.objects.filter(user=user).aggregate(newest=Max("created"))["newest"]
    return max(filter(None, [user.last_login, token]), default=None)


@dataclass(frozen=True)
class AppAccount:
    """The client's way into the app: "none", "invited" (a code valid until `at`), "expired"
    (since `at`) or "account" (last signed in at `at`, None for never)."""

    status: str
    at: datetime | None = None
    username: str = ""


def app_account(client: Client, *, now: datetime) -> AppAccount:
    if client.user is not None:
        return AppAccount("account", last_app_login(client.user), client.user.get_username())
    try:
        invitation = client.invitation
    except Invitation.DoesNotExist:
        return AppAccount("none")
    if invitation.used_at is not None:  # redeemed, and the account since removed
        return AppAccount("none")
    if invitation.expires_at <= now:
        return AppAccount("expired", invitation.expires_at)
    return AppAccount("invited", invitation.expires_at)
