"""The client's chart, the therapist's page for one client: the record, screenings, programs,
recent sessions, the adherence summary and the items to review, and the path a new client
takes from it (a screening, a program from a template, an invitation to the app).

It brings the other apps together (clients, programs, logbook), so it lives above them all.
"""

from urllib.parse import urlencode

import segno
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from accounts.roles import therapists
from audit.admin_mixin import AuditedAdminMixin
from clients.invitations import invitation_create
from clients.models import Client
from exercises.admin import ArchivedFilter
from logbook.adherence import client_adherence
from programs.models import Program
from ptbuilder.admin_inlines import ReadOnlyInline
from ptbuilder.domain_errors import Conflict
from safety.admin import ClientScreeningInline

from . import selectors, services
from .forms import NewProgramForm

RECENT_SESSIONS = 10
ALERT = '<strong style="color: {}">{}</strong>'
QR_SCALE = 6
STATE_COLOURS = {selectors.RED_FLAG: "#ba2121", selectors.OUT_OF_DATE: "#b36b00"}
UNBROKEN = '<span style="white-space: nowrap">{}</span>'


def day(moment) -> str:
    return date_format(timezone.localtime(moment), "j M Y")


class ScreeningInline(ClientScreeningInline):
    """The client's screenings, read with the client that each row's heading names
    (Screening.__str__): the page costs the same however many screenings there are."""

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("client")


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

    The list shows where each client stands (screening, active program, last session); the
    client's page also shows recent sessions, the adherence summary and items to review, and
    starts a screening, a program from a template and an invitation to the app.
    """

    list_display = [
        "name",
        "attention",
        "screening",
        "active_program",
        "last_session",
        "email",
        "units",
        "is_archived",
    ]
    list_filter = [ArchivedFilter, "units"]
    search_fields = ["first_name", "last_name", "email"]
    raw_id_fields = ["user"]
    inlines = [ScreeningInline, ClientProgramInline]

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

    @admin.display(description="screening", ordering="screened_at")
    def screening(self, client):
        state = selectors.screening_state(client, now=timezone.now())
        label = format_html(ALERT, STATE_COLOURS[state], state) if state in STATE_COLOURS else state
        if client.screened_at is None:
            return label
        return format_html("{} {}", label, format_html(UNBROKEN, f"({day(client.screened_at)})"))

    @admin.display(description="active program", ordering="active_program_title")
    def active_program(self, client):
        if client.active_program_id is None:
            return "–"
        url = reverse("admin:programs_program_change", args=[client.active_program_id])
        return format_html('<a href="{}">{}</a>', url, client.active_program_title)

    @admin.display(description="last session", ordering="last_session_at")
    def last_session(self, client):
        return format_html(UNBROKEN, day(client.last_session_at)) if client.last_session_at else "–"

    def get_queryset(self, request):
        clients = super().get_queryset(request).of(request.user)
        return selectors.with_summary(clients.select_related("therapist", "user", "invitation"))

    def get_list_display(self, request):
        if request.user.is_superuser:
            return [*self.list_display[:-1], "therapist", "is_archived"]
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

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The client's page with their chart, for the client the admin has already read (with
        its summary, get_queryset): it is not read twice."""
        if obj is not None:
            context.update(
                open_attention=obj.attention.open().prefetch_related("red_flags"),
                adherence=client_adherence(client=obj),
                recent_sessions=obj.sessions.select_related("program").prefetch_related(
                    "entries__exercise"
                )[:RECENT_SESSIONS],
                **self.next_steps(request, obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def next_steps(self, request, client) -> dict:
        """The new client's path on their page: where they stand and what to start next."""
        query = {"client": client.pk}
        if client.seen_for_condition_id is not None:
            query["condition"] = client.seen_for_condition_id
        return {
            "screening_state": self.screening(client),
            "screening_add_url": f"{reverse('admin:clients_screening_add')}?{urlencode(query)}",
            "new_program_form": NewProgramForm(user=request.user),
            "app_account": selectors.app_account(client, now=timezone.now()),
        }

    # The new client's path: each is a POST from the client's page.

    def get_urls(self):
        own = [
            ("new-program", self.new_program_view, "clients_client_new_program"),
            ("invite", self.invite_view, "clients_client_invite"),
        ]
        return [
            *(
                path(
                    f"<path:object_id>/{page}/",
                    self.admin_site.admin_view(require_POST(view)),
                    name=name,
                )
                for page, view, name in own
            ),
            *super().get_urls(),
        ]

    def client_to_change(self, request, object_id):
        """The client named in the URL when it is the therapist's own (get_queryset), else
        None, answered as the admin's "doesn't exist"; a 403 without the right to change it."""
        client = self.get_object(request, unquote(object_id))
        if client is not None and not self.has_change_permission(request, client):
            raise PermissionDenied
        return client

    def back_to(self, client):
        return HttpResponseRedirect(reverse("admin:clients_client_change", args=[client.pk]))

    def new_program_view(self, request, object_id):
        request.audited_action = "new-program"
        return self.object_page(request, object_id, "new-program", self.new_program)

    def new_program(self, request, object_id):
        """The chosen template copied for the client; its page opens next. A template the
        therapist may not see is the form's error, and nothing is copied."""
        client = self.client_to_change(request, object_id)
        if client is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not request.user.has_perm("programs.add_program"):
            raise PermissionDenied
        form = NewProgramForm(request.POST, user=request.user)
        if not form.is_valid():
            errors = " ".join(form.errors["template"])
            self.message_user(request, f"No program was made: {errors}", messages.ERROR)
            return self.back_to(client)
        template = form.cleaned_data["template"]
        with transaction.atomic():
            program = services.program_from_template(
                template=template, client=client, by=request.user
            )
            self.log_addition(request, program, f"Copied from template {template.pk}.")
        self.message_user(
            request,
            f"“{program}” is a new draft for {client}. Individualise it, then activate it.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:programs_program_change", args=[program.pk]))

    def invite_view(self, request, object_id):
        request.audited_action = "invite"
        return self.object_page(request, object_id, "invite", self.invite)

    def invite(self, request, object_id):
        """A fresh code (replacing any earlier one), shown once with a QR code to scan: only
        its hash is kept, so the page that answers the POST is the only place it appears. The
        QR code is a full one (segno.make picks a Micro QR for so short a text, which phone
        cameras do not read) with its four-module quiet zone."""
        client = self.client_to_change(request, object_id)
        if client is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        try:
            with transaction.atomic():
                code, invitation = invitation_create(client=client, by=request.user)
                self.log_change(request, client, "Invited to the app; any earlier code is void.")
        except Conflict as error:
            self.message_user(request, error.message, messages.ERROR)
            return self.back_to(client)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Invitation to the app: {client}",
            "opts": self.opts,
            "original": client,
            "code": code,
            "expires_at": invitation.expires_at,
            "qr_code": segno.make_qr(code, error="m").png_data_uri(scale=QR_SCALE, border=4),
        }
        return TemplateResponse(request, "admin/clients/client/invitation.html", context)
