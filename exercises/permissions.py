from rest_framework import permissions

from ptbuilder.roles import is_therapist


class TherapistWritesOwn(permissions.BasePermission):
    """Anyone signed in reads; therapists create; only the owner (or a superuser) changes.

    The shared library (no owner) is read-only for everyone but superusers. Objects the caller
    may not see at all are already filtered out of the queryset, so they answer 404.
    """

    message = "Only the therapist who owns this exercise can change it."

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or is_therapist(request.user)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS or request.user.is_superuser:
            return True
        return obj.owner_id == request.user.id
