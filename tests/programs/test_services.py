"""Writes that start from a program read earlier in the request must not undo newer changes."""

import pytest

from programs import services
from programs.models import Program
from tests.factories import BlockFactory, ItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stale():
    """A program as read at the start of a request, changed by another request since."""
    program = ProgramFactory(title="First")
    ItemFactory(block=BlockFactory(program=program))
    stale = Program.objects.get(pk=program.pk)
    Program.objects.filter(pk=program.pk).update(title="Renamed meanwhile", version=2)
    return stale


def test_an_update_keeps_fields_changed_since_the_read(stale):
    services.program_update(program=stale, data={"notes": "Ice after."})
    program = Program.objects.get(pk=stale.pk)
    assert (program.title, program.notes, program.version) == ("Renamed meanwhile", "Ice after.", 3)


def test_an_update_does_not_undo_an_activation_since_the_read(stale):
    Program.objects.filter(pk=stale.pk).update(status="active", version=3)
    services.program_update(program=stale, data={"notes": "Ice after."})
    program = Program.objects.get(pk=stale.pk)
    assert (program.status, program.version) == ("active", 4)


def test_an_activation_keeps_fields_changed_since_the_read(stale):
    services.program_activate(program=stale, by=stale.owner, override_reason="Cleared by GP.")
    program = Program.objects.get(pk=stale.pk)
    assert (program.title, program.status, program.version) == ("Renamed meanwhile", "active", 3)
    assert program.activated_by == stale.owner


def test_an_update_with_blocks_writes_them_under_the_lock(stale):
    services.program_update(program=stale, data={"blocks": []})
    program = Program.objects.get(pk=stale.pk)
    assert (program.title, program.version, program.blocks.count()) == ("Renamed meanwhile", 3, 0)
