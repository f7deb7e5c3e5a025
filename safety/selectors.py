"""What needs a therapist's attention: one list of every kind, most urgent first.

Plain reads, no HTTP: the admin's home page and GET /attention/ show the same rows. The list is
read in a fixed number of queries (one per source, each with what its rows show), however many
clients, programs and sessions there are.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from clients.models import SCREENING_VALID_DAYS, Client, Screening
from logbook.models import ExerciseLog, Session
from programs.models import Item, Program, ProgressionRule
from progression.engine import REVIEW_PAIN

from .models import Attention

QUIET = timedelta(days=7)
"""An active program with no session for this long (counted from its start) is on the list."""
ENDING = timedelta(days=7)
"""An active program that ends this soon (or has ended while still active) is on the list."""
RECENT_PAIN = timedelta(days=7)
"""Logged pain this recent counts: a "when ready" rule looks at last week's."""
SCREENING_VALID = timedelta(days=SCREENING_VALID_DAYS)


class Kind(models.TextChoices):
    RED_FLAG = "red_flag", "Red flag"
    REVIEW = "review", "Marked for review"
    PAIN = "pain", "Pain"
    NO_SESSION = "no_session", "No session"
    SCREENING_DUE = "screening_due", "Screening due"
    ENDING = "ending", "Ending"


class Severity(models.TextChoices):
    """In the list's order, most urgent first."""

    EMERGENCY = "emergency", "Emergency"
    RED_FLAG = "red_flag", "Red flag"
    REVIEW = "review", "Review"
    ROUTINE = "routine", "Routine"


SEVERITY_RANK = {severity: rank for rank, severity in enumerate(Severity)}


@dataclass(frozen=True)
class Row:
    """One thing to act on. `since` is when it began to need attention; `admin_url` is the
    admin page where it is resolved (the attention record, the program or the client)."""

    kind: Kind
    severity: Severity
    client: Client
    program: Program | None
    text: str
    since: datetime
    admin_url: str
    attention: Attention | None = None
    item: Item | None = None


def attention_list(
    *,
    user,
    client: Client | None = None,
    kinds: Collection[Kind] = tuple(Kind),
    red_flags: QuerySet[Attention] | None = None,
) -> list[Row]:
    """The rows of `kinds` for the user's own clients (all clients for a superuser), or for one
    `client` of theirs: emergencies first, then other red flags, then review and pain, then the
    rest, each newest first. `red_flags` are the attention records shown (default: the user's
    open ones)."""
    now = timezone.now()
    rows = []
    if Kind.RED_FLAG in kinds:
        if red_flags is None:
            red_flags = Attention.objects.of(user).open()
        rows += red_flag_rows(_of_client(red_flags, "client", client))
    if Kind.REVIEW in kinds:
        rows += review_rows(_own(Item.objects.all(), "block__program__client", user, client))
    if Kind.PAIN in kinds:
        rows += pain_rows(_own(Item.objects.all(), "block__program__client", user, client), now)
    program_kinds = {Kind.NO_SESSION, Kind.SCREENING_DUE, Kind.ENDING} & set(kinds)
    if program_kinds:
        programs = _own(Program.objects.all(), "client", user, client)
        rows += [row for row in program_rows(programs, now) if row.kind in program_kinds]
    rows.sort(key=lambda row: row.since, reverse=True)
    rows.sort(key=lambda row: SEVERITY_RANK[row.severity])
    return rows


def _of_client(queryset: QuerySet, path: str, client: Client | None) -> QuerySet:
    return queryset if client is None else queryset.filter(**{path: client})


def _own(queryset: QuerySet, path: str, user, client: Client | None) -> QuerySet:
    """Rows of the user's own clients (every client's for a superuser)."""
    if not user.is_superuser:
        queryset = queryset.filter(**{f"{path}__therapist": user})
    return _of_client(queryset, path, client)


