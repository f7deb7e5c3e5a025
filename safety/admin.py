"""Red-flag screenings, each of a therapist's own client, and the attention list; the client's
page is chart/admin.py."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from audit.admin_mixin import AuditedAdminMixin
from clients.models import Client, Screening, ScreeningAnswer
from ptbuilder.admin_inlines import ReadOnlyInline
from ptbuilder.domain_errors import DomainError

from . import services
from .forms import ScreeningAddForm
from .models import Attention


def outcome_message(attention: Attention, paused: list) -> str:
    flags = "; ".join(str(flag) for flag in attention.red_flags.all())
    if attention.is_emergency:
        return (
            f"EMERGENCY red flag present for {attention.client}: {flags}. "
            f"{len(paused)} active program(s) paused; the client app now tells them to call "
            "emergency services instead of showing exercises. Contact the client now."
        )
    return (
        f"Red flag present for {attention.client}: {flags}. Their active programs go on, marked "
        "for your attention until you record why the client may continue (Attention)."
    )


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

    The add page shows a present / absent choice per red flag of every condition, none
    preselected (see ScreeningAddForm): the therapist picks the client and the condition (the
    client's page links here with both in the query) and answers each flag. It is saved through
    services.screening_record with an answer for every flag of the chosen condition.
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
        """Records the screening through the service that acts on its flags; `obj` then stands
        for the saved one."""
        saved, attention, paused = services.screening_record(
            client=form.cleaned_data["client"],
            condition=form.cleaned_data["condition"],
            answers=form.answers(),
            by=request.user,
            notes=form.cleaned_data.get("notes", ""),
        )
        vars(obj).update(vars(saved))
        request.screening_outcome = (attention, paused)

    def response_post_save_add(self, request, obj):
        """Back to the client's page, where the next step (a program, the app) starts."""
        return HttpResponseRedirect(reverse("admin:clients_client_change", args=[obj.client_id]))

    def response_add(self, request, obj, post_url_continue=None):
        """A present red flag is said in red (an emergency) or amber, on the client's page."""
        attention, paused = getattr(request, "screening_outcome", (None, []))
        if attention is None:
            return super().response_add(request, obj, post_url_continue)
        level = messages.ERROR if attention.is_emergency else messages.WARNING
        self.message_user(request, outcome_message(attention, paused), level)
        return HttpResponseRedirect(reverse("admin:clients_client_change", args=[obj.client_id]))


@admin.register(Attention)
class AttentionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Present red flags of the therapist's own clients, emergencies first. Open one and write
    why the client may go on to clear it; paused programs stay paused until activated."""

    list_display = ["client", "is_emergency", "flags", "source", "raised_at", "cleared_at"]
    list_filter = ["is_emergency", ("cleared_at", admin.EmptyFieldListFilter)]
    list_select_related = ["client"]
    search_fields = ["client__first_name", "client__last_name"]
    readonly_fields = ["client", "is_emergency", "flags", "source", "raised_at"]
    fields = [*readonly_fields, "clearance_reason"]

    @admin.display(description="red flags")
    def flags(self, attention):
        return "; ".join(str(flag) for flag in attention.red_flags.all())

    def get_queryset(self, request):
        return super().get_queryset(request).of(request.user).prefetch_related("red_flags")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.cleared_at is not None:
            return [*self.readonly_fields, "cleared_at", "cleared_by", "clearance_reason"]
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is not None and obj.cleared_at is not None:
            return self.get_readonly_fields(request, obj)
        return self.fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "clearance_reason" in form.base_fields:
            form.base_fields["clearance_reason"].required = True
        return form

    def save_model(self, request, obj, form, change):
        """Clears through the service, on the locked row; a reason is required."""
        try:
            services.attention_clear(
                attention=obj, by=request.user, reason=form.cleaned_data["clearance_reason"]
            )
        except DomainError as error:
            self.message_user(request, f"Not cleared: {error.message}", messages.ERROR)
