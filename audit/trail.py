"""The audit trail of client data: every read or change, by whom, from where.

Every record is committed before the answer is sent, so a worker killed right after answering
has lost none; a change's record in the change's own transaction, so the two commit together.

Actions are "<verb>:<what>": "read:" and "change:" for what was served, "denied:" for a signed-in
caller refused (an API 403 or 404; the admin's 403 or "doesn't exist" redirect). A denied record
names the object asked for (its kind and the id in the URL) but links no client: the refusal
looks up nothing beyond the caller's own scope, and an id that exists nowhere has no client.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from rest_framework.permissions import SAFE_METHODS

from accounts.client_address import client_ip

from .models import AuditEvent


@dataclass(frozen=True)
class Target:
    """What a request read or changed: the kind of object, its id and whose data it is."""

    kind: str
    id: str
    client_id: int | None

    @classmethod
    def of(cls, obj) -> "Target":
        return cls(type(obj).__name__.lower(), str(obj.pk), getattr(obj, "client_id", None))

    @classmethod
    def asked(cls, model, object_id=None) -> "Target":
        """What a caller asked for, as named by the URL: a list has no id; never a client."""
        kind = model.__name__.lower() if model is not None else ""
        return cls(kind, "" if object_id is None else str(object_id), None)


OBJECT_ID_LENGTH = AuditEvent._meta.get_field("object_id").max_length


def record(
    request, *, action: str, target: Target | None = None, client_id=None, status_code: int
) -> None:
    """Adds an event; `action` starts with "read:", "change:" or "denied:". An id from a URL is
    cut to the column's length, as the path is: any text can be asked for."""
    user = request.user if request.user.is_authenticated else None
    AuditEvent.objects.create(
        at=timezone.now(),
        user_id=user.pk if user else None,
        username=user.get_username() if user else "",
        action=action,
        object_type=target.kind if target else "",
        object_id=target.id[:OBJECT_ID_LENGTH] if target else "",
        client_id=client_id or (target.client_id if target else None),
        ip=client_ip(request),
        request_id=getattr(request, "id", ""),
        path=request.get_full_path()[:300],
        status_code=status_code,
    )


class AuditedViewMixin:
    """Records each successful request of a view that serves client data, and each one refused
    with 403 or 404 (as "denied:<action>").

    A change's record is written in the change's own transaction (a write and its record commit
    together, or neither does); a read's, and a refusal's, on its own before the answer is sent.
    The object is the one `get_object` found (or `audited_object` set by a create); lists record
    the caller and the path.
    """

    audited_action: str | None = None
    """The action's name in the record where the view has no `action` (not a viewset)."""
    audited_object = None
    denied_statuses = (403, 404)

    def get_object(self):
        self.audited_object = super().get_object()
        return self.audited_object

    def audited(self) -> Target | None:
        return Target.of(self.audited_object) if self.audited_object is not None else None

    def audited_client_id(self) -> int | None:
        return None

    def asked(self) -> Target:
        """What a refused request named: the viewset's model and the id in its URL."""
        model = getattr(getattr(self, "queryset", None), "model", None)
        lookup = getattr(self, "lookup_url_kwarg", None) or getattr(self, "lookup_field", "pk")
        return Target.asked(model, getattr(self, "kwargs", {}).get(lookup))

    def dispatch(self, request, *args, **kwargs):
        if request.method in SAFE_METHODS:
            response = super().dispatch(request, *args, **kwargs)
            self.audit(response)
            return response
        with transaction.atomic():  # an error answer has rolled the change back by now
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code < 400:
                self.audit(response)
        if response.status_code >= 400:
            self.audit(response)
        return response

    def audit(self, response) -> None:
        request = self.request
        # Only a request whose authentication ran has `_user`; reading request.user here would
        # authenticate anew, and a bad token would then raise out of an error answer (a 500).
        user = getattr(request, "_user", None)
        if user is None or not user.is_authenticated:
            return
        name = self.audited_action or getattr(self, "action", None) or request.method.lower()
        if response.status_code < 400:
            verb = "read" if request.method in SAFE_METHODS else "change"
            record(
                request,
                action=f"{verb}:{name}",
                target=self.audited(),
                client_id=self.audited_client_id(),
                status_code=response.status_code,
            )
        elif response.status_code in self.denied_statuses:
            record(
                request,
                action=f"denied:{name}",
                target=self.asked(),
                status_code=response.status_code,
            )
