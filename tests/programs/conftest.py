import pytest

from programs import printing
from programs.models import Program
from programs.seeding import seed_library
from programs.services import program_activate, program_copy
from tests.factories import ClientFactory, UserFactory


def template_copy(therapist, *, activate: bool = True) -> Program:
    """The seeded template copied to a new client of `therapist` with an app account, and
    activated unless asked otherwise."""
    seed_library()
    client = ClientFactory(therapist=therapist, user=UserFactory())
    template = Program.objects.get(slug="sciatic-nerve-pain-six-movement-tools")
    copy = program_copy(program=template, client=client, by=therapist)
    if not activate:
        return copy
    return program_activate(program=copy, by=therapist, override_reason="Medical clearance")


@pytest.fixture
def renders(monkeypatch) -> list:
    """Each PDF document rendered while the test runs."""
    rendered = []
    real_render = printing.render_pdf
    monkeypatch.setattr(
        printing, "render_pdf", lambda doc: rendered.append(doc) or real_render(doc)
    )
    return rendered
