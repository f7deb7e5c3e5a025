"""The audit trail of client data: every read or change, by whom, from where."""

from rest_framework.permissions import SAFE_METHODS

from .models import AuditEvent, Client


def client_of(obj) -> Client | None:
    if isinstance(obj, Client):
        return obj
    return getattr(obj, "client", None)


def record(request, *, action: str, obj=None, client=None, status_code: int) -> AuditEvent:
    user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
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
