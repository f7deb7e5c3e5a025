"""`audit_export` writes the trail of whole days, one client's or everyone's, as JSON Lines or
CSV, oldest first."""

import csv
import io
import json
from datetime import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEvent
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def event(at: str, client=None, action="read:retrieve") -> AuditEvent:
    moment = timezone.make_aware(datetime.fromisoformat(at))
    return AuditEvent.objects.create(
        at=moment,
        username="maria",
        action=action,
        object_type="client" if client else "",
        object_id=str(client.pk) if client else "",
        client=client,
        path="/api/v1/clients/",
        status_code=200,
    )


def export(*args) -> str:
    out = io.StringIO()
    call_command("audit_export", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def trail():
    ana, ben = ClientFactory(), ClientFactory()
    return {
        "before": event("2026-03-31T23:59:59", ana),
        "first": event("2026-04-01T00:00:00", ana),
        "other": event("2026-04-02T12:00:00", ben, action="change:partial_update"),
        "last": event("2026-04-03T23:59:59", ana),
        "after": event("2026-04-04T00:00:00", ana),
        "ana": ana,
    }


def test_json_lines_cover_whole_days_oldest_first(trail):
    lines = export("--since", "2026-04-01", "--until", "2026-04-03").splitlines()
    records = [json.loads(line) for line in lines]
    assert [record["id"] for record in records] == [
        trail["first"].pk,
        trail["other"].pk,
        trail["last"].pk,
    ]
    assert records[1]["action"] == "change:partial_update"
    assert records[1]["client_id"] == trail["other"].client_id
    assert datetime.fromisoformat(records[0]["at"]) == trail["first"].at


def test_one_clients_records(trail):
    lines = export("--since", "2026-04-01", "--until", "2026-04-03", "--client", trail["ana"].pk)
    ids = [json.loads(line)["id"] for line in lines.splitlines()]
    assert ids == [trail["first"].pk, trail["last"].pk]


def test_csv_has_a_header_and_one_row_per_record(trail):
    text = export("--since", "2026-04-02", "--until", "2026-04-02", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    assert rows[0]["id"] == str(trail["other"].pk)
    assert rows[0]["username"] == "maria"
    assert rows[0]["path"] == "/api/v1/clients/"


def test_until_defaults_to_today(trail):
    assert len(export("--since", "2026-04-01").splitlines()) == 4


def test_a_file_can_be_written(trail, tmp_path):
    target = tmp_path / "trail.jsonl"
    call_command(
        "audit_export", "--since", "2026-04-04", "--output", str(target), stderr=io.StringIO()
    )
    [line] = target.read_text().splitlines()
    assert json.loads(line)["id"] == trail["after"].pk


@pytest.mark.parametrize(
    "args, message",
    [
        (["--since", "April"], "not a date"),
        (["--since", "2026-04-02", "--until", "2026-04-01"], "before --since"),
    ],
)
def test_bad_dates_are_refused(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("audit_export", *args)


def test_since_is_required():
    with pytest.raises(CommandError, match="--since"):
        call_command("audit_export")
