"""What the client, screening and program pages share."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q

from ptbuilder.roles import THERAPISTS_GROUP

from .. import audit


def therapists():
    """Accounts that may own clients and programs."""
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=THERAPISTS_GROUP))
        .distinct()
    )


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on a parent's page, never added, changed or removed there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdminMixin:
    """Opening or saving a client's record in the admin goes into the audit trail too.

    The object is the one the admin already looked up for this request (kept on the request:
    admin instances are shared between requests).
    """

    def get_object(self, request, object_id, from_field=None):
        request.audited_object = super().get_object(request, object_id, from_field)
        return request.audited_object

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(request, "audited_object", None)
        if obj is not None and response.status_code < 400:
            verb = "change" if request.method == "POST" else "read"
            audit.record(
                request,
                action=f"{verb}:admin",
                target=audit.Target.of(obj),
                status_code=response.status_code,
            )
        return response
