"""Admin plumbing the apps share."""

from django.contrib import admin


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
