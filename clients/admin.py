"""Red-flag screenings, each of a therapist's own client; the client's page is chart/admin.py."""

from django.contrib import admin

from audit.admin_mixin import AuditedAdminMixin
from ptbuilder.admin_inlines import ReadOnlyInline

from . import services
from .forms import ScreeningAddForm
from .models import Client, Screening, ScreeningAnswer


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