def red_flag_rows(attentions: QuerySet[Attention]) -> list[Row]:
    """Present red flags, each resolved on its attention record by a recorded reason."""
    rows = []
    for attention in attentions.select_related("client", "cleared_by").prefetch_related(
        "red_flags"
    ):
        flags = "; ".join(flag.text for flag in attention.red_flags.all())
        if attention.cleared_at is not None:
            text = (
                f"Red flag from a {attention.source}: {flags}. Cleared on "
                f"{_day(attention.cleared_at)}: {attention.clearance_reason}"
            )
        elif attention.is_emergency:
            text = (
                f"Emergency red flag from a {attention.source}: {flags}. Active programs are "
                "paused: contact the client now, then record why they may go on."
            )
        else:
            text = (
                f"Red flag from a {attention.source}: {flags}. Programs go on; record why the "
                "client may continue."
            )
        rows.append(
            Row(
                kind=Kind.RED_FLAG,
                severity=Severity.EMERGENCY if attention.is_emergency else Severity.RED_FLAG,
                client=attention.client,
                program=None,
                text=text,
                since=attention.raised_at,
                admin_url=reverse("admin:safety_attention_change", args=[attention.pk]),
                attention=attention,
            )
        )
    return rows


def _items_shown(items: QuerySet[Item]) -> QuerySet[Item]:
    """With their program and client, and the lowest pain threshold of their "when ready"
    rules (None without one)."""
    gated = ProgressionRule.objects.filter(
        item=OuterRef("pk"), trigger=ProgressionRule.Trigger.GATED
    )
    return items.select_related("exercise", "block__program__client").annotate(
        threshold=Subquery(gated.order_by("pain_threshold").values("pain_threshold")[:1]),
    )


def review_rows(items: QuerySet[Item]) -> list[Row]:
    """Items marked for review, with the newest log that marked them: logging pain above
    REVIEW_PAIN (or symptoms spreading) marks an item (logbook.session_logging), so such pain
    is said here and never again as a pain row."""
    marking = ExerciseLog.objects.filter(
        Q(pain__gt=REVIEW_PAIN) | Q(session__symptoms_spread=True), item=OuterRef("pk")
    ).order_by("-session__performed_at", "-id")
    items = _items_shown(
        items.filter(
            needs_review=True,
            block__program__status__in=[Program.Status.ACTIVE, Program.Status.PAUSED],
        )
    ).annotate(
        marked_at=Subquery(marking.values("session__performed_at")[:1]),
        marked_pain=Subquery(marking.values("pain")[:1]),
    )
    rows = []
    for item in items:
        program = item.block.program
        if item.marked_at is None:  # marked by hand
            text = f"{item.exercise} is marked for review."
        elif (item.marked_pain or 0) > REVIEW_PAIN:
            text = (
                f"{item.exercise} is marked for review: pain {item.marked_pain}/10 logged on "
                f"{_day(item.marked_at)}, above {REVIEW_PAIN}/10."
            )
        else:
            text = (
                f"{item.exercise} is marked for review: symptoms spread further down the leg "
                f"on {_day(item.marked_at)}."
            )
        if item.threshold is not None:
            text += " Its “when ready” rises wait until you clear the mark."
        rows.append(
            Row(
                kind=Kind.REVIEW,
                severity=Severity.REVIEW,
                client=program.client,
                program=program,
                text=text,
                since=item.marked_at or program.updated_at,
                admin_url=_program_page(program),
                item=item,
            )
        )
    return rows


def pain_rows(items: QuerySet[Item], now: datetime) -> list[Row]:
    """Items of active programs with pain logged in the last week above the lowest pain
    threshold of their "when ready" rules, which then hold. Pain above REVIEW_PAIN is left out:
    it marked the item for review (a review row) or the therapist has cleared that mark."""
    painful = ExerciseLog.objects.filter(
        item=OuterRef("pk"),
        session__performed_at__gte=now - RECENT_PAIN,
        pain__gt=OuterRef("threshold"),
        pain__lte=REVIEW_PAIN,
    ).order_by("-pain", "-session__performed_at", "-id")
    items = (
        _items_shown(items.filter(needs_review=False, block__program__status=Program.Status.ACTIVE))
        .filter(threshold__lt=REVIEW_PAIN)
        .annotate(
            logged_pain=Subquery(painful.values("pain")[:1]),
            logged_at=Subquery(painful.values("session__performed_at")[:1]),
        )
        .filter(logged_pain__isnull=False)
    )
    rows = []
    for item in items:
        program = item.block.program
        rows.append(
            Row(
                kind=Kind.PAIN,
                severity=Severity.REVIEW,
                client=program.client,
                program=program,
                text=(
                    f"{item.exercise}: pain {item.logged_pain}/10 logged on "
                    f"{_day(item.logged_at)}, above the {item.threshold}/10 its “when ready” "
                    "rises allow, so they wait."
                ),
                since=item.logged_at,
                admin_url=_program_page(program),
                item=item,
            )
        )
    return rows


