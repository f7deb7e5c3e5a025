from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from progression.engine import Dose
from progression.text import format_dose
from ptbuilder.domain_errors import Conflict

from .forms import ExerciseAdminForm
from .models import BodyRegion, Category, Condition, Equipment, Exercise, RedFlag, Source, Tissue
from .selectors import SEARCH_FIELDS, SEARCH_HELP, exercise_search
from .services import exercise_copy

LATERALITY_SIDES = {"bilateral": "both", "each_side": "each", "alternating": "alternating"}
admin.site.site_header = "ptbuilder"
admin.site.site_title = "ptbuilder"
admin.site.index_title = "Home-exercise programs"
admin.site.site_url = reverse_lazy("api-docs")  # "View site": the product's face is its API


class ArchivedFilter(admin.SimpleListFilter):
    """Archived exercises stay out of the way unless asked for."""

    title = "status"
    parameter_name = "archived"
    default = "no"

    def lookups(self, request, model_admin):
        return [("no", "Active"), ("yes", "Archived"), ("all", "All")]

    def queryset(self, request, queryset):
        value = self.value() or self.default
        if value == "all":
            return queryset
        return queryset.filter(is_archived=value == "yes")

    def choices(self, changelist):
        selected = self.value() or self.default
        for lookup, title in self.lookup_choices:
            yield {
                "selected": selected == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


DOSE_LAYOUT = [
    "sets",
    ("reps_min", "reps_max"),
    ("hold_seconds_min", "hold_seconds_max"),
    ("duration_seconds_min", "duration_seconds_max"),
    "rest_seconds",
    "load_kg",
    "step_height_cm",
]
"""A dose's fields on an admin page, each range on one line (exercises and program items)."""


class OwnerFilter(admin.SimpleListFilter):
    title = "owner"
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("shared", "Shared library"), ("mine", "My exercises")]

    def queryset(self, request, queryset):
        if self.value() == "shared":
            return queryset.filter(owner__isnull=True)
        if self.value() == "mine":
            return queryset.filter(owner=request.user)
        return queryset


