from rest_framework import permissions

from .roles import is_therapist


class IsTherapist(permissions.BasePermission):
    message = "Only therapists can do this."

    def has_permission(self, request, view):
        return is_therapist(request.user)


class TherapistWrites(permissions.BasePermission):
    """Anyone signed in reads; only therapists write."""

    message = "Only therapists can do this."
    reads_open_to_signed_in = True

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or is_therapist(request.user)


class OwnerWrites(permissions.BasePermission):
    """Only the owner (or a superuser) changes an object; shared objects (no owner) are read-only.

    Objects the caller may not see at all are filtered out of the queryset, so they answer 404.
    Actions listed in the view's `reading_actions` (e.g. copying a template) count as reads.
    """

    message = "Only its owner can change this; shared entries are read-only."
    reads_open_to_signed_in = True

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS or request.user.is_superuser:
            return True
        if view.action in getattr(view, "reading_actions", ()):
            return True
        return obj.owner_id == request.user.id
