"""The therapist's three everyday admin pages cost a fixed number of queries, whatever a client,
a program or a caseload holds: the client's page, the program builder and the home page (what
needs attention). Each is measured at two sizes with the same count."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Item, Program
from programs.seeding import seed_library
from programs.services import program_copy
from tests.factories import (
    BlockFactory,
    ClientFactory,
    ExerciseLogFactory,
    ItemFactory,
    ProgramFactory,
    ProgressionRuleFactory,
    ScreeningFactory,
    SessionFactory,
)
from tests.safety.test_attention import many, raise_flag

pytestmark = pytest.mark.django_db

CHARTS = {
    "1 program, 1 session": {"programs": 1, "sessions": 1, "screenings": 1, "red_flags": 1},
    "5 programs, 20 sessions": {"programs": 5, "sessions": 20, "screenings": 5, "red_flags": 3},
}
CLIENT_PAGE = 18
"""The session, the user, their permissions (2), the client with its summary, the followed
programs with their cache state, the screenings with their client, answers and flags (3), the
programs, the audit record, the open red flags and their flags (2), the templates to copy from
(2: Django's select asks for its first choice apart), the recent sessions, their entries and
exercises (3)."""
BUILDER_PAGE = 19
"""The session, the user, their permissions (2), the program (4: the page's object, the form's
check, the plan and the audit record's), its client (2), and its blocks, items with their
exercises and rules, read once for the form and once for the plan (6)."""
ADHERENCE_BUILT = 4
"""The programs' weeks, their each-side items, those items' logs, and the items for review."""
HOME_PAGE = 12
"""The session, the user, whether they are a therapist, the attention list (5: the red flags
and their flags, the items for review, the items in pain, the programs), the audit record, the
user's permissions for the list of apps (2) and their recent actions."""


def chart_of(therapist, *, programs: int, sessions: int, screenings: int, red_flags: int):
    """A client with a red flag to clear, screenings, followed programs (the newest active, the
    rest completed) with an item marked for review, and sessions spread over them."""
    client = ClientFactory(therapist=therapist)
    for days in range(screenings):
        ScreeningFactory(client=client, performed_at=timezone.now() - timedelta(days=days))
    for _ in range(red_flags):
        raise_flag(client, emergency=False)
    started = timezone.localdate() - timedelta(weeks=4)
    items = []
    for number in range(programs):
        status = Program.Status.ACTIVE if number == 0 else Program.Status.COMPLETED
        program = ProgramFactory(owner=therapist, client=client, status=status, start_date=started)
        items.append(ItemFactory(block__program=program, needs_review=True))
    for number in range(sessions):
        item = items[number % programs]
        session = SessionFactory(
            program=item.block.program, performed_at=timezone.now() - timedelta(days=number)
        )
        ExerciseLogFactory(session=session, item=item, side=("left", "right")[number % 2])
    return client


def client_page(client) -> str:
    return reverse("admin:clients_client_change", args=[client.pk])


@pytest.mark.parametrize("size", CHARTS)
def test_the_client_page(admin_as_therapist, therapist, django_assert_num_queries, size):
    """As the therapist reads it again: each program's adherence is cached until its next change
    or logged session."""
    client = chart_of(therapist, **CHARTS[size])
    admin_as_therapist.get(client_page(client))
    with django_assert_num_queries(CLIENT_PAGE):
        response = admin_as_therapist.get(client_page(client))
    html = response.content.decode()
    assert html.count("Adherence: ") == CHARTS[size]["programs"]
    assert html.count("Red flag to clear") == CHARTS[size]["red_flags"]


@pytest.mark.parametrize("size", CHARTS)
def test_the_client_page_on_a_cold_cache(
    admin_as_therapist, therapist, django_assert_num_queries, size
):
    """The first read after a session is logged (which renews the program's cache entries):
    every followed program's adherence is built together (logbook.adherence.adherence_data)."""
    client = chart_of(therapist, **CHARTS[size])
    with django_assert_num_queries(CLIENT_PAGE + ADHERENCE_BUILT):
        response = admin_as_therapist.get(client_page(client))
    assert response.content.decode().count("Adherence: ") == CHARTS[size]["programs"]


def builder_of(therapist, *, extra_blocks: int) -> Program:
    """The seeded template copied for a client, with `extra_blocks` more blocks of five items,
    each with a rule."""
    template = Program.objects.get(slug="sciatic-nerve-pain-six-movement-tools")
    program = program_copy(
        program=template, client=ClientFactory(therapist=therapist), by=therapist
    )
    for block_number in range(extra_blocks):
        block = BlockFactory(program=program, position=10 + block_number)
        for position in range(5):
            ProgressionRuleFactory(item=ItemFactory(block=block, position=position))
    return program


@pytest.mark.parametrize("extra_blocks", [0, 4])
def test_the_builder_page(admin_as_therapist, therapist, django_assert_num_queries, extra_blocks):
    """The seeded template as copied for a client, and with four more blocks of five items."""
    seed_library()
    program = builder_of(therapist, extra_blocks=extra_blocks)
    page = reverse("admin:programs_program_change", args=[program.pk])
    admin_as_therapist.get(page)
    with django_assert_num_queries(BUILDER_PAGE):
        response = admin_as_therapist.get(page)
    picker = r'<select name="[^"]*-exercise"[^>]*>\s*<option value="(\d+)" selected>'
    pickers = re.findall(picker, response.content.decode())
    items = Item.objects.filter(block__program=program)
    assert sorted(map(int, pickers)) == sorted(items.values_list("exercise", flat=True))


@pytest.mark.parametrize("clients,sessions", [(1, 1), (6, 5)])
def test_the_home_page(admin_as_therapist, therapist, django_assert_num_queries, clients, sessions):
    """Every kind of row for each client (tests.safety.test_attention.many), and more sessions
    logged on each program."""
    many(therapist, clients)
    for item in Item.objects.filter(block__program__owner=therapist, needs_review=False):
        for days in range(2, 1 + sessions):
            session = SessionFactory(
                program=item.block.program, performed_at=timezone.now() - timedelta(days=days)
            )
            ExerciseLogFactory(session=session, item=item, pain=1)
    with django_assert_num_queries(HOME_PAGE):
        response = admin_as_therapist.get(reverse("admin:index"))
    assert f"What needs your attention ({5 * clients})" in response.content.decode()
