"""Clients and their red-flag screenings, each a therapist's own."""

from django.contrib import admin
from django.contrib.admin.utils import unquote

from exercises.admin import ArchivedFilter

from .. import services
from ..adherence import client_adherence
from ..forms import ScreeningAddForm
from ..models import Client, Program, Screening, ScreeningAnswer
from .base import AuditedAdminMixin, ReadOnlyInline, therapists

RECENT_SESSIONS = 10


def screening_result(screening: Screening) -> str:
    present = [str(answer.red_flag) for answer in screening.answers.all() if answer.present]
    return f"Positive: {'; '.join(present)}" if present else "Clear"


class ClientScreeningInline(ReadOnlyInline):
    """The client's screenings, newest first; each opens read-only on its own page."""

    model = Screening
    fields = ["performed_at", "condition", "result", "performed_by"]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("condition", "performed_by")
            .prefetch_related("answers__red_flag")
        )

    @admin.display(description="result")
    def result(self, screening):
        return screening_result(screening)


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

    list_display = ["name", "email", "units", "is_archived"]
    list_filter = [ArchivedFilter, "units"]
    search_fields = ["first_name", "last_name", "email"]
    raw_id_fields = ["user"]
    inlines = [ClientScreeningInline, ClientProgramInline]

    @admin.display(description="name", ordering="last_name")
    def name(self, client):
        return str(client)

    def get_queryset(self, request):
        return super().get_queryset(request).of(request.user).select_related("therapist")

    def get_list_display(self, request):
        if request.user.is_superuser:
            return ["name", "email", "units", "therapist", "is_archived"]
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
                adherence=client_adherence(client=client),
                recent_sessions=client.sessions.select_related("program").prefetch_related(
                    "entries__exercise"
                )[:RECENT_SESSIONS],
            )
        return super().change_view(request, object_id, form_url, context)


class ScreeningResultFilter(admin.SimpleListFilter):
    title = "result"
    parameter_name = "result"

    def lookups(self, request, model_admin):
        return [("clear", "Clear"), ("positive", "A red flag present")]

    def queryset(self, request, queryset):
        if self.value() == "clear":
            return queryset.exclude(answers__present=True)
        if self.value() == "positive":
            return queryset.filter(answers__present=True).distinct()
        return queryset


class ScreeningAnswerInline(ReadOnlyInline):
    model = ScreeningAnswer
    fields = ["red_flag", "answer"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("red_flag")

    @admin.display(description="answer")
    def answer(self, answer):
        return "Present" if answer.present else "Absent"


@admin.register(Screening)
class ScreeningAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Screenings of the therapist's own clients; read-only once saved.

    The add page shows one checkbox per red flag of every condition (see ScreeningAddForm):
    the therapist picks the client and the condition and ticks the flags that are present.
    It is saved through services.screening_create with an answer for every flag of the chosen
    condition, unticked meaning absent.
    """

    list_display = ["client", "condition", "performed_at", "result", "performed_by"]
    list_filter = [ScreeningResultFilter, "condition", "performed_at"]
    list_select_related = ["client", "condition", "performed_by"]
    search_fields = ["client__first_name", "client__last_name", "condition__name"]
    inlines = [ScreeningAnswerInline]
    view_fields = ["client", "condition", "result", "performed_by", "performed_at", "notes"]

    @admin.display(description="result")
    def result(self, screening):
        return screening_result(screening)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("answers__red_flag")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(client__therapist=request.user)

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return [(None, {"fields": self.view_fields})]
        return [
            (None, {"fields": ScreeningAddForm.Meta.fields}),
            *ScreeningAddForm.flag_fieldsets(),
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.view_fields if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            # The checkboxes are added per request; the model form itself has these fields.
            kwargs.update(form=ScreeningAddForm, fields=ScreeningAddForm.Meta.fields)
        return super().get_form(request, obj, **kwargs)

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "client":
            kwargs["queryset"] = Client.objects.of(request.user).filter(is_archived=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """Creates the screening through the service; `obj` then stands for the saved one."""
        saved = services.screening_create(
            client=form.cleaned_data["client"],
            condition=form.cleaned_data["condition"],
            answers=form.answers(),
            by=request.user,
            notes=form.cleaned_data.get("notes", ""),
        )
        obj.pk, obj.performed_by, obj.performed_at = (
            saved.pk,
            saved.performed_by,
            saved.performed_at,
        )
        obj._state.adding, obj._state.db = False, saved._state.db
