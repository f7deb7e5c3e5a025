"""`audit_export --since DATE [--until DATE] [--client ID] [--format jsonl|csv]`: the trail for
a compliance review, oldest first, on standard output (or --output FILE)."""

import csv
import json
from datetime import date, datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.models import AuditEvent

COLUMNS = [
    "id",
    "at",
    "user_id",
    "username",
    "action",
    "object_type",
    "object_id",
    "client_id",
    "ip",
    "request_id",
    "path",
    "status_code",
]


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from error


def start_of(value: date) -> datetime:
    return timezone.make_aware(datetime.combine(value, time.min))


def rows(events):
    for event in events.values_list(*COLUMNS).iterator(chunk_size=2000):
        row = dict(zip(COLUMNS, event, strict=True))
        row["at"] = row["at"].isoformat()
        yield row


class Command(BaseCommand):
    help = "Write the audit trail from --since through --until (whole days, local time)."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, type=day, help="First day, YYYY-MM-DD.")
        parser.add_argument("--until", type=day, help="Last day, included; default: today.")
        parser.add_argument("--client", type=int, help="Only the records of this client's data.")
        parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
        parser.add_argument("--output", help="A file to write; default: standard output.")

    def handle(self, *args, since, until, client, format, output, **options):
        until = until or timezone.localdate()
        if until < since:
            raise CommandError("--until is before --since.")
        events = AuditEvent.objects.filter(
            at__gte=start_of(since), at__lt=start_of(until + timedelta(days=1))
        ).order_by("at", "id")
        if client is not None:
            events = events.filter(client_id=client)
        if output:
            with open(output, "w", newline="", encoding="utf-8") as stream:
                written = self.write(events, format, stream)
            self.stderr.write(f"{written} records written to {output}.")
        else:
            self.write(events, format, self.stdout)

    def write(self, events, format: str, stream) -> int:
        written = 0
        writer = csv.DictWriter(stream, fieldnames=COLUMNS) if format == "csv" else None
        if writer:
            writer.writeheader()
        for row in rows(events):
            if writer:
                writer.writerow(row)
            else:
                stream.write(json.dumps(row, ensure_ascii=False) + "\n")
            written += 1
        return written
