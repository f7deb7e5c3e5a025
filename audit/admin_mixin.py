"""Admin pages that show or change client data leave their records in the audit trail."""

from functools import wraps
from http import HTTPStatus

from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied

from . import trail


def named(func, name):
    """An admin action that leaves its name on the request, for the records of what it does."""

    @wraps(func)
    def run(modeladmin, request, queryset):
        request.audited_action = name.replace("_", "-")
        return func(modeladmin, request, queryset)

    return run


class AuditedAdminMixin:
    """Every admin page that shows a client's data, and every admin write of it, goes into the
    audit trail as "<read|change|denied>:admin", or "...:admin-<page or action>" for any page but
    the change page (README, "Audit.").

    Pages are recorded once answered. An object's page (change, history, delete) is a read of
    the object the admin looked up for this request (kept on the request: admin instances are
    shared between requests); it is denied when that id is outside the user's scope (the admin
    redirects with "doesn't exist") or the admin refuses (403). The change list, and an action's
    own page, is a read of a listing: the kind of object, no id.

    Writes are recorded where the admin keeps its own history, in log_addition, log_change and
    log_deletions, which the actions call as well: after a save and before a delete, inside the
    same transaction, so the record has the row's id and client and a rolled-back save leaves
    none. The admin answers a completed write with a redirect (or, in a popup, a page), so
    that is the status recorded.
    """

    def get_object(self, request, object_id, from_field=None):
        request.audited_object = super().get_object(request, object_id, from_field)
        return request.audited_object

    def get_actions(self, request):
        return {
            name: (named(func, name), name, description)
            for name, (func, _, description) in super().get_actions(request).items()
        }

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == HTTPStatus.OK:
            listing = trail.Target.asked(self.model)
            self.audit_record(request, "read", "list", listing, response.status_code)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        view = super().change_view
        return self.object_page(request, object_id, "", view, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        view = super().history_view
        return self.object_page(request, object_id, "history", view, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        view = super().delete_view
        return self.object_page(request, object_id, "delete", view, extra_context)

    def object_page(self, request, object_id, page, view, *args):
        request.audited_object = None
        asked = trail.Target.asked(self.model, unquote(object_id))
        try:
            response = view(request, object_id, *args)
        except PermissionDenied:
            self.audit_record(request, "denied", page, asked, HTTPStatus.FORBIDDEN)
            raise
        obj = request.audited_object
        if obj is None:
            self.audit_record(request, "denied", page, asked, response.status_code)
        elif response.status_code == HTTPStatus.OK:
            self.audit_record(request, "read", page, trail.Target.of(obj), response.status_code)
        return response

    def log_addition(self, request, obj, message):
        self.audit_writes(request, "add", [obj])
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self.audit_writes(request, "", [obj])
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        self.audit_writes(request, "delete", queryset)
        return super().log_deletions(request, queryset)

    def audit_writes(self, request, page, objs):
        status = HTTPStatus.OK if IS_POPUP_VAR in request.POST else HTTPStatus.FOUND
        for obj in objs:
            self.audit_record(request, "change", page, trail.Target.of(obj), status)

    def audit_record(self, request, verb, page, target, status_code):
        """An action's name, when one runs, stands for the page it was started from."""
        name = getattr(request, "audited_action", None) or page
        trail.record(
            request,
            action=f"{verb}:admin-{name}" if name else f"{verb}:admin",
            target=target,
            status_code=status_code,
        )
