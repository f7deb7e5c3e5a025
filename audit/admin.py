"""The audit trail, for superusers' eyes only."""

from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail: only superusers read it, nobody changes or deletes it."""

    list_display = ["at", "username", "action", "object_type", "object_id", "client", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_id", "request_id", "path"]
    list_select_related = ["client"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
