"""The client's chart, the therapist's page for one client: the record, screenings, programs,
recent sessions, the adherence summary and the items to review.

It brings the other apps together (clients, programs, logbook), so it lives above them all.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Exists, OuterRef
from django.utils.html import format_html

from accounts.roles import therapists
from audit.admin_mixin import AuditedAdminMixin
from clients.models import Client
from exercises.admin import ArchivedFilter
from logbook.adherence import client_adherence
from programs.models import Program
from ptbuilder.admin_inlines import ReadOnlyInline
from safety.admin import ClientScreeningInline
from safety.models import Attention

RECENT_SESSIONS = 10
ALERT = '<strong style="color: {}">{}</strong>'


class ClientProgramInline(ReadOnlyInline):
    """The client's programs; each is edited on its own page."""

    model = Program
    fk_name = "client"
    fields = ["title", "status", "version", "start_date", "updated_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Client)
class ClientAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """A therapist's own clients; the therapist is the one who adds them.

    The client's page also shows recent sessions, the adherence summary and items to review.
    """

    list_display = ["name", "attention", "email", "units", "is_archived"]
    list_filter = [ArchivedFilter, "units"]
    search_fields = ["first_name", "last_name", "email"]
    raw_id_fields = ["user"]
    inlines = [ClientScreeningInline, ClientProgramInline]

    @admin.display(description="name", ordering="last_name")
    def name(self, client):
        return str(client)

    @admin.display(description="attention")
    def attention(self, client):
        """Open red flags, said where the day's list is read."""
        if client.open_emergencies:
            return format_html(ALERT, "#ba2121", "EMERGENCY: programs paused")
        if client.open_flags:
            return format_html(ALERT, "#b36b00", "Red flag to clear")
        return ""

    def get_queryset(self, request):
        open_items = Attention.objects.open().filter(client=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .of(request.user)
            .select_related("therapist")
            .annotate(
                open_flags=Exists(open_items),
                open_emergencies=Exists(open_items.filter(is_emergency=True)),
            )
        )

    def get_list_display(self, request):
        if request.user.is_superuser:
            return ["name", "attention", "email", "units", "therapist", "is_archived"]
        return self.list_display

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return [*self.list_filter, "therapist"]
        return self.list_filter

    def get_fieldsets(self, request, obj=None):
        accounts = ["therapist", "user"]
        if obj is None and not request.user.is_superuser:
            accounts = []  # the therapist is the one adding; an app account is linked later
        fieldsets = [
            (None, {"fields": [("first_name", "last_name"), "email", "units", "notes"]}),
            (None, {"fields": ["is_archived"]}),
        ]
        if accounts:
            fieldsets.append(("Accounts", {"fields": accounts}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["therapist", "user"]

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "therapist":
            kwargs["queryset"] = therapists()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or request.user.is_superuser:
            return allowed
        return allowed and obj.therapist_id == request.user.pk

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if obj is None or request.user.is_superuser:
            return allowed
        return allowed and obj.therapist_id == request.user.pk

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser:
            obj.therapist = request.user
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        client = self.get_object(request, unquote(object_id))
        context = dict(extra_context or {})
        if client is not None:
            context.update(
                open_attention=client.attention.open().prefetch_related("red_flags"),
                adherence=client_adherence(client=client),
                recent_sessions=client.sessions.select_related("program").prefetch_related(
                    "entries__exercise"
                )[:RECENT_SESSIONS],
            )
        return super().change_view(request, object_id, form_url, context)
