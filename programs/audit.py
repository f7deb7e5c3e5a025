"""The audit trail of client data: every read or change, by whom, from where.

A change is written at once. Reads, most of the traffic, are written in batches: a worker
process keeps them until AUDIT_READ_BATCH have gathered or the oldest is AUDIT_READ_SECONDS
old (a timer writes out a quiet worker's), and writes them out when it exits. A worker that is
killed outright loses at most that batch; AUDIT_READ_BATCH = 1 writes every read at once.
"""

import atexit
import threading

from django.conf import settings
from django.db import connections
from rest_framework.permissions import SAFE_METHODS

from .models import AuditEvent, Client


class ReadLog:
    """This process's reads that are not written yet."""

    def __init__(self):
        self.events: list[AuditEvent] = []
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None

    def add(self, event: AuditEvent) -> None:
        with self.lock:
            self.events.append(event)
            full = len(self.events) >= settings.AUDIT_READ_BATCH
            if not full and self.timer is None:
                self.timer = threading.Timer(settings.AUDIT_READ_SECONDS, self.flush_from_timer)
                self.timer.daemon = True
                self.timer.start()
        if full:
            self.flush()

    def flush(self) -> None:
        with self.lock:
            events, self.events = self.events, []
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
        if events:
            AuditEvent.objects.bulk_create(events)

    def flush_from_timer(self) -> None:
        try:
            self.flush()
        finally:
            connections.close_all()  # the timer's own connections


reads = ReadLog()
atexit.register(reads.flush)


def client_of(obj) -> Client | None:
    if isinstance(obj, Client):
        return obj
    return getattr(obj, "client", None)


def record(request, *, action: str, obj=None, client=None, status_code: int) -> None:
    """Adds an event; `action` starts with "read:" or "change:"."""
    user = request.user if request.user.is_authenticated else None
    event = AuditEvent(
        user=user,
        username=user.get_username() if user else "",
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        client=client if client is not None else client_of(obj),
        ip=request.META.get("REMOTE_ADDR") or None,
        request_id=getattr(request, "id", ""),
        path=request.get_full_path()[:300],
        status_code=status_code,
    )
    if action.startswith("read:"):
        reads.add(event)
    else:
        event.save()


class AuditedViewMixin:
    """Records each successful request of a viewset that serves client data.

    The object is the one `get_object` found (or `audited_object` set by a create); lists record
    the caller and the path.
    """

    audited_object = None

    def get_object(self):
        self.audited_object = super().get_object()
        return self.audited_object

    def audited_client(self):
        return None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.user.is_authenticated and response.status_code < 400:
            verb = "read" if request.method in SAFE_METHODS else "change"
            record(
                request,
                action=f"{verb}:{getattr(self, 'action', None) or request.method.lower()}",
                obj=self.audited_object,
                client=self.audited_client(),
                status_code=response.status_code,
            )
        return response