def program_rows(programs: QuerySet[Program], now: datetime) -> list[Row]:
    """Active programs with no session for a week, whose client's newest screening is out of
    date, or whose last day is within the next week (or past while still active)."""
    last_session = Session.objects.filter(program=OuterRef("pk")).order_by("-performed_at")
    newest_screening = Screening.objects.filter(client=OuterRef("client")).order_by("-performed_at")
    programs = (
        programs.filter(status=Program.Status.ACTIVE, client__isnull=False)
        .select_related("client")
        .annotate(
            last_session_at=Subquery(last_session.values("performed_at")[:1]),
            screened_at=Subquery(newest_screening.values("performed_at")[:1]),
        )
    )
    today = timezone.localdate(now)
    rows = []
    for program in programs:
        found = (
            _no_session(program, now, today),
            _screening_due(program, now, today),
            _ending(program, today),
        )
        rows += [row for row in found if row is not None]
    return rows


def _routine(program: Program, kind: Kind, text: str, since: datetime, admin_url: str) -> Row:
    return Row(kind, Severity.ROUTINE, program.client, program, text, since, admin_url)


def _no_session(program: Program, now: datetime, today: date) -> Row | None:
    """Counted from the last session, or from the start while there is none."""
    if program.start_date is None or program.start_date > today:
        return None
    quiet_since = program.last_session_at or _midnight(program.start_date)
    if quiet_since >= now - QUIET:
        return None
    days = (today - timezone.localdate(quiet_since)).days
    if program.last_session_at is None:
        text = f"No session logged since the program started on {_day(quiet_since)} ({days} days)."
    else:
        text = f"No session logged since {_day(quiet_since)} ({days} days)."
    return _routine(program, Kind.NO_SESSION, text, quiet_since + QUIET, _program_page(program))


def _screening_due(program: Program, now: datetime, today: date) -> Row | None:
    """Screened on the client's page; a program is activated only after a recent screening
    (or with an override), which goes out of date while the program runs."""
    client_page = reverse("admin:clients_client_change", args=[program.client_id])
    counts = f"a screening counts for {SCREENING_VALID_DAYS} days"
    if program.screened_at is None:
        text = f"Never screened: screen the client ({counts})."
        since = program.activated_at or program.created_at
        return _routine(program, Kind.SCREENING_DUE, text, since, client_page)
    if program.screened_at >= now - SCREENING_VALID:
        return None
    days = (today - timezone.localdate(program.screened_at)).days
    text = (
        f"Last screened on {_day(program.screened_at)}, {days} days ago: screen again ({counts})."
    )
    since = program.screened_at + SCREENING_VALID
    return _routine(program, Kind.SCREENING_DUE, text, since, client_page)


def _ending(program: Program, today: date) -> Row | None:
    """Week N is days 7(N-1) to 7N-1 from the start, so the program ends at start + 7 x weeks."""
    if program.start_date is None:
        return None
    ends = program.start_date + timedelta(weeks=program.weeks)
    if ends > today + ENDING:
        return None
    last_day = ends - timedelta(days=1)
    if last_day < today:
        text = (
            f"Its last day was {_day(last_day)} and it is still active: complete it or plan "
            "what comes next."
        )
    else:
        text = (
            f"Week {program.weeks} of {program.weeks} ends on {_day(last_day)}: plan what's next."
        )
    return _routine(program, Kind.ENDING, text, _midnight(ends - ENDING), _program_page(program))


def _program_page(program: Program) -> str:
    return reverse("admin:programs_program_change", args=[program.pk])


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _day(moment: date | datetime) -> str:
    if isinstance(moment, datetime):
        moment = timezone.localdate(moment)
    return date_format(moment, "D j M Y")
