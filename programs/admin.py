"""A program edited on one page: blocks, items and progression rules as nested inlines.

A therapist sees only their own programs, plus the shared templates (no owner, no client), which
open read-only; superusers see and change everything. Inlines are checked by the same rules as
the API (validation.py, wired in forms.py), and every save goes through the same service as an
API write (services.py), so API clients' If-Match notices the edit.
"""

import nested_admin
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.forms import ModelChoiceField
from django.http import (
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseNotFound,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from accounts.roles import therapists
from audit.admin_mixin import AuditedAdminMixin
from clients.models import Client
from exercises.models import DOSE_FIELDS, Exercise
from exercises.widgets import ChosenAutocompleteSelect
from progression import engine, plan
from progression.engine import Dose
from ptbuilder.domain_errors import Conflict

from . import dosing, selectors, services
from .forms import (
    RULE_FIELDS,
    ActivateWithOverrideForm,
    BlockAdminForm,
    BlockFormSet,
    CopyToClientForm,
    ItemAdminForm,
    ItemFormSet,
    ProgramAdminForm,
    ProgressionRuleAdminForm,
    ProgressionRuleFormSet,
    posted_items,
)
from .models import Block, Item, Program, ProgressionRule
from .validation import (
    DEFAULT_SIDE,
    MAX_BLOCKS,
    MAX_ITEMS,
    MAX_RULES,
    SIDES_BY_LATERALITY,
)

FROM_CHANGE_PAGE = "_from_change"
THEN = "_then"
"""The change page's action buttons submit the form with this name: the page is saved first
(through the service, with its version check), then the action runs, so no edit is lost."""


def program_of(obj) -> Program | None:
    """The saved program that a program, block or item belongs to; None while it is added."""
    if isinstance(obj, Item):
        obj = obj.block if obj.block_id else None
    if isinstance(obj, Block):
        obj = obj.program if obj.program_id else None
    return obj if isinstance(obj, Program) and obj.pk else None


def may_edit(user, program: Program | None) -> bool:
    """Superusers edit every program; a therapist only their own (never a shared template)."""
    return program is None or user.is_superuser or program.owner_id == user.pk


class ProgramPartInline:
    """Blocks, items and rules can be changed exactly when their program can, and no more of
    them than `max_num` (the API's limits) are taken."""

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_max=True, **kwargs)

    def has_add_permission(self, request, obj=None):
        allowed = super().has_add_permission(request, obj)
        return allowed and may_edit(request.user, program_of(obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and may_edit(request.user, program_of(obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and may_edit(request.user, program_of(obj))


class ProgressionRuleInline(ProgramPartInline, nested_admin.NestedTabularInline):
    """An item's rules, one line each, under the item's row."""

    model = ProgressionRule
    verbose_name, verbose_name_plural = "rule", "rules"
    form = ProgressionRuleAdminForm
    formset = ProgressionRuleFormSet
    fields = RULE_FIELDS
    extra = 0
    max_num = MAX_RULES
    classes = ["rules"]


class ItemInline(
    ProgramPartInline, nested_admin.SortableHiddenMixin, nested_admin.NestedTabularInline
):
    """An item on one row: its exercise, side and week-1 dose; its rules on lines below it.
    With every dose field left empty it starts from the exercise's default dose."""

    model = Item
    verbose_name, verbose_name_plural = "exercise", "exercises"
    form = ItemAdminForm
    formset = ItemFormSet
    extra = 0
    max_num = MAX_ITEMS
    sortable_field_name = "position"
    autocomplete_fields = ["exercise"]
    inlines = [ProgressionRuleInline]
    fields = ["exercise", "side", *DOSE_FIELDS, "notes", "needs_review", "position"]
    classes = ["items"]

    def get_formset(self, request, obj=None, **kwargs):
        """Doses in the units of the page's program's client (set on the request by
        ProgramAdmin.change_view and the preview)."""
        formset = super().get_formset(request, obj, **kwargs)
        formset.units = getattr(request, "program_units", "metric")
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("exercise", "block__program")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "exercise":
            # The autocomplete lists ExerciseAdmin.get_queryset (shared + own); this makes the
            # submitted choice obey the same scope.
            kwargs["queryset"] = Exercise.objects.visible_to(request.user)
            kwargs["widget"] = ChosenAutocompleteSelect(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class BlockInline(
    ProgramPartInline, nested_admin.SortableHiddenMixin, nested_admin.NestedStackedInline
):
    """A block folds to its heading (programs/program_page.js), so a program reads as a list of
    blocks until one is opened."""

    model = Block
    form = BlockAdminForm
    formset = BlockFormSet
    extra = 0
    max_num = MAX_BLOCKS
    sortable_field_name = "position"
    inlines = [ItemInline]
    fields = [
        ("title", "kind", "rounds_min", "rounds_max", "rest_between_rounds_seconds"),
        "notes",
        "position",
    ]
    classes = ["blocks"]

    def get_queryset(self, request):
        """The blocks with their items, exercises and rules: three queries for the whole page
        (ProgramPartFormSet.get_queryset takes each block's and item's rows from them)."""
        items = Item.objects.select_related("exercise")
        return (
            super()
            .get_queryset(request)
            .select_related("program")
            .prefetch_related(Prefetch("items", queryset=items), "items__progressions")
        )


class ProgramKindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [
            ("client", "Client programs"),
            ("template", "Templates"),
            ("shared", "Shared templates"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "client":
            return queryset.filter(client__isnull=False)
        if self.value() == "template":
            return queryset.filter(client__isnull=True)
        if self.value() == "shared":
            return queryset.filter(client__isnull=True, owner__isnull=True)
        return queryset


PREVIEW_WEEKS_PER_TABLE = 8
"""Weeks side by side in the preview: a long program wraps instead of scrolling sideways."""


def render_preview(items, weeks: int | None, units: str, note: str = "") -> str:
    """The plan of (exercise name, dose, rules) items over every week, on the planned path
    ("when ready" rules assumed ready, their rises marked)."""
    tables, error = [], ""
    if weeks:
        history = dosing.ready_every_week(weeks)
        try:
            entries = [
                plan.Entry(name, engine.schedule(dose, rules, weeks, history), rules)
                for name, dose, rules in items
            ]
            tables = plan.plan_tables(
                entries,
                first_week=1,
                last_week=weeks,
                units=units,
                per_table=PREVIEW_WEEKS_PER_TABLE,
            )
        except ValueError as problem:
            error = str(problem)
    context = {"tables": tables, "note": note, "error": error, "items": items, "weeks": weeks}
    return render_to_string("admin/programs/program/schedule_preview.html", context)


@admin.register(Program)
class ProgramAdmin(AuditedAdminMixin, nested_admin.NestedModelAdmin):
    """Own programs and templates, plus the shared templates read-only.

    The change page ends with the saved program's week-by-week schedule, and offers "Copy to a
    client" and "Activate", the same actions as the changelist.
    """

    form = ProgramAdminForm
    inlines = [BlockInline]
    list_display = ["title", "client", "status", "version", "start_date", "updated_at"]
    list_filter = ["status", ProgramKindFilter, "condition"]
    list_select_related = ["client", "condition", "owner"]
    search_fields = ["title", "client__first_name", "client__last_name"]
    actions = ["copy_to_client", "activate", "activate_with_override"]
    record_fields = ["version", "source", "activated_at", "activated_by", "override_reason"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return [*self.list_display, "owner"]
        return self.list_display

    def get_fieldsets(self, request, obj=None):
        main = ["title", "client", "condition", "goal", "notes", "rationale"]
        if obj is not None and self.has_change_permission(request, obj):
            main.append("loaded_version")
        record = ["owner", "slug"] if request.user.is_superuser else []
        if obj is not None:
            record = [*(record or ["owner"]), *self.record_fields]
        fieldsets = [
            (None, {"fields": main}),
            ("Schedule", {"fields": ["status", "start_date", ("weeks", "sessions_per_week")]}),
        ]
        if record:
            fieldsets.append(("Record", {"fields": record}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.record_fields
        return [*self.record_fields, "owner", "slug"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "client":
            kwargs["queryset"] = Client.objects.of(request.user)
        elif db_field.name == "owner":
            kwargs["queryset"] = therapists()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        """Like the API: only drafts and templates are deleted; other programs are archived."""
        allowed = super().has_delete_permission(request, obj)
        if obj is None:
            return allowed
        deletable = obj.is_template or obj.status == Program.Status.DRAFT
        return allowed and may_edit(request.user, obj) and deletable

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except Conflict as error:  # activated since the page was opened: nothing was deleted
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:programs_program_change", args=[object_id]))

    def delete_model(self, request, obj):
        """Through the service, which judges the draft-only rule on the locked row."""
        services.program_delete(program=obj)

    def delete_queryset(self, request, queryset):
        """All or none, each through the service (see delete_model)."""
        try:
            with transaction.atomic():
                for program in queryset:
                    services.program_delete(program=program)
        except Conflict as error:
            self.message_user(request, f"Nothing was deleted: {error.message}", messages.ERROR)

    def save_model(self, request, obj, form, change):
        """Saved by the same services as an API write (the lock, the version check and bump,
        the kept history), in the page's transaction; the inlines then save the blocks."""
        data = form.changes()
        owner = obj.owner if change or request.user.is_superuser else request.user
        if owner is None and obj.client_id is not None:
            owner = data["owner"] = obj.client.therapist
        if change:
            version = form.cleaned_data.get("loaded_version")
            saved = services.program_update(
                program=obj, data=data, by=request.user, version=version
            )
        else:
            data.pop("owner", None)
            saved = services.program_create(owner=owner, data=data)
        vars(obj).update(vars(saved))  # the page's object is the saved row from now on

    # The change page

    class Media:
        css = {"all": ["programs/program_page.css"]}
        js = ["programs/program_page.js"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = dict(extra_context or {})
        program = self.get_object(request, unquote(object_id))
        if program is not None:
            request.program_units = program.client.units if program.client else "metric"
            can_activate = (
                self.has_change_permission(request, program)
                and not program.is_template
                and program.status in services.ACTIVATABLE
            )
            context.update(
                schedule_preview=self.schedule_preview(request, program),
                can_copy=self.has_add_permission(request),
                can_activate=can_activate,
                can_save=self.has_change_permission(request, program),
                then=THEN,
                from_change_page=FROM_CHANGE_PAGE,
                is_nav_sidebar_enabled=False,  # the builder's rows need the page's width
            )
        return super().change_view(request, object_id, form_url, context)

    def add_view(self, request, form_url="", extra_context=None):
        """The builder as it starts: no sidebar, and a plan that follows the unsaved page."""
        context = {
            **(extra_context or {}),
            "schedule_preview": render_preview(
                [], Program._meta.get_field("weeks").default, "metric"
            ),
            "is_nav_sidebar_enabled": False,
        }
        return super().add_view(request, form_url, context)

    def get_urls(self):
        options = self.admin_site.admin_view(self.exercise_options)
        preview = self.admin_site.admin_view(self.preview_view)
        add_preview = self.admin_site.admin_view(self.add_preview_view)
        return [
            path("add/preview/", add_preview, name="programs_program_add_preview"),
            path("<path:object_id>/preview/", preview, name="programs_program_preview"),
            path(
                "exercise-options/<int:pk>/",
                options,
                name="programs_program_exercise_options",
            ),
            *super().get_urls(),
        ]

    def exercise_options(self, request, pk):
        """What an item of this exercise may be set to: its sides (with the default) and the
        parameters its rules may change, for the page to offer only those."""
        if not self.has_view_or_change_permission(request):
            return JsonResponse({"detail": "Not allowed."}, status=403)
        exercise = get_object_or_404(Exercise.objects.visible_to(request.user), pk=pk)
        return JsonResponse(
            {
                "sides": sorted(SIDES_BY_LATERALITY[exercise.laterality]),
                "default_side": DEFAULT_SIDE[exercise.laterality],
                "parameters": list(exercise.progressable),
            }
        )

    def response_change(self, request, obj):
        """After a save, the action whose button submitted the page (see THEN)."""
        then = request.POST.get(THEN)
        selected = Program.objects.filter(pk=obj.pk)
        if then == "activate":
            self._activate(request, selected, override_reason="")
        elif then == "activate_with_override":
            return self.activate_with_override(request, selected)
        elif then == "copy_to_client":
            return self.copy_to_client(request, selected)
        elif then in ("print", "pdf"):
            return HttpResponseRedirect(reverse(f"program-{then}", args=[obj.pk]))
        else:
            return super().response_change(request, obj)
        return HttpResponseRedirect(reverse("admin:programs_program_change", args=[obj.pk]))

    def schedule_preview(self, request, program: Program) -> str:
        """The saved program's plan, as the page opens (see preview_view for edits)."""
        program = selectors.program_detail_qs(user=request.user).get(pk=program.pk)
        items = [
            (item.exercise.name, Dose.of(item), dosing.engine_rules(item))
            for block in program.blocks.all()
            for item in block.items.all()
        ]
        units = program.client.units if program.client else "metric"
        return render_preview(items, program.weeks, units)

    def preview_view(self, request, object_id):
        """The plan of the page as edited, from its unsaved form: nothing is saved."""
        return self.object_page(request, object_id, "preview", self._preview)

    def _preview(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        program = self.get_object(request, unquote(object_id))
        if program is None or not self.has_view_or_change_permission(request, program):
            return HttpResponseNotFound()
        request.program_units = program.client.units if program.client else "metric"
        return self._posted_plan(request, program, change=True)

    def add_preview_view(self, request):
        """The add page's plan, from its unsaved form, in the units of the client chosen there
        (one of the therapist's own, or none)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            return HttpResponseNotFound()
        chosen = ModelChoiceField(Client.objects.of(request.user), required=False)
        try:
            client = chosen.clean(request.POST.get("client"))
        except ValidationError:
            client = None
        request.program_units = client.units if client else "metric"
        return self._posted_plan(request, Program(), change=False)

    def _posted_plan(self, request, program: Program, *, change: bool) -> HttpResponse:
        formsets, _ = self._create_formsets(request, program, change=change)
        items, invalid = posted_items([formset for formset in formsets if formset.model is Block])
        weeks_field = Program._meta.get_field("weeks").formfield()
        try:
            weeks = weeks_field.clean(request.POST.get("weeks"))
        except ValidationError:
            return HttpResponse(
                render_preview([], None, "metric", "Set the weeks to see the plan.")
            )
        units = request.program_units  # the page's doses are in these units too
        note = f"{invalid} exercise row(s) with errors are left out." if invalid else ""
        return HttpResponse(render_preview(items, weeks, units, note))

    # Actions

    def _action_page(self, request, queryset, form, *, action, title, intro, submit):
        """An intermediate page that posts the action back with the form's answers."""
        from_change_page = FROM_CHANGE_PAGE in request.POST or THEN in request.POST
        cancel_url = reverse("admin:programs_program_changelist")
        if from_change_page and queryset.count() == 1:
            cancel_url = reverse("admin:programs_program_change", args=[queryset.get().pk])
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit": submit,
            "opts": self.model._meta,
            "form": form,
            "action": action,
            "programs": queryset.select_related("client"),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across") == "1",
            "from_change_page": FROM_CHANGE_PAGE if from_change_page else "",
            "cancel_url": cancel_url,
        }
        return TemplateResponse(request, "admin/programs/program/action_form.html", context)

    def _back_to(self, request, programs):
        """Back to the program's page when the action was started there (or made one copy)."""
        if len(programs) == 1:
            return HttpResponseRedirect(
                reverse("admin:programs_program_change", args=[programs[0].pk])
            )
        return None

    @admin.action(description="Copy to a client…", permissions=["add"])
    def copy_to_client(self, request, queryset):
        """Deep copies into new drafts of the user's, for one of their clients or as templates."""
        data = request.POST if "_apply" in request.POST else None
        form = CopyToClientForm(data, user=request.user)
        if not form.is_valid():
            return self._action_page(
                request,
                queryset,
                form,
                action="copy_to_client",
                title="Copy to a client",
                intro="Each program below is copied into a new draft of yours.",
                submit="Copy",
            )
        client = form.cleaned_data["client"]
        copies = []
        for program in queryset:
            with transaction.atomic():
                copy = services.program_copy(program=program, client=client, by=request.user)
                self.log_addition(request, copy, f"Copied from program {program.pk}.")
            copies.append(copy)
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:programs_program_change", args=[copy.pk]), copy.title)
                for copy in copies
            ),
        )
        target = f"for {client}" if client else "as templates of yours"
        self.message_user(request, format_html("Copied {} {}: {}", len(copies), target, links))
        return self._back_to(request, copies)

    @admin.action(description="Activate", permissions=["change"])
    def activate(self, request, queryset):
        """Needs a clear screening of the client from the last 30 days (as the API)."""
        return self._activate(request, queryset, override_reason="")

    @admin.action(description="Activate with an override reason…", permissions=["change"])
    def activate_with_override(self, request, queryset):
        """Activates without a clear screening; the reason is stored with who gave it."""
        data = request.POST if "_apply" in request.POST else None
        form = ActivateWithOverrideForm(data)
        if not form.is_valid():
            return self._action_page(
                request,
                queryset,
                form,
                action="activate_with_override",
                title="Activate with an override reason",
                intro="These programs will be activated whatever the clients' screenings say.",
                submit="Activate",
            )
        return self._activate(request, queryset, form.cleaned_data["override_reason"])

    def _activate(self, request, queryset, override_reason: str):
        """Each activation goes into the program's history (and so the audit trail) with it."""
        message = "Activated with an override reason." if override_reason else "Activated."
        programs = list(queryset.select_related("client"))
        activated = []
        for program in programs:
            if not may_edit(request.user, program):
                self.message_user(request, f"{program}: a shared template.", messages.ERROR)
                continue
            try:
                with transaction.atomic():
                    active = services.program_activate(
                        program=program, by=request.user, override_reason=override_reason
                    )
                    self.log_change(request, active, message)
            except Conflict as error:
                self.message_user(request, f"{program}: {error.message}", messages.ERROR)
            else:
                activated.append(program)
        if activated:
            names = ", ".join(str(program) for program in activated)
            self.message_user(request, f"Activated {len(activated)}: {names}.", messages.SUCCESS)
        if FROM_CHANGE_PAGE in request.POST:
            return self._back_to(request, programs)
        return None
