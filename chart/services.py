"""Writes started from the client's page."""

from clients.models import Client
from programs.models import Program
from programs.services import program_copy

TITLE_LENGTH = Program._meta.get_field("title").max_length


def title_for(template: Program, client: Client) -> str:
    """The template's title and the client's name, within the column: the template's part is
    cut first, so the name always shows."""
    suffix = f" – {client}"
    return f"{template.title[: max(TITLE_LENGTH - len(suffix), 0)]}{suffix}"[:TITLE_LENGTH]


def program_from_template(*, template: Program, client: Client, by) -> Program:
    """A new draft for the client copied from the template, named for them: program lists
    show titles, and every copy of one template would otherwise read the same."""
    return program_copy(program=template, client=client, by=by, title=title_for(template, client))