READ_AS_LISTS = {"steps": "steps_list", "cues": "cues_list", "precautions": "precautions_list"}
"""The fields a read-only page shows as HTML lists (instead of their JSON), by field."""


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    """Therapists see the shared library and their own exercises; they change only their own,
    and copy a shared one into their own to adapt it ("Copy to my exercises")."""

    form = ExerciseAdminForm
    list_display = ["name", "category", "laterality", "dose", "library", "is_archived"]
    list_display_links = ["name"]
    list_filter = [
        ArchivedFilter,
        OwnerFilter,
        "category",
        "equipment",
        "body_regions",
        "laterality",
        "conditions",
    ]
    list_select_related = ["category", "owner"]
    search_fields = SEARCH_FIELDS  # shows the search box; get_search_results applies the rule
    search_help_text = SEARCH_HELP
    filter_horizontal = ["equipment", "body_regions", "target_tissues", "conditions"]
    actions = ["archive", "restore"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "category", "laterality", "dosing"]}),
        ("Instructions", {"fields": ["steps", "cues", "precautions", "image", "video_url"]}),
        (
            "Default dose",
            {
                "description": "A range with only a minimum is a single value. "
                "Empty load means bodyweight.",
                "fields": [*DOSE_LAYOUT, "progressable"],
            },
        ),
        (
            "Targets",
            {"fields": ["equipment", "body_regions", "target_tissues", "conditions"]},
        ),
        ("Source and ownership", {"fields": ["source", "source_note", "owner", "is_archived"]}),
    ]

    class Media:
        css = {"all": ["exercises/exercise_page.css"]}

    @admin.display(description="default dose")
    def dose(self, exercise):
        side = LATERALITY_SIDES[exercise.laterality]
        return format_dose(Dose.of(exercise), dosing=exercise.dosing, side=side) or "–"

    @admin.display(description="library", ordering="owner")
    def library(self, exercise):
        return "Shared" if exercise.is_shared else exercise.owner.get_username()

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_search_results(self, request, queryset, search_term):
        """The API's search rule, within the user's library; the exercise picker of program
        items offers only exercises still in use. The rule lists an exercise once."""
        queryset = exercise_search(queryset=queryset, text=search_term)
        if request.resolver_match and request.resolver_match.url_name == "autocomplete":
            queryset = queryset.active()
        return queryset, False

    def get_fieldsets(self, request, obj=None):
        """A page the user may only read (a shared exercise, for a therapist) shows the steps,
        cues and precautions as lists."""
        if obj is None or self.has_change_permission(request, obj):
            return self.fieldsets
        return [
            (title, {**options, "fields": [READ_AS_LISTS.get(f, f) for f in options["fields"]]})
            for title, options in self.fieldsets
        ]

    @admin.display(description="steps")
    def steps_list(self, exercise):
        return self.lines_html("ol", exercise.steps)

    @admin.display(description="cues")
    def cues_list(self, exercise):
        return self.lines_html("ul", exercise.cues)

    @admin.display(description="precautions")
    def precautions_list(self, exercise):
        return self.lines_html("ul", exercise.precautions)

    def lines_html(self, tag: str, lines: list[str]) -> str:
        if not lines:
            return self.get_empty_value_display()
        items = format_html_join("", "<li>{}</li>", ((line,) for line in lines))
        return format_html('<{} class="read-only-lines">{}</{}>', tag, items, tag)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ["slug"] if obj and not obj.is_shared else []
        return ["slug", "source", "owner"]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or request.user.is_superuser:
            return allowed
        return allowed and obj.owner_id == request.user.id

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser:
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    # Copying a shared exercise

    def get_urls(self):
        copy = path(
            "<path:object_id>/copy/",
            self.admin_site.admin_view(self.copy_view),
            name="exercises_exercise_copy",
        )
        return [copy, *super().get_urls()]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_copy"] = obj is not None and obj.is_shared and self.has_add_permission(request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @method_decorator(require_POST)
    def copy_view(self, request, object_id):
        """A shared exercise copied into the user's own exercises and opened to adapt. Another
        therapist's exercise is not found (404); one's own is not copied (403)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        exercise = self.get_object(request, unquote(object_id))
        if exercise is None:
            raise Http404("No such exercise in your library.")
        try:
            with transaction.atomic():
                copy = exercise_copy(exercise=exercise, by=request.user)
                self.log_addition(request, copy, f"Copied from shared exercise {exercise.pk}.")
        except Conflict as error:
            raise PermissionDenied(error.message) from error
        self.message_user(
            request,
            format_html("“{}” is copied into your exercises: this copy is yours to adapt.", copy),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:exercises_exercise_change", args=[copy.pk]))

    def _set_archived(self, request, queryset, archived: bool):
        own = queryset if request.user.is_superuser else queryset.filter(owner=request.user)
        changed = own.exclude(is_archived=archived).update(
            is_archived=archived, updated_at=timezone.now()
        )
        skipped = queryset.count() - own.count()
        self.message_user(request, f"{changed} exercise(s) updated.")
        if skipped:
            self.message_user(
                request, f"{skipped} shared exercise(s) left unchanged.", messages.WARNING
            )

    @admin.action(description="Archive selected exercises", permissions=["change"])
    def archive(self, request, queryset):
        self._set_archived(request, queryset, True)

    @admin.action(description="Restore selected exercises", permissions=["change"])
    def restore(self, request, queryset):
        self._set_archived(request, queryset, False)


class RedFlagInline(admin.TabularInline):
    model = RedFlag
    extra = 0
    fields = ["position", "slug", "text", "client_text", "kind", "kind_note"]


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ["name", "source"]
    search_fields = ["name"]
    inlines = [RedFlagInline]


@admin.register(Category, Equipment, BodyRegion, Tissue)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "published", "author"]
    search_fields = ["title", "author"]
